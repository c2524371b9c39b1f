//! Property tests on hostile input: one output line per input record for
//! `extract` and `predict`, and round trips (model save/load predicts the
//! same; labelled JSON Lines and CSV written then read give the same
//! examples). Spans on arbitrary text are in `extract_props.rs`.

mod support;

use proptest::prelude::*;
use stancekit::data::{load_reader, InputFormat, LoadOptions};
use stancekit::model::{ModelFile, StanceModel};
use support::{assert_no_panic, json_lines, run_stdin};

/// A JSON Lines-ish line: a valid record, a damaged one, or junk.
fn jsonl_line() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        "\\PC{0,40}".prop_map(|t| serde_json::json!({"id": "x", "text": t})
            .to_string()
            .into_bytes()),
        "\\PC{0,40}".prop_map(|t| serde_json::json!({"text": t, "date": "2025-01-01"})
            .to_string()
            .into_bytes()),
        "\\PC{0,40}".prop_map(|t| {
            let s = serde_json::json!({"text": t}).to_string();
            s.as_bytes()[..s.len() / 2].to_vec()
        }),
        Just(b"{\"text\": 5}".to_vec()),
        Just(b"\xEF\xBB\xBF{\"text\": \"a\"}".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..40)
            .prop_map(|b| b.into_iter().filter(|&c| c != b'\n').collect()),
    ]
}

/// Lines that are not blank give one record each (a byte-order mark counts
/// as nothing only at the start of the input).
fn expected_records(lines: &[Vec<u8>]) -> usize {
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| match i {
            0 => l.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(l),
            _ => l,
        })
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .count()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn one_output_line_per_jsonl_record(
        lines in proptest::collection::vec(jsonl_line(), 0..12),
        crlf in any::<bool>(),
    ) {
        let sep: &[u8] = if crlf { b"\r\n" } else { b"\n" };
        let input = lines.join(sep);
        let n = expected_records(&lines);
        for cmd in ["extract", "predict"] {
            let o = run_stdin(&[cmd, "--input-format", "jsonl", "--max-article-bytes", "60", "-"], &input);
            assert_no_panic(&o);
            let recs = json_lines(&o);
            prop_assert_eq!(recs.len(), n, "{}: {:?}", cmd, String::from_utf8_lossy(&input));
            let failed = recs.iter().any(|r| r.get("error").is_some());
            prop_assert_eq!(o.status.code(), Some(if failed { 1 } else { 0 }));
        }
    }
}

/// A small model file with arbitrary (finite) numbers.
fn model_file() -> impl Strategy<Value = ModelFile> {
    let vocab = proptest::collection::btree_set("[a-z]{1,6}", 1..12);
    (vocab, any::<u64>()).prop_map(|(vocab, seed)| {
        let mut x = seed;
        let mut next = move || {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((x >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 8.0
        };
        let vocab: Vec<String> = vocab.into_iter().map(|w| format!("u:{w}")).collect();
        let n = vocab.len();
        let mut f: ModelFile =
            serde_json::from_str(include_str!("../fuzz/seeds/model/tiny.json")).unwrap();
        f.idf = (0..n).map(|_| next().abs() + 1.0).collect();
        f.weights = (0..3).map(|_| (0..n).map(|_| next()).collect()).collect();
        f.intercepts = (0..3).map(|_| next()).collect();
        f.vocab = vocab;
        f
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn saved_model_predicts_identically(f in model_file(), texts in proptest::collection::vec("[a-z ]{0,40}", 1..5)) {
        let model = StanceModel::from_file(f, "prop").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.json");
        model.save(&path).unwrap();
        let back = StanceModel::load(&path).unwrap();
        prop_assert_eq!(back.to_json(), model.to_json());
        for t in &texts {
            let a = model.predict(t, None, &[]);
            let b = back.predict(t, None, &[]);
            prop_assert_eq!(a.label, b.label);
            prop_assert_eq!(format!("{:?}", a.probs), format!("{:?}", b.probs));
        }
    }
}

/// text, target, character span of the target, label, id.
type Row = (String, String, Option<(usize, usize)>, String, String);

/// One labelled record: text, target as a substring of the text (with its
/// character span) or elsewhere, label, id.
fn record() -> impl Strategy<Value = Row> {
    (
        "\\PC{0,8}",
        "[A-Za-z\u{e9}\u{5d0}]{1,8}",
        "\\PC{0,8}",
        "[a-z]{1,8}",
        "\\PC{0,6}",
        any::<bool>(),
    )
        .prop_filter("text must not be blank", |(a, t, b, ..)| {
            !format!("{a}{t}{b}").trim().is_empty()
        })
        .prop_map(|(a, target, b, label, id, with_span)| {
            let text = format!("{a}{target}{b}");
            let s = a.chars().count();
            let span = with_span.then(|| (s, s + target.chars().count()));
            (text, target, span, label, id)
        })
}

fn check_round_trip(rows: &[Row], data: &[u8], format: InputFormat) -> Result<(), TestCaseError> {
    let loaded = load_reader(data, "mem", format, &LoadOptions::default())
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(loaded.examples.len(), rows.len());
    for (e, (text, target, span, label, id)) in loaded.examples.iter().zip(rows) {
        prop_assert_eq!(&e.text, text);
        prop_assert_eq!(&e.target, target);
        prop_assert_eq!(e.label.as_deref(), Some(label.as_str()));
        prop_assert_eq!(e.id.as_deref(), (!id.is_empty()).then_some(id.as_str()));
        if let Some((s, t)) = span {
            let (bs, be) = e.span.unwrap();
            prop_assert_eq!(e.text[..bs].chars().count(), *s);
            prop_assert_eq!(e.text[..be].chars().count(), *t);
            prop_assert_eq!(&e.text[bs..be], target.as_str());
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn labelled_jsonl_round_trips(rows in proptest::collection::vec(record(), 1..8)) {
        let mut data = String::new();
        for (text, target, span, label, id) in &rows {
            let mut v = serde_json::json!({"text": text, "target": target, "label": label, "id": id});
            if let Some((s, e)) = span {
                v["target_start"] = (*s).into();
                v["target_end"] = (*e).into();
            }
            data.push_str(&format!("{v}\n"));
        }
        check_round_trip(&rows, data.as_bytes(), InputFormat::Jsonl)?;
    }

    #[test]
    fn labelled_csv_round_trips(rows in proptest::collection::vec(record(), 1..8)) {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["text", "target", "label", "id", "target_start", "target_end"]).unwrap();
        for (text, target, span, label, id) in &rows {
            let (s, e) = span.map_or((String::new(), String::new()), |(s, e)| (s.to_string(), e.to_string()));
            w.write_record([text, target, label, id, &s, &e]).unwrap();
        }
        let data = w.into_inner().unwrap();
        check_round_trip(&rows, &data, InputFormat::Csv)?;
    }
}
