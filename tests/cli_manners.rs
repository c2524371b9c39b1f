//! Unix manners: a reader that goes away (`stancekit ... | head -1`) ends a
//! command quietly with success, as ripgrep does (no panic, no "Broken
//! pipe" error); an error names the file once.

use std::io::Read;
use std::process::{Command, Stdio};

/// Runs stancekit with `args`, reads a few bytes of its output, closes the
/// pipe and returns the exit code and what it wrote to stderr.
fn closed_early(args: &[&str]) -> (Option<i32>, String) {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut child = Command::new(env!("CARGO_BIN_EXE_stancekit"))
        .args(args)
        .current_dir(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("stancekit runs");
    let mut first = [0u8; 16];
    child
        .stdout
        .take()
        .unwrap()
        .read_exact(&mut first)
        .expect("some output");
    // stdout is dropped here: the reader has gone away.
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_command_that_writes_much_stops_quietly_when_the_reader_goes() {
    // Each writes far more than a pipe holds (64 KB), so the write after
    // the reader has gone fails for sure.
    for args in [
        &[
            "predict",
            "tests/articles",
            "tests/articles",
            "tests/articles",
            "tests/articles",
        ][..],
        &[
            "extract",
            "tests/articles",
            "tests/articles",
            "tests/articles",
            "tests/articles",
            "tests/articles",
        ],
        &[
            "predict",
            "--format",
            "table",
            "tests/articles",
            "tests/articles",
            "tests/articles",
            "tests/articles",
        ],
    ] {
        let (code, stderr) = closed_early(args);
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        assert!(
            !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn a_missing_file_is_named_once_with_its_reason_once() {
    let out = Command::new(env!("CARGO_BIN_EXE_stancekit"))
        .args(["eval", "--data", "no/such/file.jsonl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no/such/file.jsonl"), "{err}");
    assert_eq!(err.matches("os error 2").count(), 1, "{err}");
}

#[test]
fn classify_reads_the_statement_from_stdin_when_text_is_a_dash() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_stancekit"))
        .args(["classify", "--text", "-", "--target", "Russia", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"We condemn Moscow's reckless strikes on our cities.\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let direct = Command::new(env!("CARGO_BIN_EXE_stancekit"))
        .args([
            "classify",
            "--text",
            "We condemn Moscow's reckless strikes on our cities.",
            "--target",
            "Russia",
            "--json",
        ])
        .output()
        .unwrap();
    // The same statement, not the string "-".
    assert_eq!(out.stdout, direct.stdout);
}
