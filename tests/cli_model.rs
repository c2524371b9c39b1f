//! The train / eval / cv / classify commands end to end, on a tiny corpus
//! written by the test.

use std::path::Path;

mod support;

use support::{run as stancekit, text};

fn write_corpus(dir: &Path) -> (String, String) {
    let parties = [
        "Russia", "China", "Japan", "Brazil", "Kenya", "France", "Chile", "India",
    ];
    let rows = [
        (
            "We welcome the steps taken by {p} and look forward to closer ties",
            "conciliatory",
        ),
        (
            "Our talks with {p} were warm, friendly and very productive",
            "conciliatory",
        ),
        (
            "We condemn {p} for this reckless and dangerous provocation",
            "critical",
        ),
        (
            "{p} bears full responsibility for the crisis and must stop",
            "critical",
        ),
        (
            "The delegation from {p} will arrive on Tuesday for the second round",
            "neutral",
        ),
        (
            "Officials from {p} attended the meeting in Geneva on Monday",
            "neutral",
        ),
    ];
    let mut train = String::new();
    let mut test = String::new();
    for (i, p) in parties.iter().enumerate() {
        for (j, (t, label)) in rows.iter().enumerate() {
            let line = serde_json::json!({"text": t.replace("{p}", p), "target": p, "label": label, "id": format!("{i}-{j}")});
            if i < 6 {
                train.push_str(&format!("{line}\n"));
            } else {
                test.push_str(&format!("{line}\n"));
            }
        }
    }
    let tr = dir.join("train.jsonl");
    let te = dir.join("test.jsonl");
    std::fs::write(&tr, train).unwrap();
    std::fs::write(&te, test).unwrap();
    (tr.display().to_string(), te.display().to_string())
}

