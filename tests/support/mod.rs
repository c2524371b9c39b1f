//! Helpers shared by the end-to-end tests: run the real binary, write
//! inputs into a temporary directory, read JSON Lines output, make a corpus.

#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_stancekit"))
}

/// Runs stancekit with `args` and returns its output.
pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("stancekit runs")
}

/// Standard output and standard error as text.
pub fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Runs stancekit with `args`, feeding `input` on standard input.
pub fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("stancekit runs");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.display().to_string()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every stdout line parsed as JSON (each line must be JSON).
pub fn json_lines(o: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l:?}")))
        .collect()
}

/// No panic message on stderr (a panic exits 101, but say why if it did).
pub fn assert_no_panic(o: &Output) {
    let err = stderr(o);
    assert!(
        !err.contains("panicked") && o.status.code() != Some(101),
        "stancekit panicked: {err}"
    );
}

/// A small separable stance corpus as JSON Lines, `copies` times over.
pub fn corpus(copies: usize) -> String {
    let parties = ["Russia", "China", "Japan", "Brazil", "Kenya", "France"];
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
    let mut s = String::new();
    for c in 0..copies {
        for p in parties {
            for (j, (t, label)) in rows.iter().enumerate() {
                let line = serde_json::json!({
                    "id": format!("{c}-{p}-{j}"),
                    "text": format!("{} (note {c})", t.replace("{p}", p)),
                    "target": p,
                    "label": label,
                });
                s.push_str(&format!("{line}\n"));
            }
        }
    }
    s
}

/// Trains a model on a small corpus into `dir/name` and returns its path.
pub fn train_model(dir: &Path, name: &str) -> String {
    let data = write(dir, &format!("{name}.train.jsonl"), corpus(1).as_bytes());
    let out = dir.join(name).display().to_string();
    let o = run(&["train", "--data", &data, "--out", &out, "--min-df", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    out
}
