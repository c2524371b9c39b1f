//! `stancekit report`: one self-contained HTML page (no network, no
//! external assets) with the eval tables, a heat map with one cell per
//! dyad, the quotes behind every cell with all text escaped, a time line
//! per dyad with `--by month`; errors name the file and line, and skipped
//! records are counted.

mod support;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use support::{bin, run, stderr, write};

/// A predict record of one article, written by hand: `quotes` are
/// (speaker party, target party, stance, quote text).
fn record(article: &str, date: &str, quotes: &[(&str, &str, &str, &str)]) -> String {
    let quotes: Vec<serde_json::Value> = quotes
        .iter()
        .map(|(source, target, stance, text)| {
            let p = |s: &str| if s == *stance { 0.8 } else { 0.1 };
            let at = text.find(target).unwrap_or(0);
            serde_json::json!({
                "text": text, "start": 100, "end": 100 + text.chars().count(), "kind": "direct",
                "speaker": format!("Envoy of {source}"), "speaker_party": source, "cue": "said",
                "channel": null,
                "sentiment": {"label": "neutral", "probs": {"negative": 0.3, "neutral": 0.4, "positive": 0.3}},
                "targets": [{"party": target, "mention": target, "start": 100 + text[..at].chars().count(),
                    "end": 100 + text[..at].chars().count() + target.chars().count(), "via": "name",
                    "stance": stance,
                    "probs": {"conciliatory": p("conciliatory"), "critical": p("critical"), "neutral": p("neutral")}}]
            })
        })
        .collect();
    serde_json::json!({"article": article, "date": date, "quotes": quotes, "dyads": []}).to_string()
}

/// The page's heat map, parsed as XML (the SVG must be well-formed).
fn heat_map_links(page: &str) -> usize {
    let start =
        page.find("<div class=\"heat\">").expect("a heat map") + "<div class=\"heat\">".len();
    let end = start + page[start..].find("</div>").unwrap();
    let doc = roxmltree::Document::parse(page[start..end].trim())
        .unwrap_or_else(|e| panic!("heat map is not well-formed ({e})"));
    doc.descendants().filter(|n| n.has_tag_name("a")).count()
}

/// Nothing on the page asks for anything from outside it.
fn assert_self_contained(page: &str) {
    for outside in [
        "src=", "http:", "https:", "<link", "url(", "@import", "<iframe", "<img",
    ] {
        assert!(
            !page.contains(outside),
            "the page refers outside with {outside:?}"
        );
    }
}

