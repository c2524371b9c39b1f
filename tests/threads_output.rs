//! `predict` and `extract` write the same bytes whatever `--threads` is: in
//! every output format, in input order, with a failing article in the middle
//! still getting its record in its place.

mod support;

use std::path::Path;

use support::{run, stderr, write};

/// The annotated articles as JSON Lines, twice over so there are more
/// articles than a worker takes at once and workers finish out of order,
/// with an unreadable record in the middle. Returns the file and the ids in
/// input order (the bad record's id is its place, `FILE:LINE`).
fn corpus(dir: &Path) -> (String, Vec<String>) {
    let articles = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/articles");
    let mut texts: Vec<_> = std::fs::read_dir(&articles)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    texts.sort();
    let texts: Vec<String> = texts
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    let mut lines = Vec::new();
    let mut ids = Vec::new();
    for round in 0..2 {
        for (n, text) in texts.iter().enumerate() {
            let id = format!("r{round}-{n:02}");
            lines.push(serde_json::json!({"id": id, "text": text}).to_string());
            ids.push(id);
        }
    }
    let middle = lines.len() / 2;
    lines.insert(middle, "{\"id\": \"broken\", \"text\": ".to_string());
    let path = write(dir, "corpus.jsonl", (lines.join("\n") + "\n").as_bytes());
    ids.insert(middle, format!("{path}:{}", middle + 1));
    (path, ids)
}

/// Runs `args` with `--threads` 1, 2 and 4 and checks all three write the
/// same bytes and exit 1 (the broken record); returns the output.
fn same_for_any_threads(args: &[&str]) -> Vec<u8> {
    let mut first: Option<Vec<u8>> = None;
    for threads in ["1", "2", "4"] {
        let mut a = args.to_vec();
        a.extend(["--threads", threads]);
        let out = run(&a);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert!(!out.stdout.is_empty());
        match &first {
            None => first = Some(out.stdout),
            Some(one) => assert!(
                *one == out.stdout,
                "{args:?}: --threads {threads} differs from --threads 1"
            ),
        }
    }
    first.unwrap()
}

/// JSON Lines output parsed, one value per line.
fn records(out: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l:?}")))
        .collect()
}

/// The "article" field of every JSON Lines record, in output order.
fn article_ids(out: &[u8]) -> Vec<String> {
    records(out)
        .iter()
        .map(|r| r["article"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn predict_json_is_the_same_for_any_thread_count_and_in_input_order() {
    let dir = tempfile::tempdir().unwrap();
    let (corpus, ids) = corpus(dir.path());
    let recs = records(&same_for_any_threads(&["predict", &corpus]));
    let got: Vec<&str> = recs
        .iter()
        .map(|r| r["article"].as_str().unwrap())
        .collect();
    assert_eq!(got, ids);
    let failed: Vec<usize> = (0..recs.len())
        .filter(|&i| !recs[i]["error"].is_null())
        .collect();
    assert_eq!(failed, vec![ids.len() / 2]);
}

#[test]
fn predict_csv_and_table_are_the_same_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let (corpus, ids) = corpus(dir.path());
    let csv = same_for_any_threads(&["predict", &corpus, "--format", "csv"]);
    // Rows come grouped by article, articles in input order.
    let mut rdr = csv::Reader::from_reader(csv.as_slice());
    let mut order: Vec<String> = Vec::new();
    for row in rdr.records() {
        let article = row.unwrap()[0].to_string();
        if order.last() != Some(&article) {
            order.push(article);
        }
    }
    assert_eq!(order, ids);
    let table = same_for_any_threads(&["predict", &corpus, "--format", "table"]);
    let table = String::from_utf8(table).unwrap();
    let heads: Vec<&str> = table
        .lines()
        .filter_map(|l| l.strip_prefix("== "))
        .map(|l| l.split(" (").next().unwrap())
        .collect();
    assert_eq!(heads, ids);
}

#[test]
fn extract_is_the_same_for_any_thread_count_and_in_input_order() {
    let dir = tempfile::tempdir().unwrap();
    let (corpus, ids) = corpus(dir.path());
    let json = same_for_any_threads(&["extract", &corpus]);
    assert_eq!(article_ids(&json), ids);
    let table = same_for_any_threads(&["extract", &corpus, "--format", "table"]);
    let heads = String::from_utf8(table)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("== "))
        .count();
    assert_eq!(heads, ids.len());
}

#[test]
fn a_missing_file_between_others_keeps_its_place_with_threads() {
    let dir = tempfile::tempdir().unwrap();
    let (corpus, ids) = corpus(dir.path());
    let missing = dir.path().join("missing.txt").display().to_string();
    let out = same_for_any_threads(&["extract", &corpus, &missing, &corpus]);
    let got = article_ids(&out);
    let mut want = ids.clone();
    want.push(missing);
    want.extend(ids);
    assert_eq!(got, want);
}

#[test]
fn extract_help_documents_threads() {
    let out = run(&["extract", "--help"]);
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("--threads") && s.contains("all cores"), "{s}");
}
