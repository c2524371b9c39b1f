//! Hostile article text through `extract` and `predict`: every input article
//! gives exactly one output line, nothing panics, invalid UTF-8 is decoded
//! lossily with a warning naming the file, and an article over
//! `--max-article-bytes` is an error record.

mod support;

use support::{assert_no_panic, json_lines, run, run_stdin, stderr, write};

/// Article texts a newsroom feed might send, by name.
fn hostile_articles() -> Vec<(&'static str, Vec<u8>)> {
    let mut junk = Vec::new();
    let mut x: u32 = 12345;
    for _ in 0..4000 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        junk.push((x >> 16) as u8);
    }
    let mut many_quotes = String::new();
    for i in 0..3000 {
        many_quotes.push_str(["\"", "\u{201c}", "\u{201d}", "'", "\u{ab}", "\u{bb}"][i % 6]);
        if i % 7 == 0 {
            many_quotes.push_str(" Lavrov said ");
        }
    }
    vec![
        ("binary_junk.txt", junk),
        (
            "invalid_utf8.txt",
            b"\"Caf\xe9 talks with Moscow,\xff\xfe\" Lavrov said.\n\xc3\x28".to_vec(),
        ),
        (
            "nul_bytes.txt",
            b"\"We\0 condemn\0 Moscow,\" Blinken\0 said.\0\0\0".to_vec(),
        ),
        ("many_quote_marks.txt", many_quotes.into_bytes()),
        ("only_quote_marks.txt", "\"\"\"\u{201c}\u{201d}''\u{ab}\u{bb}\u{201e}\"".repeat(500).into_bytes()),
        (
            "rtl_and_combining.txt",
            "\u{202e}\"\u{5e9}\u{5dc}\u{5d5}\u{5dd} \u{627}\u{644}\u{633}\u{644}\u{627}\u{645}\",\u{202c} Lavrov said. \
             \"Mosco\u{301}w\u{308}\u{20dd} is fine\u{200d}\u{fe0f},\" he\u{336} added.\u{200f} e\u{301}\u{301}\u{301}"
                .as_bytes()
                .to_vec(),
        ),
        (
            "crlf.txt",
            b" date 2025-01-02 - Talks.\r\n\r\n\"We agree with Moscow,\" Lavrov said.\r\n\r\nMore.\r\n".to_vec(),
        ),
        (
            "lone_cr.txt",
            b"Headline\r\r\"We agree with Moscow,\" Lavrov said.\r\rMore\r\"open".to_vec(),
        ),
        ("empty.txt", Vec::new()),
        ("whitespace.txt", b" \r\n\t\r \n".to_vec()),
    ]
}

#[test]
fn extract_and_predict_give_one_record_per_hostile_article() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<String> = hostile_articles()
        .into_iter()
        .map(|(name, bytes)| write(dir.path(), name, &bytes))
        .collect();
    for cmd in ["extract", "predict"] {
        let mut args = vec![cmd];
        args.extend(files.iter().map(String::as_str));
        let o = run(&args);
        assert_no_panic(&o);
        assert_eq!(o.status.code(), Some(0), "{cmd}: {}", stderr(&o));
        let recs = json_lines(&o);
        assert_eq!(recs.len(), files.len(), "{cmd}: one line per article");
        for (rec, file) in recs.iter().zip(&files) {
            assert_eq!(rec["article"], file.as_str(), "{cmd}: input order");
            assert!(rec.get("error").is_none(), "{cmd}: {rec}");
        }
        let err = stderr(&o);
        assert!(
            err.contains("invalid_utf8.txt") && err.contains("invalid UTF-8"),
            "{cmd}: warning names the file: {err}"
        );
    }
}

#[test]
fn invalid_utf8_article_is_decoded_lossily_not_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "latin1.txt", b"\"Caf\xe9 talks,\" Lavrov said.");
    for cmd in ["extract", "predict"] {
        let o = run(&[cmd, &f]);
        assert_eq!(o.status.code(), Some(0));
        let err = stderr(&o);
        assert!(err.contains("latin1.txt: invalid UTF-8"), "{err}");
        let recs = json_lines(&o);
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0]["quotes"][0]["text"], "Caf\u{fffd} talks,");
    }
}