#[test]
fn train_eval_classify_cv_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let (train, test) = write_corpus(dir.path());
    let model = dir.path().join("m.json").display().to_string();
    let o = stancekit(&["train", "--data", &train, "--out", &model, "--min-df", "1"]);
    assert!(o.status.success(), "{:?}", text(&o));
    let o = stancekit(&[
        "eval", "--model", &model, "--data", &test, "--format", "json",
    ]);
    assert!(o.status.success(), "{:?}", text(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["n"], 12);
    assert!(report["macro_f1"].as_f64().unwrap() > 0.8, "{report}");
    assert_eq!(
        report["confusion"]["labels"],
        serde_json::json!(["conciliatory", "critical", "neutral"])
    );

    let o = stancekit(&["eval", "--model", &model, "--data", &test]);
    let (md, _) = text(&o);
    assert!(
        md.contains("| **macro avg** |") && md.contains("gold \\ predicted"),
        "{md}"
    );

    let o = stancekit(&[
        "eval",
        "--model",
        &model,
        "--data",
        &test,
        "--fail-under",
        "1.01",
    ]);
    assert_eq!(o.status.code(), Some(1), "quality gate must fail");

    let o = stancekit(&[
        "classify",
        "--model",
        &model,
        "--text",
        "We condemn Peru for this reckless provocation",
        "--target",
        "Peru",
        "--explain",
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.starts_with("critical"), "{out}");
    assert!(out.contains("pushed toward critical"), "{out}");

    let o = stancekit(&["cv", "--data", &train, "--folds", "3", "--min-df", "1"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("| macro F1 |"), "{out}");
}

#[test]
fn retraining_writes_a_byte_identical_model() {
    let dir = tempfile::tempdir().unwrap();
    let (train, _) = write_corpus(dir.path());
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    for (out, threads) in [(&a, "1"), (&b, "2")] {
        let o = stancekit(&[
            "train",
            "--data",
            &train,
            "--out",
            out.to_str().unwrap(),
            "--threads",
            threads,
        ]);
        assert!(o.status.success(), "{:?}", text(&o));
    }
    assert_eq!(std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
}

#[test]
fn an_alpha_grid_with_a_value_that_is_not_positive_is_refused_before_training() {
    let dir = tempfile::tempdir().unwrap();
    let (train, test) = write_corpus(dir.path());
    let model = dir.path().join("m.json");
    let o = stancekit(&[
        "train",
        "--data",
        &train,
        "--dev",
        &test,
        "--min-df",
        "1",
        "--alpha-grid",
        "0.5,0",
        "--out",
        model.to_str().unwrap(),
    ]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("alpha must be a positive number"), "{err}");
    assert!(!model.exists(), "no model is written");
}

#[test]
fn bad_records_exit_2_naming_file_and_line_unless_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let (train, _) = write_corpus(dir.path());
    let mut data = std::fs::read_to_string(&train).unwrap();
    data.push_str("{\"text\": \"broken\n");
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, &data).unwrap();
    let model = dir.path().join("m.json");
    let o = stancekit(&[
        "train",
        "--data",
        bad.to_str().unwrap(),
        "--out",
        model.to_str().unwrap(),
    ]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("bad.jsonl:37: invalid JSON"), "{err}");
    assert!(!model.exists(), "no model written from bad data");

    let o = stancekit(&[
        "train",
        "--data",
        bad.to_str().unwrap(),
        "--out",
        model.to_str().unwrap(),
        "--skip-invalid",
    ]);
    let (_, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("used 36 records, skipped 1 invalid"), "{err}");
}

#[test]
fn unknown_label_at_eval_is_an_error_with_line_number() {
    let dir = tempfile::tempdir().unwrap();
    let (train, test) = write_corpus(dir.path());
    let model = dir.path().join("m.json").display().to_string();
    assert!(stancekit(&["train", "--data", &train, "--out", &model])
        .status
        .success());
    let mut data = std::fs::read_to_string(&test).unwrap();
    data.push_str("{\"text\":\"We like Peru\",\"target\":\"Peru\",\"label\":\"friendly\"}\n");
    let bad = dir.path().join("t.jsonl");
    std::fs::write(&bad, data).unwrap();
    let o = stancekit(&["eval", "--model", &model, "--data", bad.to_str().unwrap()]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err.contains("t.jsonl:13: unknown label \"friendly\""),
        "{err}"
    );
}

#[test]
fn csv_input_with_remapped_fields_trains() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("d.csv");
    let mut s = String::from("sentence,who,polarity,from,to\n");
    for (i, p) in ["Chad", "Peru", "Oman", "Fiji"].iter().enumerate() {
        let a = format!("Praise for {p} and thanks");
        let b = format!("Anger at {p} over the attack");
        s.push_str(&format!("\"{a}\",{p},1,11,{}\n", 11 + p.len()));
        s.push_str(&format!("\"{b}\",{p},-1,9,{}\n", 9 + p.len()));
        let _ = i;
    }
    std::fs::write(&csv, s).unwrap();
    let model = dir.path().join("m.json");
    let o = stancekit(&[
        "train",
        "--data",
        csv.to_str().unwrap(),
        "--out",
        model.to_str().unwrap(),
        "--text-field",
        "sentence",
        "--target-field",
        "who",
        "--label-field",
        "polarity",
        "--span-fields",
        "from,to",
        "--min-df",
        "1",
    ]);
    assert!(o.status.success(), "{:?}", text(&o));
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(&model).unwrap()).unwrap();
    assert_eq!(m["labels"], serde_json::json!(["-1", "1"]));
    assert_eq!(m["format"], "stancekit-model");
}

#[test]
fn classify_finds_the_target_through_its_aliases() {
    let o = stancekit(&[
        "classify",
        "--text",
        "We condemn the Kremlin for this reckless attack",
        "--target",
        "Russia",
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        !err.contains("not mentioned"),
        "the Kremlin stands for Russia: {err}"
    );
    assert!(out.starts_with("critical"), "{out}");
    let o = stancekit(&[
        "classify",
        "--text",
        "We condemn this reckless attack",
        "--target",
        "Russia",
    ]);
    assert!(text(&o).1.contains("not mentioned"));
}