fn predict_tests_articles(dir: &Path) -> String {
    let o = run(&["predict", "--min-prob", "0", "tests/articles"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    write(dir, "preds.jsonl", &o.stdout)
}

fn page_of(args: &[&str]) -> String {
    let o = run(args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn a_report_of_tests_articles_is_self_contained_with_one_cell_and_quote_list_per_dyad() {
    let dir = tempfile::tempdir().unwrap();
    let preds = predict_tests_articles(dir.path());
    let page = page_of(&["report", "--predictions", &preds]);
    assert!(page.starts_with("<!DOCTYPE html>") && page.trim_end().ends_with("</html>"));
    assert_self_contained(&page);
    let dyads = run(&["dyads", &preds, "--by", "none", "--format", "json"]);
    let dyads: Vec<serde_json::Value> = String::from_utf8(dyads.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(dyads.len() >= 5, "tests/articles has dyads");
    assert_eq!(heat_map_links(&page), dyads.len(), "one cell per dyad");
    assert_eq!(page.matches("<details id=\"d-").count(), dyads.len());
    // Every dyad's quotes are on the page, with the speaker and the mention marked.
    let total: u64 = dyads.iter().map(|d| d["total"].as_u64().unwrap()).sum();
    assert_eq!(page.matches("<mark class=\"s\">").count() as u64, total + 1);
    for d in &dyads {
        let name = format!(
            "<b>{}</b> &#8594; <b>{}</b>",
            d["source"].as_str().unwrap(),
            d["target"].as_str().unwrap()
        );
        assert!(page.contains(&name), "{name}");
    }
    assert!(page.contains("<mark class=\"t\">"));
    // Without --by there is no time line.
    assert!(!page.contains("quotes per period"));
}

#[test]
fn quotes_and_parties_with_markup_and_control_characters_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = "We <script>alert(1)</script> & \u{1}warn Zeta \u{0}now";
    let lines = [
        record(
            "a<1>.txt",
            "2025-01-02",
            &[("Al&pha\u{7}", "Zeta", "critical", hostile)],
        ),
        record(
            "b.txt",
            "2025-02-03",
            &[(
                "Beta",
                "Zeta",
                "conciliatory",
                "Zeta's \"friends\" 'are' ours",
            )],
        ),
    ];
    let preds = write(dir.path(), "p.jsonl", lines.join("\n").as_bytes());
    let page = page_of(&["report", "--predictions", &preds, "--by", "month"]);
    assert!(!page.contains("<script>alert"), "quote markup is text");
    assert!(page.contains("We &lt;script&gt;alert(1)&lt;/script&gt; &amp; \u{fffd}warn <mark class=\"t\">Zeta</mark> \u{fffd}now"));
    assert!(page.contains("Al&amp;pha\u{fffd}") && page.contains("a&lt;1&gt;.txt"));
    assert!(page.contains("&quot;friends&quot; &#39;are&#39;"));
    assert!(
        !page.chars().any(|c| c < ' ' && !"\t\n\r".contains(c)),
        "no control characters"
    );
    assert_eq!(heat_map_links(&page), 2);
    assert_self_contained(&page);
}

#[test]
fn by_month_draws_a_time_line_per_dyad_across_the_months_of_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let lines = [
        record("a", "2025-01-02", &[("A", "B", "critical", "B is wrong")]),
        record(
            "b",
            "2025-03-02",
            &[
                ("A", "B", "critical", "B is wrong again"),
                ("C", "A", "neutral", "A met us"),
            ],
        ),
    ];
    let preds = write(dir.path(), "p.jsonl", lines.join("\n").as_bytes());
    let page = page_of(&["report", "--predictions", &preds, "--by", "month"]);
    assert_eq!(page.matches("aria-label=\"quotes per period\"").count(), 2);
    assert!(
        page.contains("<title>2025-01: 1 quote, mean -0.70</title>"),
        "{page}"
    );
    assert!(
        page.contains("<title>2025-01: none</title>"),
        "C -> A had no quote in January"
    );
    assert!(page.contains("from 2025-01 to 2025-03"));
}

#[test]
fn the_eval_section_shows_the_tables_and_confusion_matrix_of_eval_json() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("eval.json");
    let o = run(&[
        "eval",
        "--data",
        "labeled/holdout.jsonl",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let page = page_of(&[
        "report",
        "--eval",
        json.to_str().unwrap(),
        "--title",
        "Stance <v2>",
    ]);
    assert!(page.contains("<h1>Stance &lt;v2&gt;</h1>"));
    assert!(page.contains(&format!("{} rows", report["n"])));
    let f1 = report["per_class"]["critical"]["f1"].as_f64().unwrap();
    assert!(page.contains("<tr><td>critical</td>") && page.contains(&format!("{f1:.3}")));
    for row in report["confusion"]["matrix"].as_array().unwrap() {
        for v in row.as_array().unwrap() {
            assert!(page.contains(&format!(">{v}</td>")), "{v}");
        }
    }
    assert!(!page.contains("Who stands where"), "no predictions given");
    assert_self_contained(&page);
}

#[test]
fn a_broken_eval_report_is_an_error_naming_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(
        dir.path(),
        "bad.json",
        b"{\"n\": 3,\n \"accuracy\": \"high\"}",
    );
    let o = run(&["report", "--eval", &bad]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("bad.json:2: not a `stancekit eval --json` report"),
        "{}",
        stderr(&o)
    );
    assert!(o.stdout.is_empty());
}

#[test]
fn an_unreadable_prediction_line_stops_the_report_unless_skipped_and_then_is_counted() {
    let dir = tempfile::tempdir().unwrap();
    let lines = [
        record("a", "2025-01-02", &[("A", "B", "critical", "B is wrong")]),
        "{\"not\": \"a record\"}".to_string(),
        record("b", "2025-01-03", &[("A", "B", "critical", "B is wrong")]),
    ];
    let preds = write(dir.path(), "p.jsonl", lines.join("\n").as_bytes());
    let out = dir.path().join("r.html");
    let o = run(&[
        "report",
        "--predictions",
        &preds,
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("p.jsonl:2: not a `stancekit predict` record"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists(), "no page from a run that cannot be trusted");
    let o = run(&[
        "report",
        "--predictions",
        &preds,
        "--skip-invalid",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("warning: skipped")
            && stderr(&o).contains("1 unreadable lines skipped")
    );
    let page = std::fs::read_to_string(&out).unwrap();
    assert!(page.contains("2 articles read (0 with errors), 2 scored (party, target) pairs"));
    assert!(
        page.contains("1 unreadable lines skipped"),
        "the page says so too"
    );
}

#[test]
fn a_report_needs_an_eval_report_or_predictions() {
    let o = run(&["report"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--eval") && stderr(&o).contains("--predictions"));
}

/// 120 parties, a few of them busy (as in news), each article dated.
fn many_parties(dir: &Path) -> String {
    let name = |i: usize| format!("Party {i:03}");
    let mut lines = Vec::new();
    for a in 0..600usize {
        // Every party speaks and is spoken about; every other quote comes
        // from one of four busy parties, and Party 003 is the busiest.
        let s = if a % 2 == 0 {
            (a / 2 * 37) % 120
        } else {
            [3, 3, 7, 11][a % 4]
        };
        let t = (a * 53 + 1) % 120;
        if s == t {
            continue;
        }
        let stance = ["critical", "neutral", "conciliatory"][a % 3];
        let text = format!("We told {} to act & <listen>", name(t));
        lines.push(record(
            &format!("s{a}"),
            &format!("2025-{:02}-01", 1 + a % 12),
            &[(&name(s), &name(t), stance, &text)],
        ));
    }
    write(dir, "many.jsonl", lines.join("\n").as_bytes())
}

#[test]
fn a_report_with_120_parties_has_one_cell_per_dyad_with_the_busiest_party_first() {
    let dir = tempfile::tempdir().unwrap();
    let preds = many_parties(dir.path());
    let page = page_of(&["report", "--predictions", &preds, "--by", "month"]);
    let dyads = page_of(&["dyads", &preds, "--by", "none", "--format", "json"]);
    let dyads: Vec<serde_json::Value> = dyads
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(heat_map_links(&page), dyads.len());
    let mut spoken = std::collections::BTreeMap::<&str, u64>::new();
    for d in &dyads {
        *spoken.entry(d["source"].as_str().unwrap()).or_default() += d["total"].as_u64().unwrap();
    }
    assert!(spoken.len() >= 100, "{} speaker parties", spoken.len());
    let busiest = spoken
        .iter()
        .max_by_key(|(n, c)| (**c, std::cmp::Reverse(**n)))
        .unwrap()
        .0;
    // The first row label is the party with the most quotes, not "Party 000".
    let first_row = page.split("text-anchor=\"end\"").nth(1).unwrap();
    assert!(
        first_row.contains(&format!("<title>{busiest}</title>")),
        "{busiest}"
    );
}

#[test]
fn a_reader_that_goes_away_ends_a_report_on_stdout_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let preds = many_parties(dir.path());
    let mut child = bin()
        .args(["report", "--predictions", &preds])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 15];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    assert_eq!(&first, b"<!DOCTYPE html>");
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("error:"));
}

/// Headless Chromium, when installed, draws the page (skipped with a
/// printed reason when it is not).
#[test]
fn headless_chromium_renders_the_report_to_a_png() {
    let Some(chromium) = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| {
            Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
    else {
        println!("skipped: no chromium on PATH (apt-get install chromium)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let preds = predict_tests_articles(dir.path());
    let html = dir.path().join("report.html");
    let o = run(&[
        "report",
        "--predictions",
        &preds,
        "--by",
        "month",
        "-o",
        html.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let png = dir.path().join("report.png");
    let profile = dir.path().join("profile");
    let o = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            &format!("--user-data-dir={}", profile.display()),
            &format!("--screenshot={}", png.display()),
            "--window-size=1400,2000",
            &format!("file://{}", html.display()),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bytes = std::fs::read(&png).expect("a screenshot");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    assert!(
        bytes.len() > 20_000,
        "more than a blank page: {} bytes",
        bytes.len()
    );
}
