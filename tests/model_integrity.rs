//! A model file carries a checksum of its text (format version 2): any edit
//! or damage is an error naming the file, for every command that loads a
//! model; an untouched file loads; a version 1 file, which has no checksum,
//! still loads with a one-line warning naming it.

mod support;

use stancekit::model::StanceModel;
use support::{assert_no_panic, corpus, run, stderr, train_model, write};

/// Runs classify, eval and predict with `--model model`.
fn run_all(dir: &std::path::Path, model: &str) -> Vec<std::process::Output> {
    let a = write(dir, "a.txt", b"\"We condemn Moscow,\" Blinken said.");
    let data = write(dir, "data.jsonl", corpus(1).as_bytes());
    let runs: [Vec<&str>; 3] = [
        vec![
            "classify",
            "--model",
            model,
            "--text",
            "We condemn Moscow",
            "--target",
            "Russia",
        ],
        vec!["eval", "--model", model, "--data", &data],
        vec!["predict", "--model", model, &a],
    ];
    runs.iter().map(|args| run(args)).collect()
}

/// Every command refuses `bytes` as a model, naming the file and saying `wanted`.
fn assert_refused(name: &str, bytes: &[u8], wanted: &str) {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), &format!("{name}.json"), bytes);
    for (cmd, o) in ["classify", "eval", "predict"]
        .iter()
        .zip(run_all(dir.path(), &p))
    {
        assert_no_panic(&o);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{name} {cmd}: {err}");
        assert!(
            err.contains(&format!("{name}.json: {wanted}")),
            "{name} {cmd}: wanted {wanted:?}: {err}"
        );
    }
}

/// A freshly trained model file's text.
fn trained() -> String {
    let dir = tempfile::tempdir().unwrap();
    let p = train_model(dir.path(), "m.json");
    std::fs::read_to_string(p).unwrap()
}

/// The byte range of a JSON member's value in the compact text.
fn member(text: &str, key: &str) -> std::ops::Range<usize> {
    let start = text.find(&format!("\"{key}\":")).unwrap() + key.len() + 3;
    let end = start + text[start..].find("],\"").unwrap();
    start..end
}

const MISMATCH: &str = "checksum mismatch: the file was edited or damaged; retrain it";

#[test]
fn a_model_with_a_flipped_digit_in_a_weight_is_an_error_naming_the_file() {
    let text = trained();
    let weights = member(&text, "weights");
    // The first digit after a decimal point: flipped, still a number.
    let at = weights.start + text[weights].find('.').unwrap() + 1;
    let mut bytes = text.into_bytes();
    assert!(bytes[at].is_ascii_digit());
    bytes[at] ^= 1; // 0<->1, 2<->3, ..., 8<->9
    assert_refused("flipped_digit", &bytes, MISMATCH);
}

#[test]
fn a_model_with_a_flipped_letter_in_a_vocabulary_string_is_an_error_naming_the_file() {
    let text = trained();
    let vocab = member(&text, "vocab");
    // A letter of the last vocabulary entry made a later letter (one whose
    // bit 1 is clear gains 2: a->c, d->f, ...): the vocabulary stays sorted,
    // so only the checksum can tell.
    let at = vocab.start
        + text[vocab]
            .rfind(|c: char| c.is_ascii_lowercase() && c <= 'x' && c as u8 & 2 == 0)
            .unwrap();
    let mut bytes = text.into_bytes();
    bytes[at] ^= 2;
    assert!(bytes[at].is_ascii_lowercase());
    assert_refused("flipped_letter", &bytes, MISMATCH);
}

#[test]
fn a_model_with_two_labels_swapped_is_an_error_naming_the_file() {
    let text = trained();
    let swapped = text.replacen(
        "\"labels\":[\"conciliatory\",\"critical\",",
        "\"labels\":[\"critical\",\"conciliatory\",",
        1,
    );
    assert_ne!(swapped, text);
    assert_refused("swapped_labels", swapped.as_bytes(), MISMATCH);
}

#[test]
fn a_version_2_model_without_its_checksum_is_an_error_naming_the_file() {
    let text = trained();
    let at = text.rfind(",\"checksum\":").unwrap();
    let stripped = format!("{}}}\n", &text[..at]);
    assert_refused("no_checksum", stripped.as_bytes(), "no checksum");
}

#[test]
fn a_model_whose_checksum_was_moved_is_an_error_naming_the_file() {
    let text = trained();
    let at = text.rfind(",\"checksum\":").unwrap();
    let member = &text[at + 1..text.len() - 2];
    let moved = format!("{{{member},{}}}\n", &text[1..at]);
    assert_refused("moved_checksum", moved.as_bytes(), MISMATCH);
}

#[test]
fn an_untouched_model_loads_without_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let p = train_model(dir.path(), "m.json");
    for o in run_all(dir.path(), &p) {
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    }
}

#[test]
fn a_version_1_model_loads_with_a_one_line_warning_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = train_model(dir.path(), "m.json");
    let text = std::fs::read_to_string(&p).unwrap();
    let at = text.rfind(",\"checksum\":").unwrap();
    let v1 = format!("{}}}\n", &text[..at]).replacen("\"version\":2,", "\"version\":1,", 1);
    let old = write(dir.path(), "old.json", v1.as_bytes());
    let classify = |m: &str| {
        run(&[
            "classify",
            "--model",
            m,
            "--text",
            "We condemn Moscow",
            "--target",
            "Russia",
            "--json",
        ])
    };
    let (new, o) = (classify(&p), classify(&old));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(o.stdout, new.stdout, "a version 1 file predicts the same");
    let err = stderr(&o);
    let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(warnings.len(), 1, "{}", stderr(&o));
    assert!(
        warnings[0].contains("old.json") && warnings[0].contains("no checksum"),
        "{}",
        warnings[0]
    );
}

/// A single flipped bit anywhere in a model file is an error: 50 bytes spread
/// over the file (numbers, vocabulary, labels, metadata, the checksum, the
/// final newline), each with every one of its 8 bits flipped in turn.
#[test]
fn every_single_bit_flip_in_a_model_file_is_an_error() {
    let text = trained();
    StanceModel::from_json(&text, "m.json").unwrap();
    let bytes = text.as_bytes();
    let mut accepted = Vec::new();
    for i in 0..50 {
        let at = i * (bytes.len() - 1) / 49;
        for bit in 0..8 {
            let mut b = bytes.to_vec();
            b[at] ^= 1 << bit;
            let Ok(s) = String::from_utf8(b) else {
                continue; // the loader's UTF-8 check refuses it
            };
            if StanceModel::from_json(&s, "m.json").is_ok() {
                accepted.push((at, bit, bytes[at] as char));
            }
        }
    }
    assert!(accepted.is_empty(), "loaded after a bit flip: {accepted:?}");
}
