//! Hostile labelled data through `train` and `eval`: truncated lines, wrong
//! types, huge fields, a BOM, duplicate keys, in JSON Lines and CSV. A bad
//! record stops the run with `file:line` and exit 2; with `--skip-invalid`
//! it is a warning and the run reports how many records it used and skipped.

mod support;

use support::{assert_no_panic, corpus, run, stderr, train_model, write};

/// Good records plus one of each kind of bad record, as JSON Lines.
fn bad_jsonl() -> (Vec<u8>, usize, usize) {
    let good = corpus(1);
    let n_good = good.lines().count();
    let mut data = b"\xEF\xBB\xBF".to_vec();
    data.extend_from_slice(good.as_bytes());
    let bad: Vec<Vec<u8>> = vec![
        b"{\"text\": \"We condemn Russia\", \"target\": \"Rus".to_vec(),
        b"{\"text\": [\"a\"], \"target\": \"Russia\", \"label\": \"critical\"}".to_vec(),
        b"{\"text\": \"Russia\", \"target\": {\"x\": 1}, \"label\": \"critical\"}".to_vec(),
        b"{\"text\": \"Russia\", \"target\": \"Russia\", \"label\": \"critical\", \"target_start\": \"zero\", \"target_end\": 6}".to_vec(),
        b"{\"text\": \"Russia\", \"target\": \"Russia\", \"label\": \"critical\", \"target_start\": -1, \"target_end\": 6}".to_vec(),
        b"{\"text\": \"Russia\", \"target\": \"Russia\", \"label\": \"critical\", \"target_start\": 0, \"target_end\": 1e400}".to_vec(),
        b"{\"text\": \"Russia\", \"target\": \"Russia\", \"label\": \"critical\", \"target_start\": 3, \"target_end\": 99}".to_vec(),
        format!(
            "{{\"text\": \"{}\", \"target\": \"Russia\", \"label\": \"critical\"}}",
            "Russia ".repeat(1_600_000)
        )
        .into_bytes(),
        b"\0\0\xff\xfe".to_vec(),
        b"\"just a string\"".to_vec(),
        b"{\"text\": \"\", \"target\": \"Russia\", \"label\": \"neutral\"}".to_vec(),
        b"{\"text\": \"x\", \"target\": \"Russia\"}".to_vec(),
    ];
    let n_bad = bad.len();
    for b in bad {
        data.extend_from_slice(&b);
        data.push(b'\n');
    }
    // Duplicate keys: the last one wins, as in most JSON readers.
    data.extend_from_slice(
        b"{\"text\": \"ignored\", \"text\": \"We condemn Russia\", \"target\": \"Russia\", \"label\": \"critical\", \"label\": \"critical\"}\r\n",
    );
    (data, n_good + 1, n_bad)
}

#[test]
fn train_stops_at_the_first_bad_record_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let (data, n_good, _) = bad_jsonl();
    let f = write(dir.path(), "bad.jsonl", &data);
    let out = dir.path().join("m.json").display().to_string();
    let o = run(&["train", "--data", &f, "--out", &out, "--min-df", "1"]);
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let first_bad_line = n_good; // the BOM line counts as line 1
    assert!(
        stderr(&o).contains(&format!("bad.jsonl:{first_bad_line}:")),
        "{}",
        stderr(&o)
    );
    assert!(!std::path::Path::new(&out).exists(), "no model written");
}

