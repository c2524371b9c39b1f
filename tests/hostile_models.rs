//! Hostile model files through `--model`: truncated, wrong version, weights
//! of the wrong shape, non-finite numbers, junk. Each is an error naming the
//! file (exit 2), never a panic, for every command that loads a model.
//! Edited files are resealed with a fresh checksum, so that each invariant
//! behind the checksum is tested too (`model_integrity.rs` tests the seal).

mod support;

use stancekit::model::checksum;
use support::{assert_no_panic, run, stderr, train_model, write};

/// Edits a model file's JSON and seals the result with a matching checksum.
fn edited(model: &serde_json::Value, f: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let mut m = model.clone();
    m.as_object_mut().unwrap().remove("checksum");
    f(&mut m);
    checksum::seal(&m.to_string()).into_bytes()
}

#[test]
fn bad_model_files_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let good_path = train_model(dir.path(), "good.json");
    let good_bytes = std::fs::read(&good_path).unwrap();
    let good: serde_json::Value = serde_json::from_slice(&good_bytes).unwrap();
    let text = String::from_utf8(good_bytes.clone()).unwrap();
    let mut cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", Vec::new(), "truncated"),
        (
            "truncated_half",
            good_bytes[..good_bytes.len() / 2].to_vec(),
            "truncated",
        ),
        (
            "truncated_one",
            good_bytes[..good_bytes.len() - 2].to_vec(),
            "truncated",
        ),
        ("binary", b"\x89PNG\r\n\x1a\n\0\0\xff".to_vec(), "not UTF-8"),
        (
            "json_array",
            b"[1, 2, 3]".to_vec(),
            "not a valid model file",
        ),
        (
            "nan_literal",
            text.replacen("\"idf\":[", "\"idf\":[NaN,", 1).into_bytes(),
            "not a valid model file",
        ),
        (
            "inf_literal",
            text.replacen("\"intercepts\":[", "\"intercepts\":[Infinity,", 1)
                .into_bytes(),
            "not a valid model file",
        ),
        (
            "overflow",
            text.replacen("\"intercepts\":[", "\"intercepts\":[1e999,", 1)
                .into_bytes(),
            "not a valid model file",
        ),
    ];
    cases.push((
        "wrong_format",
        edited(&good, |m| m["format"] = "sklearn".into()),
        "not a stancekit model",
    ));
    cases.push((
        "wrong_version",
        edited(&good, |m| m["version"] = 99.into()),
        "version 99",
    ));
    cases.push((
        "negative_version",
        edited(&good, |m| m["version"] = (-1).into()),
        "not a valid model file",
    ));
    cases.push((
        "wrong_task",
        edited(&good, |m| m["task"] = "emotion".into()),
        "not a valid model file",
    ));
    cases.push((
        "short_weights",
        edited(&good, |m| {
            m["weights"][0].as_array_mut().unwrap().pop();
        }),
        "weight vector",
    ));
    cases.push((
        "extra_label_row",
        edited(&good, |m| {
            let row = m["weights"][0].clone();
            m["weights"].as_array_mut().unwrap().push(row);
        }),
        "do not match",
    ));
    cases.push((
        "missing_intercept",
        edited(&good, |m| {
            m["intercepts"].as_array_mut().unwrap().pop();
        }),
        "do not match",
    ));
    cases.push((
        "short_idf",
        edited(&good, |m| {
            m["idf"].as_array_mut().unwrap().pop();
        }),
        "idf has",
    ));
    cases.push((
        "weights_not_numbers",
        edited(&good, |m| m["weights"][0][0] = "x".into()),
        "not a valid model file",
    ));
    cases.push((
        "null_weight",
        edited(&good, |m| m["weights"][1][0] = serde_json::Value::Null),
        "not a valid model file",
    ));
    cases.push((
        "weights_flat",
        edited(&good, |m| m["weights"] = serde_json::json!([1.0, 2.0])),
        "not a valid model file",
    ));
    cases.push((
        "one_label",
        edited(&good, |m| {
            m["labels"] = serde_json::json!(["critical"]);
            m["weights"].as_array_mut().unwrap().truncate(1);
            m["intercepts"].as_array_mut().unwrap().truncate(1);
        }),
        "at least two labels",
    ));
    cases.push((
        "duplicate_labels",
        edited(&good, |m| m["labels"][1] = m["labels"][0].clone()),
        "duplicate labels",
    ));
    cases.push((
        "unsorted_vocab",
        edited(&good, |m| m["vocab"].as_array_mut().unwrap().reverse()),
        "not sorted",
    ));
    cases.push((
        "ngram_zero",
        edited(&good, |m| m["features"]["ngram_max"] = 0.into()),
        "ngram_max",
    ));
    cases.push((
        "ngram_huge",
        edited(&good, |m| m["features"]["ngram_max"] = u64::MAX.into()),
        "ngram_max",
    ));
    for (name, bytes, wanted) in &cases {
        let p = write(dir.path(), &format!("{name}.json"), bytes);
        let a = write(dir.path(), "a.txt", b"\"We condemn Moscow,\" Blinken said.");
        let runs: [Vec<&str>; 3] = [
            vec![
                "classify",
                "--model",
                &p,
                "--text",
                "We condemn Moscow",
                "--target",
                "Russia",
            ],
            vec!["eval", "--model", &p, "--data", &good_path],
            vec!["predict", "--model", &p, &a],
        ];
        for args in runs {
            let o = run(&args);
            assert_no_panic(&o);
            assert_eq!(
                o.status.code(),
                Some(2),
                "{name} {}: {}",
                args[0],
                stderr(&o)
            );
            let err = stderr(&o);
            assert!(
                err.contains(&format!("{name}.json")),
                "{name} {}: {err}",
                args[0]
            );
            assert!(
                err.contains(wanted),
                "{name} {}: wanted {wanted:?}: {err}",
                args[0]
            );
        }
    }
}

