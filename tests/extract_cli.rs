//! The `stancekit extract` command: input order, failures as records, exit
//! codes, lossy decoding, size bound, JSON Lines input and table output.

use std::io::Write;
use std::process::{Command, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_stancekit"))
}

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p.display().to_string()
}

fn lines(out: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

#[test]
fn one_record_per_input_in_order_with_failures_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(
        &dir,
        "a.txt",
        b" date 2025-01-02 - Talks with Sergei Lavrov. Headline\n\n\"We agree,\" Lavrov said.",
    );
    let missing = dir.path().join("missing.txt").display().to_string();
    let c = write(&dir, "c.txt", b"No quotes here.");
    let out = bin().args(["extract", &a, &missing, &c]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let recs = lines(&out.stdout);
    assert_eq!(recs.len(), 3);
    assert_eq!(recs[0]["article"], a.as_str());
    assert_eq!(recs[0]["date"], "2025-01-02");
    assert_eq!(recs[0]["quotes"][0]["speaker"], "Sergei Lavrov");
    assert!(recs[1]["error"].as_str().unwrap().contains("missing.txt"));
    assert_eq!(recs[2]["quotes"].as_array().unwrap().len(), 0);
    assert!(recs[2].get("error").is_none());
}

#[test]
fn invalid_utf8_is_decoded_lossily_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(&dir, "bad.txt", b"\"Caf\xe9 talks,\" Lavrov said.");
    let out = bin().args(["extract", &a]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.txt") && err.contains("UTF-8"), "{err}");
    let recs = lines(&out.stdout);
    assert_eq!(recs[0]["quotes"][0]["text"], "Caf\u{fffd} talks,");
}

#[test]
fn oversized_article_is_an_error_record() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(&dir, "big.txt", &vec![b'x'; 2000]);
    let out = bin()
        .args(["extract", "--max-article-bytes", "1000", &a])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let recs = lines(&out.stdout);
    assert!(recs[0]["error"]
        .as_str()
        .unwrap()
        .contains("max-article-bytes"));
}

#[test]
fn jsonl_from_stdin_keeps_ids_and_reports_bad_lines() {
    let mut child = bin()
        .args(["extract", "--input-format", "jsonl", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"{\"id\": \"x1\", \"text\": \"\\\"Fine,\\\" Lavrov said.\", \"date\": \"2024-05-06\"}\nnot json\n\n{\"id\": 7, \"text\": \"Nothing.\"}\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let recs = lines(&out.stdout);
    assert_eq!(recs.len(), 3);
    assert_eq!(recs[0]["article"], "x1");
    assert_eq!(recs[0]["date"], "2024-05-06");
    assert_eq!(recs[1]["article"], "<stdin>:2");
    assert!(recs[1]["error"].as_str().unwrap().starts_with("<stdin>:2:"));
    assert_eq!(recs[2]["article"], "7");
}

#[test]
fn table_format_is_readable() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(&dir, "a.txt", b"\"We agree,\" Sergei Lavrov told Reuters.");
    let out = bin()
        .args(["extract", "--format", "table", &a])
        .output()
        .unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(
        s.contains("SPEAKER") && s.contains("Sergei Lavrov") && s.contains("Reuters"),
        "{s}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let out = bin()
        .args(["extract", "--format", "xml", "a.txt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let dir = tempfile::tempdir().unwrap();
    let bad = write(&dir, "p.toml", b"[[party]]\nname = 3\n");
    let a = write(&dir, "a.txt", b"text");
    let out = bin()
        .args(["extract", "--parties", &bad, &a])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("p.toml"), "{err}");
}

#[test]
fn help_describes_the_output() {
    let out = bin().args(["extract", "--help"]).output().unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(
        s.contains("--input-format") && s.contains("speaker_party") && s.contains("Exit status")
    );
}
