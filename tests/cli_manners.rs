//! Unix manners: a reader that goes away (`stancekit ... | head -1`) ends a
//! command quietly with success, as ripgrep does (no panic, no "Broken
//! pipe" error); an error names the file once.

use std::io::Read;
use std::process::{Command, Stdio};

/// Runs stancekit with `args`, reads a few bytes of its output, closes the
/// pipe and returns the exit code and what it wrote to stderr.
fn closed_early(args: &[&str]) -> (Option<i32>, String) {
    let mut child = spawn_piped(args);
    let mut first = [0u8; 16];
    child
        .stdout
        .take()
        .unwrap()
        .read_exact(&mut first)
        .expect("some output");
    // stdout is dropped here: the reader has gone away.
    exit_and_stderr(child)
}

/// stancekit with `args`, run from the repository root, its stdout and
/// stderr piped to this test.
fn spawn_piped(args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_stancekit"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("stancekit runs")
}

fn exit_and_stderr(child: std::process::Child) -> (Option<i32>, String) {
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

/// Runs `stancekit ARGS` from the repository root through `sh`, with
/// `redirect` applied to its stdout (`>&-` closes it).
fn with_stdout(redirect: &str, args: &str) -> std::process::Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("exec \"$0\" {args} {redirect}"))
        .arg(env!("CARGO_BIN_EXE_stancekit"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

#[cfg(unix)]
#[test]
fn a_closed_stdout_is_an_error_not_a_silent_success() {
    for args in [
        "predict tests/articles",
        "extract tests/articles/01_japan_korea_summit.txt",
        "classify --text 'We condemn Moscow' --target Russia",
        "man",
    ] {
        let out = with_stdout(">&-", args);
        assert_eq!(out.status.code(), Some(2), "{args}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("standard output is closed"), "{args}: {err}");
    }
    // /dev/null is somewhere to write: the output is thrown away on purpose.
    let out = with_stdout(">/dev/null", "predict tests/articles");
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn too_many_threads_are_refused_with_the_limit_before_any_work() {
    for args in [
        &["predict", "--threads", "100000", "tests/articles"][..],
        &["extract", "--threads", "100000", "tests/articles"],
        &[
            "train",
            "--threads",
            "100000",
            "--data",
            "x.jsonl",
            "--out",
            "m.json",
        ],
        &["cv", "--threads", "100000", "--data", "x.jsonl"],
        &["predict", "--threads", "0", "tests/articles"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_stancekit"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("--threads") && err.contains("at most 256"),
            "{args:?}: {err}"
        );
    }
    let out = Command::new(env!("CARGO_BIN_EXE_stancekit"))
        .args(["predict", "--threads", "256"])
        .arg("tests/articles/01_japan_korea_summit.txt")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "256 threads are allowed");
}

#[test]
fn no_progress_bar_is_drawn_when_stderr_is_not_a_terminal() {
    // A single large JSON Lines input is where a bar by bytes would show.
    let dir = tempfile::tempdir().unwrap();
    let mut jsonl = String::new();
    for i in 0..300 {
        let text = format!("\"We welcome the talks with Moscow,\" Wang Yi said on day {i}.");
        jsonl.push_str(&format!("{}\n", serde_json::json!({"id": i, "text": text})));
    }
    let path = dir.path().join("many.jsonl");
    std::fs::write(&path, jsonl).unwrap();
    for cmd in ["predict", "extract"] {
        let out = Command::new(env!("CARGO_BIN_EXE_stancekit"))
            .args([cmd, path.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        assert!(
            out.stderr.is_empty(),
            "{cmd}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn completion_scripts_name_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = Command::new(env!("CARGO_BIN_EXE_stancekit"))
            .args(["completions", shell])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        for sub in [
            "predict", "extract", "dyads", "train", "eval", "cv", "lint", "classify", "suggest",
        ] {
            assert!(script.contains(sub), "{shell}: {sub}");
        }
        assert!(script.contains("--min-prob"), "{shell}: flags too");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_stancekit"))
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

#[test]
fn the_man_page_lists_the_subcommands_and_a_subcommand_page_its_flags() {
    let man = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_stancekit"))
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, page, _) = man(&["man"]);
    assert_eq!(code, Some(0));
    assert!(
        page.starts_with(".ie") || page.contains(".TH stancekit"),
        "{page}"
    );
    for sub in [
        "predict", "extract", "dyads", "train", "eval", "cv", "lint", "classify", "suggest",
    ] {
        assert!(page.contains(sub), "{sub}: {page}");
    }
    let (code, page, _) = man(&["man", "predict"]);
    assert_eq!(code, Some(0));
    assert!(page.contains(".TH stancekit-predict"), "{page}");
    assert!(page.contains("min\\-prob"), "{page}");
    let (code, _, err) = man(&["man", "predictt"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("predictt") && err.contains("predict,"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = man(&["man", "--dir", dir.path().to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    for page in ["stancekit.1", "stancekit-predict.1", "stancekit-man.1"] {
        let roff = std::fs::read_to_string(dir.path().join(page)).unwrap();
        assert!(roff.contains(".TH"), "{page}");
    }
}

/// Runs stancekit with `args` and a reader that has gone before the first
/// byte is written: the read end of the pipe is closed right after start.
fn nobody_reads(args: &[&str]) -> (Option<i32>, String) {
    let mut child = spawn_piped(args);
    drop(child.stdout.take());
    exit_and_stderr(child)
}

#[test]
fn every_subcommand_that_writes_to_stdout_ends_quietly_when_nobody_reads() {
    let dir = std::env::temp_dir().join(format!("stancekit-nobody-reads-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let predictions = dir.join("p.jsonl");
    let out = Command::new(env!("CARGO_BIN_EXE_stancekit"))
        .args(["predict", "tests/articles"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    std::fs::write(&predictions, &out.stdout).unwrap();
    // A small labelled file, so that cv's five trainings are quick.
    let dev = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("labeled/dev.jsonl"),
    )
    .unwrap();
    let small = dir.join("small.jsonl");
    std::fs::write(&small, dev.lines().take(300).collect::<Vec<_>>().join("\n")).unwrap();
    let p = predictions.to_str().unwrap();
    let s = small.to_str().unwrap();
    let cases: Vec<Vec<&str>> = vec![
        vec!["predict", "tests/articles"],
        vec!["extract", "tests/articles"],
        vec![
            "classify",
            "--text",
            "We condemn Russia",
            "--target",
            "Russia",
        ],
        vec!["eval", "--task", "stance", "--data", "labeled/test.jsonl"],
        vec!["cv", "--data", s, "--folds", "2"],
        vec!["lint", "labeled/dev.jsonl"],
        vec!["dyads", p],
        vec!["suggest", p, "--n", "20"],
        vec!["suggest", p, "--format", "label-studio"],
        vec!["classify", "--data", "labeled/dev.jsonl"],
        vec!["classify", "--data", "labeled/dev.jsonl", "--format", "csv"],
        vec!["completions", "bash"],
        vec!["man"],
    ];
    for args in cases {
        let (code, stderr) = nobody_reads(&args);
        assert!(
            !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
            "{args:?}: {stderr}"
        );
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
    }
    std::fs::remove_dir_all(&dir).ok();
}