#[test]
fn train_and_eval_with_skip_invalid_report_used_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let (data, n_good, n_bad) = bad_jsonl();
    let f = write(dir.path(), "bad.jsonl", &data);
    let out = dir.path().join("m.json").display().to_string();
    let o = run(&[
        "train",
        "--data",
        &f,
        "--out",
        &out,
        "--min-df",
        "1",
        "--skip-invalid",
    ]);
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    let used = n_good; // the good corpus plus the duplicate-key record
    assert!(
        err.contains(&format!("used {used} records, skipped {n_bad} invalid")),
        "{err}"
    );
    for line in n_good..n_good + n_bad {
        assert!(
            err.contains(&format!("bad.jsonl:{line}:")),
            "line {line}: {err}"
        );
    }
    stancekit::model::StanceModel::load(std::path::Path::new(&out)).unwrap();

    let o = run(&["eval", "--model", &out, "--data", &f, "--skip-invalid"]);
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("used {used} records, skipped {n_bad} invalid")),
        "{}",
        stderr(&o)
    );
    let o = run(&["eval", "--model", &out, "--data", &f]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn clean_data_reports_counts_too() {
    let dir = tempfile::tempdir().unwrap();
    let model = train_model(dir.path(), "m.json");
    let f = write(dir.path(), "test.jsonl", corpus(1).as_bytes());
    let o = run(&["eval", "--model", &model, "--data", &f]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let n = corpus(1).lines().count();
    assert!(
        stderr(&o).contains(&format!("used {n} records, skipped 0")),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_label_that_is_a_boolean_or_a_fraction_is_an_error_naming_file_and_line_in_train_and_lint() {
    let dir = tempfile::tempdir().unwrap();
    let n = corpus(1).lines().count();
    for (label, line) in [("true", n + 1), ("1.0", n + 2)] {
        let mut data = corpus(1);
        // `1` is a label ("1", as NewsMTSC's polarity is read); `true` and
        // `1.0` are not: read as text they would be labels of their own.
        data.push_str("{\"text\": \"We condemn Russia\", \"target\": \"Russia\", \"label\": 1}\n");
        if label == "1.0" {
            data.push_str(
                "{\"text\": \"We condemn Japan\", \"target\": \"Japan\", \"label\": 1}\n",
            );
        }
        data.push_str(&format!(
            "{{\"text\": \"We condemn China\", \"target\": \"China\", \"label\": {label}}}\n"
        ));
        let f = write(dir.path(), "labels.jsonl", data.as_bytes());
        let wanted = format!(
            "labels.jsonl:{}: field \"label\" must be a string or a whole number, found {label}",
            line + 1
        );
        let out = dir.path().join("m.json").display().to_string();
        let o = run(&["train", "--data", &f, "--out", &out, "--min-df", "1"]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains(&wanted), "{}", stderr(&o));
        let o = run(&["lint", &f]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(
            out.lines()
                .any(|l| l.trim_start().starts_with("error: ") && l.ends_with(&wanted)),
            "{out}"
        );
    }
}

#[test]
fn eval_unknown_labels_are_counted_when_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let model = train_model(dir.path(), "m.json");
    let mut data = corpus(1);
    data.push_str(
        "{\"text\": \"Russia is fine\", \"target\": \"Russia\", \"label\": \"hostile\"}\n",
    );
    let n = corpus(1).lines().count();
    let f = write(dir.path(), "test.jsonl", data.as_bytes());
    let o = run(&["eval", "--model", &model, "--data", &f]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains(&format!("test.jsonl:{}: unknown label", n + 1)));
    let o = run(&["eval", "--model", &model, "--data", &f, "--skip-invalid"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("used {n} records, skipped 1")),
        "{}",
        stderr(&o)
    );
}

#[test]
fn hostile_csv() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("\u{feff}text,target,label,target,note\n");
    let mut good = 0;
    for line in corpus(1).lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        // A duplicate column: the last one wins.
        csv.push_str(&format!(
            "\"{}\",ignored,{},{},\"a \"\"quoted\"\" note\"\n",
            v["text"].as_str().unwrap(),
            v["label"].as_str().unwrap(),
            v["target"].as_str().unwrap()
        ));
        good += 1;
    }
    csv.push_str("only,two\n");
    csv.push_str(&format!(
        "\"{}\",x,critical,Russia,\n",
        "y".repeat(11 * 1024 * 1024)
    ));
    csv.push_str("\"We condemn Russia\",x,critical,Russia,\"unterminated\n");
    let f = write(dir.path(), "data.csv", csv.as_bytes());
    let out = dir.path().join("m.json").display().to_string();
    let o = run(&["train", "--data", &f, "--out", &out, "--min-df", "1"]);
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("data.csv:{}:", good + 2)),
        "{}",
        stderr(&o)
    );
    let o = run(&[
        "train",
        "--data",
        &f,
        "--out",
        &out,
        "--min-df",
        "1",
        "--skip-invalid",
    ]);
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("used {good} records, skipped 3 invalid")),
        "{err}"
    );
    assert!(err.contains("larger than"), "{err}");
}

#[test]
fn empty_and_binary_data_files_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.json").display().to_string();
    for (name, bytes) in [
        ("empty.jsonl", &b""[..]),
        (
            "junk.jsonl",
            &b"\x00\x01\x02\xff\xfe\n\x89PNG\r\n\x1a\n"[..],
        ),
        ("empty.csv", &b""[..]),
        ("header_only.csv", &b"text,target,label\n"[..]),
        ("junk.csv", &b"\xff\xfe\x00t\x00e\x00x\x00t\n\x00\x01"[..]),
    ] {
        let f = write(dir.path(), name, bytes);
        for skip in [false, true] {
            let mut args = vec!["train", "--data", &f, "--out", &out];
            if skip {
                args.push("--skip-invalid");
            }
            let o = run(&args);
            assert_no_panic(&o);
            assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
            assert!(stderr(&o).contains(name), "{name}: {}", stderr(&o));
        }
    }
    let missing = dir.path().join("nope.jsonl").display().to_string();
    let o = run(&["train", "--data", &missing, "--out", &out]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!std::path::Path::new(&out).exists());
}
