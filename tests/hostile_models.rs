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

#[test]
fn huge_but_finite_weights_do_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    let good_path = train_model(dir.path(), "good.json");
    let good: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&good_path).unwrap()).unwrap();
    let bytes = edited(&good, |m| {
        for row in m["weights"].as_array_mut().unwrap() {
            for (i, w) in row.as_array_mut().unwrap().iter_mut().enumerate() {
                *w = if i % 2 == 0 { 1.7e308 } else { -1.7e308 }.into();
            }
        }
        m["intercepts"] = serde_json::json!([1.7e308, -1.7e308, 1.7e308]);
    });
    let p = write(dir.path(), "huge.json", &bytes);
    let a = write(
        dir.path(),
        "a.txt",
        b"\"We condemn Moscow and welcome Beijing,\" Blinken said.",
    );
    for args in [
        vec![
            "classify",
            "--model",
            &p,
            "--text",
            "We condemn Russia and China",
            "--target",
            "Russia",
        ],
        vec!["predict", "--model", &p, &a],
        vec!["eval", "--model", &p, "--data", &good_path],
    ] {
        let o = run(&args);
        assert_no_panic(&o);
    }
}