#[test]
fn article_over_the_bound_is_an_error_record_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    // 50 MB on a single line: refused from its size without being read.
    let huge = write(dir.path(), "huge.txt", &vec![b'x'; 50_000_000]);
    let small = write(dir.path(), "small.txt", b"\"Fine,\" Lavrov said.");
    for cmd in ["extract", "predict"] {
        let o = run(&[cmd, &huge, &small]);
        assert_no_panic(&o);
        assert_eq!(o.status.code(), Some(1), "{cmd}");
        let recs = json_lines(&o);
        assert_eq!(recs.len(), 2);
        let e = recs[0]["error"].as_str().unwrap();
        assert!(
            e.contains("huge.txt") && e.contains("--max-article-bytes (10000000 bytes)"),
            "{e}"
        );
        assert!(recs[1].get("error").is_none());
    }
    // The bound is configurable, and applies to standard input too.
    let o = run_stdin(
        &["extract", "--max-article-bytes", "100", "-"],
        &[b'y'; 101],
    );
    assert_eq!(o.status.code(), Some(1));
    let recs = json_lines(&o);
    assert_eq!(recs.len(), 1);
    assert!(recs[0]["error"].as_str().unwrap().contains("(100 bytes)"));
}

#[test]
fn a_long_single_line_article_is_processed_in_one_record() {
    // A long line full of sentences and quotes within the bound: finishes and
    // gives one record (the 50 MB case is refused by size above; this keeps a
    // debug-build test fast while exercising the same single-line path).
    let dir = tempfile::tempdir().unwrap();
    let sentence =
        "\"We condemn Moscow for this,\" Blinken said. Talks with Beijing went on and on. ";
    let text = sentence.repeat(2_000_000 / sentence.len());
    let f = write(dir.path(), "long.txt", text.as_bytes());
    let started = std::time::Instant::now();
    let o = run(&["extract", "--max-article-bytes", "3000000", &f]);
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let recs = json_lines(&o);
    assert_eq!(recs.len(), 1);
    assert!(!recs[0]["quotes"].as_array().unwrap().is_empty());
    assert!(
        started.elapsed().as_secs() < 60,
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn jsonl_input_gives_one_line_per_record_including_bad_ones() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = Vec::new();
    data.extend_from_slice(
        b"\xEF\xBB\xBF{\"id\": \"bom\", \"text\": \"\\\"Fine,\\\" Lavrov said.\"}\r\n",
    );
    data.extend_from_slice(b"{\"id\": \"trunc\", \"text\": \"cut off her\n");
    data.extend_from_slice(b"{\"id\": \"wrongtype\", \"text\": 42}\n");
    data.extend_from_slice(b"[1, 2, 3]\n");
    data.extend_from_slice(b"\n   \n");
    data.extend_from_slice(b"{\"id\": \"nul\", \"text\": \"a\\u0000b \\\"x\\\" he said\"}\n");
    data.extend_from_slice(b"{\"id\": \"latin1\", \"text\": \"Caf\xe9\"}\n");
    data.extend_from_slice(
        b"{\"id\": \"dup\", \"id\": \"dup2\", \"text\": \"a\", \"text\": \"b\"}\n",
    );
    data.extend_from_slice(b"{\"id\": {\"nested\": 1}, \"text\": \"ok\", \"date\": 7}\n");
    data.extend_from_slice(
        format!("{{\"id\": \"big\", \"text\": \"{}\"}}\n", "z".repeat(5000)).as_bytes(),
    );
    data.extend_from_slice(b"\0\0\0\xff\n");
    data.extend_from_slice(b"{\"id\": \"last\", \"text\": \"no newline at the end\"}");
    let f = write(dir.path(), "feed.jsonl", &data);
    let expected_lines = 11; // every non-blank line
    for cmd in ["extract", "predict"] {
        let o = run(&[cmd, "--max-article-bytes", "4000", &f]);
        assert_no_panic(&o);
        assert_eq!(o.status.code(), Some(1), "{cmd}: some records failed");
        let recs = json_lines(&o);
        assert_eq!(recs.len(), expected_lines, "{cmd}: {recs:#?}");
        let ok = |i: usize| recs[i].get("error").is_none();
        let err = |i: usize| recs[i]["error"].as_str().unwrap_or("").to_string();
        assert_eq!(
            recs[0]["article"], "bom",
            "{cmd}: a BOM is not part of the record"
        );
        assert!(ok(0));
        assert!(err(1).contains("feed.jsonl:2"), "{}", err(1));
        assert!(err(2).contains("feed.jsonl:3"), "{}", err(2));
        assert!(err(3).contains("feed.jsonl:4"), "{}", err(3));
        assert_eq!(recs[4]["article"], "nul");
        assert!(ok(4));
        assert_eq!(recs[5]["article"], "latin1");
        assert!(ok(5));
        // Duplicate keys and a date of the wrong type: a named error.
        assert!(
            err(6).contains("feed.jsonl:9") && err(6).contains("duplicate"),
            "{}",
            err(6)
        );
        assert!(err(7).contains("feed.jsonl:10"), "{}", err(7));
        assert!(err(8).contains("--max-article-bytes"), "{}", err(8));
        assert!(err(9).contains("feed.jsonl:12"), "{}", err(9));
        assert_eq!(recs[10]["article"], "last");
        assert!(ok(10));
    }
}

#[test]
fn hostile_text_on_standard_input() {
    for (name, bytes) in hostile_articles() {
        let o = run_stdin(&["extract", "-"], &bytes);
        assert_no_panic(&o);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        assert_eq!(json_lines(&o).len(), 1, "{name}");
    }
}

#[test]
fn exit_codes_for_articles() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.txt", b"\"Fine,\" Lavrov said.");
    let missing = dir.path().join("missing.txt").display().to_string();
    for cmd in ["extract", "predict"] {
        assert_eq!(run(&[cmd, &a]).status.code(), Some(0), "{cmd} ok");
        let o = run(&[cmd, &a, &missing]);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{cmd}: an unreadable article is a failed record"
        );
        assert_eq!(json_lines(&o).len(), 2);
        assert_eq!(run(&[cmd, "--no-such-flag", &a]).status.code(), Some(2));
        let o = run(&[cmd, "--parties", &missing, &a]);
        assert_eq!(o.status.code(), Some(2), "{cmd}: unreadable dictionary");
        assert!(stderr(&o).contains("missing.txt"));
    }
}

