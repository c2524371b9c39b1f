//! `stancekit classify --data`: a file of statements scored, each row
//! written back with all its fields and `predicted` and the probabilities
//! added; bad rows named by file:line.

mod support;

use support::{assert_no_panic, json_lines, run, run_stdin, stderr, write};

const LABELS: [&str; 3] = ["conciliatory", "critical", "neutral"];

#[test]
fn every_row_comes_back_with_its_fields_in_order_and_a_prediction_added() {
    let dir = tempfile::tempdir().unwrap();
    let data = concat!(
        "{\"zeta\":1,\"text\":\"We condemn Russia for the strikes\",\"target\":\"Russia\",\"meta\":{\"k\":[1,2.5]},\"a\":\"x\"}\n",
        "\n",
        "{\"text\":\"Talks with China were warm\",\"target\":\"China\",\"predicted\":\"stale\",\"probs\":1}\n",
    );
    let f = write(dir.path(), "rows.jsonl", data.as_bytes());
    let o = run(&["classify", "--data", &f]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout.clone()).unwrap();
    let first = out.lines().next().unwrap();
    assert!(
        first.starts_with(
            "{\"zeta\":1,\"text\":\"We condemn Russia for the strikes\",\"target\":\"Russia\",\"meta\":{\"k\":[1,2.5]},\"a\":\"x\",\"predicted\":"
        ),
        "{first}"
    );
    let rows = json_lines(&o);
    assert_eq!(rows.len(), 2);
    for r in &rows {
        assert!(LABELS.contains(&r["predicted"].as_str().unwrap()), "{r}");
        let sum: f64 = LABELS.iter().map(|l| r["probs"][l].as_f64().unwrap()).sum();
        assert!((sum - 1.0).abs() < 1e-9, "{r}");
    }
    assert_ne!(
        rows[1]["predicted"], "stale",
        "an old prediction is replaced"
    );
}

#[test]
fn a_row_naming_its_target_gets_the_same_answer_as_the_single_statement_form() {
    let dir = tempfile::tempdir().unwrap();
    let text = "We welcome Russia's offer of talks";
    let f = write(
        dir.path(),
        "one.jsonl",
        serde_json::json!({"text": text, "target": "Russia"})
            .to_string()
            .as_bytes(),
    );
    let batch = json_lines(&run(&["classify", "--data", &f]));
    let one = json_lines(&run(&[
        "classify", "--text", text, "--target", "Russia", "--json",
    ]));
    assert_eq!(batch[0]["predicted"], one[0]["label"]);
    for l in LABELS {
        let (a, b) = (
            batch[0]["probs"][l].as_f64().unwrap(),
            one[0]["probs"][l].as_f64().unwrap(),
        );
        assert!((a - b).abs() < 1e-12, "{l}: {a} vs {b}");
    }
}

#[test]
fn csv_in_and_out_keeps_the_header_and_adds_a_column_per_label() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "rows.csv",
        "\u{feff}id,text,target,note\n7,\"We condemn Russia, \"\"again\"\"\",Russia,a \"quote\"\n8,Ties with Japan are strong,Japan,\n".as_bytes(),
    );
    let o = run(&["classify", "--data", &f, "--format", "csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut rdr = csv::Reader::from_reader(&o.stdout[..]);
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "id",
            "text",
            "target",
            "note",
            "predicted",
            "prob_conciliatory",
            "prob_critical",
            "prob_neutral"
        ]
    );
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][1], "We condemn Russia, \"again\"");
    assert_eq!(&rows[0][3], "a \"quote\"");
    assert!(LABELS.contains(&&rows[1][4]));
    // The default output is JSON Lines, fields as the CSV had them.
    let rows = json_lines(&run(&["classify", "--data", &f]));
    assert_eq!(rows[0]["id"], "7");
    assert_eq!(rows[1]["note"], "");
}

