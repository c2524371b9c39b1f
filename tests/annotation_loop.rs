//! The annotation loop of README ("The annotation loop"), end to end
//! through the CLI on a few articles of `tests/articles`: predict → suggest
//! → label (filled in here from the articles' expected stances) → lint →
//! train → eval → classify.

mod support;

use std::collections::{BTreeMap, HashMap};
use support::{assert_no_panic, run, run_stdin, stderr, write};

const ARTICLES: [&str; 6] = [
    "tests/articles/01_japan_korea_summit.txt",
    "tests/articles/02_india_pakistan_indus.txt",
    "tests/articles/03_israel_iran_isfahan.txt",
    "tests/articles/04_eu_hungary_sanctions.txt",
    "tests/articles/05_brazil_us_tariffs.txt",
    "tests/articles/08_philippines_china_shoal.txt",
];

const LABELS: [&str; 3] = ["conciliatory", "critical", "neutral"];

/// CSV text as a header and rows of named cells.
fn read_csv(text: &str) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    let rows = rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect();
    (header, rows)
}

fn write_csv(header: &[String], rows: &[BTreeMap<String, String>]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).unwrap();
    for r in rows {
        w.write_record(header.iter().map(|h| r[h].as_str()))
            .unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

/// (article, quote text, target) -> the stance the article's expected
/// record gives, where it gives one.
fn expected_stances() -> HashMap<(String, String, String), String> {
    let mut out = HashMap::new();
    for a in ARTICLES {
        let path = a.replace(".txt", ".expected.json");
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for q in v["quotes"].as_array().unwrap() {
            for t in q["targets"].as_array().unwrap() {
                if let Some(s) = t["stance"].as_str() {
                    out.insert(
                        (
                            a.to_string(),
                            q["text"].as_str().unwrap().to_string(),
                            t["party"].as_str().unwrap().to_string(),
                        ),
                        s.to_string(),
                    );
                }
            }
        }
    }
    out
}

#[test]
fn predict_suggest_label_lint_train_eval_runs_end_to_end_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    // predict
    let mut args = vec!["predict"];
    args.extend(ARTICLES);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let predictions = write(d, "predictions.jsonl", &o.stdout);

    // suggest: a CSV to fill, the same on every run
    let suggest = [
        "suggest",
        &predictions,
        "--n",
        "15",
        "--max-per-article",
        "4",
    ];
    let o = run(&suggest);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("picked"), "{}", stderr(&o));
    assert_eq!(
        run(&suggest).stdout,
        o.stdout,
        "the same input, the same pick"
    );
    let (header, mut rows) = read_csv(&String::from_utf8(o.stdout).unwrap());
    for col in ["id", "text", "target", "label", "speaker", "article"] {
        assert!(
            header.iter().any(|h| h == col),
            "no {col} column: {header:?}"
        );
    }
    assert!(rows.len() >= 8 && rows.len() <= 15, "{} rows", rows.len());
    let mut per_article: HashMap<&str, usize> = HashMap::new();
    for r in &rows {
        assert_eq!(r["label"], "", "the label is left to fill in");
        assert!(!r["text"].is_empty() && !r["target"].is_empty());
        *per_article.entry(r["article"].as_str()).or_default() += 1;
    }
    assert!(per_article.values().all(|&n| n <= 4), "{per_article:?}");
    let margins: Vec<f64> = rows.iter().map(|r| r["margin"].parse().unwrap()).collect();
    assert!(
        margins.windows(2).all(|w| w[0] <= w[1]),
        "least certain first: {margins:?}"
    );

    // label: the articles' expected stance where there is one, else in turn
    let gold = expected_stances();
    for (i, r) in rows.iter_mut().enumerate() {
        let key = (r["article"].clone(), r["text"].clone(), r["target"].clone());
        let label = gold
            .get(&key)
            .cloned()
            .unwrap_or_else(|| LABELS[i % 3].to_string());
        r.insert("label".into(), label);
    }
    let filled = write(d, "filled.csv", write_csv(&header, &rows).as_bytes());

    // lint reads the filled file as it is
    let o = run(&["lint", &filled]);
    assert_no_panic(&o);
    let report = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{report}\n{}", stderr(&o));
    assert!(!report.contains("near-duplicate"), "{report}");

    // train reads it too
    let model = d.join("model.json").display().to_string();
    let o = run(&["train", "--data", &filled, "--out", &model, "--min-df", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!("used {} records", rows.len())));

    // eval: the report lists the surest mistakes; per-row predictions
    let per_row = d.join("rows.jsonl").display().to_string();
    let o = run(&[
        "eval",
        "--model",
        &model,
        "--data",
        &filled,
        "--predictions",
        &per_row,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let md = String::from_utf8(o.stdout).unwrap();
    assert!(md.contains("| **accuracy** |"), "{md}");
    assert!(md.contains("Most confident mistakes"), "{md}");
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&per_row)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), rows.len());
    for (l, r) in lines.iter().zip(&rows) {
        assert_eq!(l["gold"], r["label"].as_str());
        assert_eq!(l["id"], r["id"].as_str());
        assert!(LABELS.contains(&l["predicted"].as_str().unwrap()));
        let sum: f64 = LABELS.iter().map(|k| l["probs"][k].as_f64().unwrap()).sum();
        assert!((sum - 1.0).abs() < 1e-6, "{l}");
    }

    // classify the filled file with the new model: every row back, scored
    let o = run(&[
        "classify", "--model", &model, "--data", &filled, "--format", "csv",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (scored_header, scored) = read_csv(&String::from_utf8(o.stdout).unwrap());
    assert_eq!(scored_header[..header.len()], header[..]);
    assert_eq!(scored.len(), rows.len());
    for (s, r) in scored.iter().zip(&rows) {
        assert_eq!(s["id"], r["id"]);
        assert_eq!(s["label"], r["label"]);
        assert!(LABELS.contains(&s["predicted"].as_str()), "{s:?}");
        assert!(s["prob_critical"].parse::<f64>().is_ok(), "{s:?}");
    }
}

#[test]
fn a_label_left_empty_is_an_error_naming_the_row_or_with_skip_invalid_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = run(&["predict", ARTICLES[0], ARTICLES[1], ARTICLES[2]]);
    let predictions = write(d, "p.jsonl", &o.stdout);
    let o = run(&["suggest", &predictions, "--n", "8"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (header, mut rows) = read_csv(&String::from_utf8(o.stdout).unwrap());
    assert!(rows.len() >= 4, "{} rows", rows.len());
    // Every label filled but the third row's (CSV line 4, after the header).
    for (i, r) in rows.iter_mut().enumerate() {
        let label = if i == 2 { "" } else { LABELS[i % 2] };
        r.insert("label".into(), label.into());
    }
    let filled = write(d, "half.csv", write_csv(&header, &rows).as_bytes());
    let model = d.join("m.json").display().to_string();
    let train = |extra: &[&str]| {
        let mut a = vec!["train", "--data", &filled, "--out", &model, "--min-df", "1"];
        a.extend(extra);
        run(&a)
    };
    let o = train(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(&format!("{filled}:4: field \"label\" is empty")),
        "{}",
        stderr(&o)
    );
    let o = run(&["lint", &filled]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains(":4: field \"label\" is empty"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let o = train(&["--skip-invalid"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("warning: skipped") && err.contains(":4:"),
        "{err}"
    );
    assert!(
        err.contains(&format!("used {} records, skipped 1", rows.len() - 1)),
        "{err}"
    );
}

#[test]
fn suggest_writes_label_studio_tasks_with_the_csv_fields() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["predict", ARTICLES[0], ARTICLES[3]]);
    let predictions = write(dir.path(), "p.jsonl", &o.stdout);
    let csv = run(&["suggest", &predictions, "--n", "5"]);
    let o = run(&[
        "suggest",
        &predictions,
        "--n",
        "5",
        "--format",
        "label-studio",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let tasks: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    let (_, rows) = read_csv(&String::from_utf8(csv.stdout).unwrap());
    assert_eq!(tasks.len(), rows.len());
    for (t, r) in tasks.iter().zip(&rows) {
        assert_eq!(t["data"]["text"], r["text"].as_str());
        assert_eq!(t["data"]["target"], r["target"].as_str());
        assert_eq!(t["data"]["id"], r["id"].as_str());
    }
}

#[test]
fn suggest_names_the_line_that_is_not_a_predict_record() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["predict", ARTICLES[0]]);
    let mut bytes = o.stdout.clone();
    bytes.extend_from_slice(b"{\"article\": \"x\"}\n");
    let p = write(dir.path(), "p.jsonl", &bytes);
    let o = run(&["suggest", &p]);
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(&format!("{p}:2: not a `stancekit predict` record")),
        "{}",
        stderr(&o)
    );
    let o = run(&["suggest", &p, "--skip-invalid"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("warning: skipped"), "{}", stderr(&o));
    // extract output has no stances to be unsure of
    let o = run(&["extract", ARTICLES[0]]);
    let e = write(dir.path(), "e.jsonl", &o.stdout);
    let o = run(&["suggest", &e]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains(&format!("{e}:1:")), "{}", stderr(&o));
}

#[test]
fn suggest_reads_predictions_from_standard_input() {
    let o = run(&["predict", ARTICLES[0], ARTICLES[1]]);
    let from_stdin = run_stdin(&["suggest", "-", "--n", "6"], &o.stdout);
    assert_eq!(from_stdin.status.code(), Some(0), "{}", stderr(&from_stdin));
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "p.jsonl", &o.stdout);
    let from_file = run(&["suggest", &p, "--n", "6"]);
    assert_eq!(from_stdin.stdout, from_file.stdout);
    assert!(from_file.stdout.starts_with(b"id,text,target,label,"));
}