#[test]
fn tens_of_thousands_of_quote_marks_stay_fast() {
    // Attribution once rescanned the whole sentence for every quote: a
    // sentence of 100k quote marks took minutes. It is linear now.
    let dir = tempfile::tempdir().unwrap();
    let text = "\"\"\"\u{201c}\u{201d}''\u{ab}\u{bb}\u{201e}\" said ".repeat(10_000);
    let f = write(dir.path(), "marks.txt", text.as_bytes());
    let started = std::time::Instant::now();
    let o = run(&["extract", &f]);
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(json_lines(&o).len(), 1);
    assert!(
        started.elapsed().as_secs() < 30,
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn an_endless_device_is_an_error_record_not_a_hang() {
    // /dev/zero is not a regular file, so its size is unknown up front.
    let started = std::time::Instant::now();
    let o = run(&["extract", "--max-article-bytes", "1000", "/dev/zero"]);
    assert_eq!(o.status.code(), Some(1));
    let recs = json_lines(&o);
    assert_eq!(recs.len(), 1);
    assert!(recs[0]["error"].as_str().unwrap().contains("(1000 bytes)"));
    assert!(started.elapsed().as_secs() < 30);
}

#[test]
fn an_endless_json_lines_line_ends_that_input_with_an_error_record() {
    let o = run(&[
        "extract",
        "--input-format",
        "jsonl",
        "--max-article-bytes",
        "1000",
        "/dev/zero",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let recs = json_lines(&o);
    assert_eq!(recs.len(), 1);
    assert!(
        recs[0]["error"]
            .as_str()
            .unwrap()
            .contains("without ending"),
        "{:?}",
        recs[0]
    );
}