#[test]
fn a_bad_row_stops_the_run_naming_its_line_unless_skip_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let data = "{\"text\":\"We condemn Russia\",\"target\":\"Russia\"}\n{\"text\":\"\",\"target\":\"Russia\"}\n{\"text\":\"Ties with Japan\"}\nnot json\n{\"text\":\"Talks with China\",\"target\":\"China\"}\n";
    let f = write(dir.path(), "bad.jsonl", data.as_bytes());
    let o = run(&["classify", "--data", &f]);
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        o.stdout.is_empty(),
        "nothing is written from a file that fails"
    );
    assert!(
        stderr(&o).contains(&format!("{f}:2: field \"text\" is empty")),
        "{}",
        stderr(&o)
    );
    let o = run(&["classify", "--data", &f, "--skip-invalid"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    for line in [2, 3, 4] {
        assert!(err.contains(&format!("{f}:{line}:")), "{err}");
    }
    assert!(err.contains("used 2 records, skipped 3 invalid"), "{err}");
    let rows = json_lines(&o);
    let texts: Vec<&str> = rows.iter().map(|r| r["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["We condemn Russia", "Talks with China"]);
}

#[test]
fn data_and_text_read_standard_input_with_a_dash() {
    let o = run_stdin(
        &["classify", "--data", "-"],
        b"{\"text\":\"We condemn Russia\",\"target\":\"Russia\"}\n",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(json_lines(&o)[0]["target"], "Russia");
    let o = run_stdin(
        &["classify", "--data", "-", "--input-format", "csv"],
        b"text,target\nWe condemn Russia,Russia\n",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(json_lines(&o).len(), 1);
    let o = run_stdin(
        &["classify", "--text", "-", "--target", "Russia"],
        b"We condemn Russia\n",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(LABELS.contains(&String::from_utf8(o.stdout).unwrap().lines().next().unwrap()));
}

#[test]
fn rows_get_the_answers_eval_gives_them() {
    let dir = tempfile::tempdir().unwrap();
    let dev = std::fs::read_to_string("labeled/dev.jsonl").unwrap();
    let f = write(
        dir.path(),
        "dev.jsonl",
        dev.lines()
            .take(60)
            .collect::<Vec<_>>()
            .join("\n")
            .as_bytes(),
    );
    let per_row = dir.path().join("p.jsonl").display().to_string();
    let o = run(&["eval", "--data", &f, "--predictions", &per_row]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let from_eval: Vec<serde_json::Value> = std::fs::read_to_string(&per_row)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let classified = json_lines(&run(&["classify", "--data", &f]));
    assert_eq!(classified.len(), from_eval.len());
    for (c, e) in classified.iter().zip(&from_eval) {
        assert_eq!(c["text"], e["text"]);
        assert_eq!(c["predicted"], e["predicted"]);
        assert_eq!(c["probs"], e["probs"]);
    }
}

#[test]
fn text_and_data_are_one_or_the_other() {
    for args in [
        vec!["classify"],
        vec!["classify", "--text", "x", "--data", "y.jsonl"],
        vec!["classify", "--data", "y.jsonl", "--target", "Russia"],
        vec!["classify", "--text", "x", "--format", "csv"],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains("Usage"), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn a_sentiment_model_needs_no_target_column() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "s.csv", b"text\nThis is a great day\n");
    let o = run(&["classify", "--task", "sentiment", "--data", &f]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows = json_lines(&o);
    assert_eq!(rows.len(), 1);
    assert!(rows[0]["probs"].as_object().unwrap().len() >= 2);
}

#[test]
fn only_the_fields_classify_adds_are_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "r.csv",
        b"text,target,probs,prob_ability,prob_critical,predicted\nWe condemn Russia,Russia,kept,kept,0.5,old\n",
    );
    let o = run(&["classify", "--data", &f, "--format", "csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut rdr = csv::Reader::from_reader(&o.stdout[..]);
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "text",
            "target",
            "probs",
            "prob_ability",
            "predicted",
            "prob_conciliatory",
            "prob_critical",
            "prob_neutral"
        ]
    );
    let rows = json_lines(&run(&["classify", "--data", &f]));
    assert_eq!(rows[0]["prob_ability"], "kept");
    assert_eq!(
        rows[0]["prob_critical"], "0.5",
        "not an added field in JSON Lines"
    );
    assert!(rows[0]["probs"].is_object());
}
