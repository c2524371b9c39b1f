//! Machine-readable reports: `dyads --format json` is JSON Lines like every
//! other JSON output, and `cv` reports per-fold and mean figures as JSON
//! (on stdout with `--format json`, to a file with `--json`, as `eval`).

mod support;

use support::{corpus, run, stderr, write};

#[test]
fn dyads_json_is_one_dyad_object_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let art = |id: &str, date: &str, text: &str| {
        serde_json::json!({"id": id, "date": date, "text": text}).to_string()
    };
    let articles = [
        art(
            "a",
            "2025-04-01",
            "\"We condemn Moscow's reckless strikes,\" Ukrainian President Volodymyr Zelensky said. \
             \"We welcome the talks with Japan,\" Chinese Foreign Minister Wang Yi said.",
        ),
        art(
            "b",
            "2025-05-02",
            "\"We condemn Moscow's reckless strikes on our cities,\" Ukrainian President Volodymyr Zelensky said.",
        ),
    ]
    .join("\n");
    let input = write(dir.path(), "a.jsonl", articles.as_bytes());
    let predicted = run(&["predict", "--min-prob", "0", &input]);
    assert_eq!(predicted.status.code(), Some(0), "{}", stderr(&predicted));
    let preds = write(dir.path(), "p.jsonl", &predicted.stdout);

    let o = run(&["dyads", &preds, "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.len() >= 2, "one line per dyad and month: {out}");
    for line in &lines {
        let d: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("each line is one JSON value ({e}): {line:?}"));
        for key in ["source", "target", "period", "total", "score"] {
            assert!(d.get(key).is_some(), "{key} in {line}");
        }
    }
    // The same dyads as the CSV rows, in the same order.
    let csv = run(&["dyads", &preds, "--format", "csv"]);
    let csv = String::from_utf8(csv.stdout).unwrap();
    assert_eq!(csv.lines().count() - 1, lines.len(), "{csv}");
}

#[test]
fn dyads_reads_predict_records_and_names_the_line_of_anything_else() {
    let dir = tempfile::tempdir().unwrap();
    let predicted = run(&["predict", "--min-prob", "0", "tests/articles"]);
    assert_eq!(predicted.status.code(), Some(0), "{}", stderr(&predicted));
    let extracted = run(&["extract", "tests/articles"]);
    // A predict record read back is typed: its sentiment and stances are
    // there, so every attributed quote about another party counts.
    let preds = write(dir.path(), "p.jsonl", &predicted.stdout);
    let o = run(&["dyads", &preds, "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!o.stdout.is_empty());
    // extract's record is no predict record: no sentiment, no stances.
    let mut mixed = predicted.stdout.clone();
    let first_extract = extracted.stdout.split(|&b| b == b'\n').next().unwrap();
    mixed.extend_from_slice(first_extract);
    mixed.push(b'\n');
    let line = predicted.stdout.iter().filter(|&&b| b == b'\n').count() + 1;
    let file = write(dir.path(), "mixed.jsonl", &mixed);
    let o = run(&["dyads", &file]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "mixed.jsonl:{line}: not a `stancekit predict` record"
        )) && err.contains("missing field"),
        "{err}"
    );
    let o = run(&["dyads", &file, "--skip-invalid", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let skipped = run(&["dyads", &preds, "--format", "json"]);
    assert_eq!(o.stdout, skipped.stdout, "the bad line changes nothing");
}

#[test]
fn cv_json_has_every_fold_and_the_mean_and_std_of_each_figure() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "train.jsonl", corpus(2).as_bytes());
    let file = dir.path().join("cv.json");
    let o = run(&[
        "cv",
        "--data",
        &data,
        "--folds",
        "3",
        "--min-df",
        "1",
        "--format",
        "json",
        "--json",
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON document");
    assert_eq!(report["folds"], 3);
    assert_eq!(report["seed"], 42);
    assert_eq!(report["task"], "stance");
    let folds = report["per_fold"].as_array().unwrap();
    assert_eq!(folds.len(), 3);
    for (i, f) in folds.iter().enumerate() {
        assert_eq!(f["fold"], i + 1);
        assert!(f["n"].as_u64().unwrap() > 0);
        assert!(f["per_class"]["critical"]["f1"].is_number(), "{f}");
    }
    let n: u64 = folds.iter().map(|f| f["n"].as_u64().unwrap()).sum();
    assert_eq!(n, 72, "every row is tested once");
    // The mean is the mean of the folds' figures.
    let mean: f64 = folds
        .iter()
        .map(|f| f["macro_f1"].as_f64().unwrap())
        .sum::<f64>()
        / 3.0;
    assert!((report["mean"]["macro_f1"].as_f64().unwrap() - mean).abs() < 1e-12);
    for label in ["conciliatory", "critical", "neutral"] {
        for fig in ["precision", "recall", "f1"] {
            assert!(report["mean"]["per_class"][label][fig].is_number());
            assert!(report["std"]["per_class"][label][fig].as_f64().unwrap() >= 0.0);
        }
    }
    // --json writes the same document.
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(written, report);
    // The Markdown table shows the same mean.
    let md = run(&["cv", "--data", &data, "--folds", "3", "--min-df", "1"]);
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(md.contains(&format!("| macro F1 | {mean:.4} |")), "{md}");
}

#[test]
fn cv_help_names_only_flags_that_exist() {
    let o = run(&["cv", "--help"]);
    let help = String::from_utf8(o.stdout).unwrap();
    assert!(help.contains("--format"), "{help}");
    for flag in ["--dev", "--alpha-grid"] {
        assert!(!help.contains(flag), "cv has no {flag}: {help}");
    }
    let o = run(&["cv", "--dev", "x.jsonl", "--data", "y.jsonl"]);
    assert_eq!(o.status.code(), Some(2));
}