/// Every weight of `model` set to `w`, alternating in sign, and the
/// intercepts to `b`, -`b`, `b`.
fn with_weights(model: &serde_json::Value, w: f64, b: f64) -> Vec<u8> {
    edited(model, |m| {
        for row in m["weights"].as_array_mut().unwrap() {
            for (i, x) in row.as_array_mut().unwrap().iter_mut().enumerate() {
                *x = if i % 2 == 0 { w } else { -w }.into();
            }
        }
        m["intercepts"] = serde_json::json!([b, -b, b]);
    })
}

/// The three commands that load a model, run on `model`.
fn model_runs<'a>(dir: &std::path::Path, model: &'a str, data: &'a str) -> [Vec<String>; 3] {
    let a = write(
        dir,
        "a.txt",
        b"\"We condemn Moscow and welcome Beijing,\" Blinken said.",
    );
    [
        vec![
            "classify",
            "--model",
            model,
            "--text",
            "We condemn Russia and China",
            "--target",
            "Russia",
        ],
        vec!["predict", "--model", model, &a],
        vec!["eval", "--model", model, "--data", data],
    ]
    .map(|args| args.into_iter().map(String::from).collect())
}

#[test]
fn a_model_whose_scores_could_overflow_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let good_path = train_model(dir.path(), "good.json");
    let good: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&good_path).unwrap()).unwrap();
    let cases = [
        (
            "huge_weights",
            with_weights(&good, 1.7e308, 1.7e308),
            "weights too large",
        ),
        (
            "huge_intercept",
            with_weights(&good, 0.0, 1.7e308),
            "weights too large",
        ),
        // Each weight is harmless alone; their sum for one label is not.
        (
            "weights_summing_past_max",
            with_weights(&good, 1e305, 0.0),
            "weights too large",
        ),
        (
            "huge_idf",
            edited(&good, |m| m["idf"][0] = 1e200.into()),
            "IDF",
        ),
    ];
    for (name, bytes, wanted) in cases {
        let p = write(dir.path(), &format!("{name}.json"), &bytes);
        for args in model_runs(dir.path(), &p, &good_path) {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let o = run(&args);
            assert_no_panic(&o);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{name} {}: {err}", args[0]);
            assert!(
                err.contains(&format!("{name}.json")) && err.contains(wanted),
                "{name} {}: wanted {wanted:?}: {err}",
                args[0]
            );
        }
    }
}

#[test]
fn the_largest_weights_a_model_may_hold_give_finite_probabilities() {
    let dir = tempfile::tempdir().unwrap();
    let good_path = train_model(dir.path(), "good.json");
    let good: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&good_path).unwrap()).unwrap();
    // Just under the load-time bound: every label's |intercept| + sum |w|
    // is 0.99e300, so scores of +-1e300 can meet in one softmax.
    let n = good["vocab"].as_array().unwrap().len() as f64;
    let bytes = with_weights(&good, 0.9e300 / n, 0.09e300);
    let p = write(dir.path(), "large.json", &bytes);
    let data = format!("{good_path}.train.jsonl");
    for args in model_runs(dir.path(), &p, &data) {
        let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
        match args[0] {
            "classify" => args.push("--json"),
            "eval" => args.extend(["--format", "json"]),
            _ => {}
        }
        let o = run(&args);
        assert_no_panic(&o);
        let out = String::from_utf8_lossy(&o.stdout).to_lowercase();
        assert_eq!(o.status.code(), Some(0), "{}: {}", args[0], stderr(&o));
        assert!(!out.contains("nan"), "{}: {out}", args[0]);
        if args[0] != "eval" {
            assert!(out.contains("\"probs\":{"), "{}: {out}", args[0]);
        }
    }
}

#[test]
fn predict_refuses_a_stance_model_with_other_labels_naming_the_file_and_the_labels() {
    let dir = tempfile::tempdir().unwrap();
    // NewsMTSC-style polarity instead of the stance labels.
    let polarity = support::corpus(1)
        .replace("\"conciliatory\"", "1")
        .replace("\"critical\"", "-1")
        .replace("\"neutral\"", "0");
    let data = write(dir.path(), "polarity.jsonl", polarity.as_bytes());
    let model = dir.path().join("polarity.json").display().to_string();
    let o = run(&["train", "--data", &data, "--out", &model, "--min-df", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let a = write(dir.path(), "a.txt", b"\"We condemn Moscow,\" Blinken said.");
    let o = run(&["predict", "--model", &model, &a]);
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        o.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let err = stderr(&o);
    assert!(
        err.contains("polarity.json: predict needs a stance model with the labels conciliatory, critical, neutral; this one has -1, 0, 1"),
        "{err}"
    );
    // classify and eval do not need the labels' meaning.
    let o = run(&[
        "classify",
        "--model",
        &model,
        "--text",
        "We condemn Russia",
        "--target",
        "Russia",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(&["eval", "--model", &model, "--data", &data]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}
