//! `stancekit lint` end to end, on small files written by the test: exit
//! status 0 / 1 / 2, messages that name file:line, requirements PASS/FAIL.

use std::path::Path;

mod support;

use support::{run as stancekit, text};

fn row(id: &str, text: &str, target: &str, label: &str, hard: &str) -> String {
    let speaker = format!("Speaker {id}");
    format!(
        "{}\n",
        serde_json::json!({"id": id, "text": text, "target": target, "label": label,
            "sentiment": "neutral", "speaker": speaker, "speaker_party": "Chile",
            "topic": "trade", "hard": hard})
    )
}

/// Two small, clean files: balanced labels, no shared quotes.
fn write_clean(dir: &Path) -> (String, String) {
    let train = row(
        "a-1",
        "We thank Japan for its help and reject the demands from Beijing.",
        "Japan",
        "conciliatory",
        "mixed",
    ) + &row(
        "a-2",
        "We thank Japan for its help and reject the demands from Beijing.",
        "China",
        "critical",
        "mixed,metonym",
    ) + &row(
        "b-1",
        "The delegation from Peru arrives on Tuesday for the second round.",
        "Peru",
        "neutral",
        "",
    );
    let test = row(
        "c-1",
        "Brazil has been a generous partner throughout the crisis.",
        "Brazil",
        "conciliatory",
        "",
    ) + &row(
        "d-1",
        "Caracas must withdraw its troops from the border at once.",
        "Venezuela",
        "critical",
        "metonym",
    ) + &row(
        "e-1",
        "Officials from Kenya attended the meeting in Geneva on Monday.",
        "Kenya",
        "neutral",
        "",
    );
    let (a, b) = (dir.join("train.jsonl"), dir.join("test.jsonl"));
    std::fs::write(&a, train).unwrap();
    std::fs::write(&b, test).unwrap();
    (a.display().to_string(), b.display().to_string())
}

#[test]
fn clean_small_files_pass_with_failed_requirements_unless_strict() {
    let dir = tempfile::tempdir().unwrap();
    let (train, test) = write_clean(dir.path());
    let o = stancekit(&["lint", &train, &test]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(out.contains("Problems: 0 errors, 0 warnings"), "{out}");
    let line = |name: &str| {
        out.lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("no {name:?} line in {out}"))
            .to_string()
    };
    assert!(line("rows  ").trim_start().starts_with("FAIL"), "{out}");
    assert!(line("speakers").trim_start().starts_with("FAIL"), "{out}");
    assert!(line("label neutral").contains("33.3% (2 of 6)"), "{out}");
    assert!(
        line("label neutral").trim_start().starts_with("PASS"),
        "{out}"
    );
    assert!(
        line("quotes with 2+ targets").contains("20.0% (1 of 5)"),
        "{out}"
    );
    assert!(
        line("of which with different labels").contains("PASS"),
        "{out}"
    );
    assert!(line("hard-case rows").contains("50.0% (3 of 6)"), "{out}");
    assert!(line("hard-case quotes").contains("40.0% (2 of 5)"), "{out}");
    assert!(line("no quote in two files").contains("PASS"), "{out}");
    assert!(out.contains("ok: 0 errors, 0 warnings"), "{out}");

    let o = stancekit(&["lint", "--strict", &train, &test]);
    assert_eq!(o.status.code(), Some(1), "{:?}", text(&o));
}

#[test]
fn duplicate_across_files_fails_naming_both_places() {
    let dir = tempfile::tempdir().unwrap();
    let (train, test) = write_clean(dir.path());
    // The third row of train again in test, with different punctuation.
    let mut extra = std::fs::read_to_string(&test).unwrap();
    extra += &row(
        "f-1",
        "The delegation from PERU arrives on TUESDAY for the second round!!",
        "Peru",
        "neutral",
        "",
    );
    std::fs::write(&test, extra).unwrap();
    let o = stancekit(&["lint", &train, &test]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(
        out.contains(&format!(
            "error: {test}:4: duplicate row: same text and target \"Peru\" as {train}:3"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "error: {test}:4: leakage: the same quote (after normalisation) is in {train}:3"
        )),
        "{out}"
    );
    assert!(out.contains("FAIL  no quote in two files"), "{out}");

    let o = stancekit(&["lint", "--format", "json", &train, &test]);
    assert_eq!(o.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["errors"], 2, "{report}");
    assert_eq!(report["problems"][0]["file"], test.as_str());
    assert_eq!(report["problems"][0]["line"], 4);
    assert_eq!(report["total"]["rows"], 7);
}

#[test]
fn schema_errors_read_as_train_reports_them_and_all_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.jsonl");
    let good = row("a-1", "Chile votes on Sunday.", "Chile", "neutral", "");
    std::fs::write(
        &bad,
        format!(
            "{good}{{\"text\": \"No target here\", \"label\": \"neutral\"}}\n{}{{broken\n",
            row("a-2", "Peru is a friend.", "Peru", "friendly", "")
        ),
    )
    .unwrap();
    let bad = bad.display().to_string();
    let o = stancekit(&["lint", &bad]);
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let missing = format!("error: {bad}:2: missing field \"target\"");
    assert!(out.contains(&missing), "{out}");
    assert!(
        out.contains(&format!(
            "error: {bad}:3: label \"friendly\" is not one of conciliatory, critical, neutral"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("error: {bad}:4: invalid JSON")),
        "{out}"
    );

    // train stops at the first bad record with the same message.
    let model = dir.path().join("m.json").display().to_string();
    let o = stancekit(&["train", "--data", &bad, "--out", &model]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(err.contains(&missing), "{err}");
}

#[test]
fn unreadable_file_and_bad_usage_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.jsonl").display().to_string();
    let o = stancekit(&["lint", &missing]);
    assert_eq!(o.status.code(), Some(2), "{:?}", text(&o));
    assert!(text(&o).1.contains("nope.jsonl"));

    let (train, _) = write_clean(dir.path());
    let o = stancekit(&["lint", &train, &train]);
    assert_eq!(o.status.code(), Some(2), "{:?}", text(&o));
    let o = stancekit(&["lint", "--near-duplicate-threshold", "0", &train]);
    assert_eq!(o.status.code(), Some(2), "{:?}", text(&o));
    let o = stancekit(&["lint"]);
    assert_eq!(o.status.code(), Some(2), "{:?}", text(&o));
}

#[test]
fn near_duplicates_warn_without_failing() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("a.jsonl");
    let a = "We will not accept any new tariffs on our steel exports and we expect Washington to reconsider this decision before the summit next month.";
    let b = "We will not accept any new tariffs on our steel exports and we expect Washington to reconsider this decision before the summit next week.";
    std::fs::write(
        &f,
        row("a-1", a, "United States", "critical", "metonym")
            + &row("b-1", b, "United States", "critical", "metonym"),
    )
    .unwrap();
    let f = f.display().to_string();
    let o = stancekit(&["lint", &f]);
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains(&format!(
            "warning: {f}:2: near-duplicate of {f}:1 (word 3-shingle Jaccard 0.91)"
        )),
        "{out}"
    );
}
