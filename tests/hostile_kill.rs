//! An interrupted `train` (SIGKILL mid-run) leaves the previous model intact:
//! after each kill the file at `--out` is either the old model, byte for
//! byte, or a complete new model; never a partial file.

mod support;

use std::path::Path;
use std::process::Stdio;
use std::time::Instant;

use stancekit::model::{StanceModel, Task};
use support::{bin, write};

/// A corpus with a large vocabulary, so training and writing take a moment.
fn big_corpus() -> String {
    let labels = ["conciliatory", "critical", "neutral"];
    let cues = [
        "We welcome the steps taken by {p}",
        "We condemn {p} for this provocation",
        "The delegation from {p} arrives on Tuesday",
    ];
    let parties = ["Russia", "China", "Japan", "Brazil", "Kenya", "France"];
    let mut s = String::new();
    for i in 0..1500 {
        let c = i % 3;
        let p = parties[i % parties.len()];
        let words: Vec<String> = (0..8)
            .map(|k| format!("w{}x{}", (i * 7 + k * 13) % 2500, k))
            .collect();
        let line = serde_json::json!({
            "text": format!("{} {}", cues[c].replace("{p}", p), words.join(" ")),
            "target": p,
            "label": labels[c],
        });
        s.push_str(&format!("{line}\n"));
    }
    s
}

fn train_cmd(data: &str, out: &str) -> std::process::Command {
    let mut c = bin();
    c.args([
        "train",
        "--data",
        data,
        "--out",
        out,
        "--min-df",
        "1",
        "--threads",
        "1",
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::null());
    c
}

/// The file at `path` is the old model or a complete model.
fn assert_intact(path: &Path, old: &[u8], when: &str) {
    let now = std::fs::read(path).unwrap_or_else(|e| panic!("{when}: model gone: {e}"));
    if now == old {
        return;
    }
    StanceModel::load(path).unwrap_or_else(|e| panic!("{when}: partial model left: {e}"));
}

#[test]
fn killed_train_leaves_the_previous_model_intact() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "big.jsonl", big_corpus().as_bytes());
    let model_path = dir.path().join("model.json");
    let out = model_path.display().to_string();

    // One full run, to know how long training takes here.
    let started = Instant::now();
    let status = train_cmd(&data, &out).status().unwrap();
    assert!(status.success());
    let full = started.elapsed();
    let new = std::fs::read(&model_path).unwrap();
    StanceModel::load(&model_path).unwrap();

    let old_model = stancekit::defaults::model(Task::Stance).unwrap();
    for frac in [0.05, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95, 0.99, 1.02] {
        old_model.save(&model_path).unwrap();
        let old = std::fs::read(&model_path).unwrap();
        assert_ne!(old, new);
        let mut child = train_cmd(&data, &out).spawn().unwrap();
        std::thread::sleep(full.mul_f64(frac));
        let _ = child.kill(); // SIGKILL on Unix
        child.wait().unwrap();
        let when = format!("killed at {:.0}% of {full:?}", frac * 100.0);
        assert_intact(&model_path, &old, &when);
        let now = std::fs::read(&model_path).unwrap();
        assert!(
            now == old || now == new,
            "{when}: neither old nor new model"
        );
    }
    // Whatever the kills left behind (temporary files), a later run succeeds
    // and removes them.
    let status = train_cmd(&data, &out).status().unwrap();
    assert!(status.success());
    assert_eq!(std::fs::read(&model_path).unwrap(), new);
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}
