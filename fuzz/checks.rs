//! What each fuzz target checks, shared by the targets in `fuzz_targets/`
//! and by `tests/fuzz_regressions.rs`, which replays the seeds and every
//! committed crash input in `fuzz/regressions/` in the normal test suite.

#![allow(dead_code)]

use stancekit::article::Article;
use stancekit::data::{load_reader, InputFormat, LoadOptions};
use stancekit::model::{StanceModel, Task};
use stancekit::parties::PartyDict;
use stancekit::predict::Predictor;
use stancekit::quotes::{extract, ArticleQuotes};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Article parser + quote extractor on arbitrary bytes (decoded lossily, as
/// the CLI does): every span lies inside the text on character boundaries.
pub fn article(data: &[u8]) {
    let text = String::from_utf8_lossy(data).into_owned();
    let article = Article::parse("fuzz", text);
    let t = &article.text;
    for p in &article.paragraphs {
        assert!(p.start <= p.end && p.end <= t.len());
        assert!(t.is_char_boundary(p.start) && t.is_char_boundary(p.end));
    }
    let quotes = extract(&article, PartyDict::embedded());
    for q in &quotes {
        assert!(q.start <= q.end && q.end <= t.len());
        assert!(t.is_char_boundary(q.start) && t.is_char_boundary(q.end));
        for tg in &q.targets {
            assert!(tg.start <= tg.end && tg.end <= t.len());
            assert!(t.is_char_boundary(tg.start) && t.is_char_boundary(tg.end));
        }
    }
    let rec = ArticleQuotes::new(&article, &quotes);
    let n = t.chars().count();
    for q in &rec.quotes {
        assert!(q.start <= q.end && q.end <= n);
    }
    serde_json::to_string(&rec).unwrap();
    predict(&article);
}

/// The shipped models, loaded once per process.
fn models() -> &'static (StanceModel, StanceModel) {
    static MODELS: OnceLock<(StanceModel, StanceModel)> = OnceLock::new();
    MODELS.get_or_init(|| {
        let m = |t| stancekit::defaults::model(t).expect("shipped model");
        (m(Task::Stance), m(Task::Sentiment))
    })
}

/// Predict on a parsed article: every probability is a number in [0, 1]
/// and the record serialises.
fn predict(article: &Article) {
    let (stance, sentiment) = models();
    let predictor = Predictor {
        stance,
        sentiment,
        parties: PartyDict::embedded(),
    };
    let rec = predictor.predict(article);
    for q in &rec.quotes {
        for t in &q.targets {
            for &(_, p) in &t.scored.probs.0 {
                assert!((0.0..=1.0).contains(&p), "probability {p}");
            }
        }
    }
    serde_json::to_string(&rec).unwrap();
}

/// Long articles, to find work that grows faster than the text: the first
/// byte says how many times (1 to 256) the rest is repeated, so a short
/// input stands for a run-on line of many quotes. Extract and predict must
/// finish within `budget` per kilobyte (plus a second); `None` skips the
/// clock, as the test suite does (speed is a benchmark's business there).
pub fn long_article(data: &[u8], budget_per_kb: Option<Duration>) {
    let Some((&k, unit)) = data.split_first() else {
        return;
    };
    let mut bytes = Vec::with_capacity(unit.len() * (k as usize + 1));
    for _ in 0..=k {
        bytes.extend_from_slice(unit);
    }
    let started = Instant::now();
    article(&bytes);
    if let Some(per_kb) = budget_per_kb {
        let budget = Duration::from_secs(1) + per_kb * (bytes.len() / 1024) as u32;
        let took = started.elapsed();
        assert!(
            took <= budget,
            "{} bytes took {took:?}, over the budget of {budget:?}",
            bytes.len()
        );
    }
}

/// The labelled-data loader (JSON Lines and CSV) on arbitrary bytes: every
/// span it reports lies inside its text, every skip names the input.
pub fn labelled_data(data: &[u8]) {
    for format in [InputFormat::Jsonl, InputFormat::Csv] {
        for skip_invalid in [false, true] {
            for require_target in [false, true] {
                let opts = LoadOptions {
                    skip_invalid,
                    require_target,
                    require_label: require_target,
                    max_record_bytes: 256,
                    ..LoadOptions::default()
                };
                if let Ok(loaded) = load_reader(data, "fuzz", format, &opts) {
                    for e in &loaded.examples {
                        if let Some((s, t)) = e.span {
                            assert!(s <= t && t <= e.text.len());
                            assert!(e.text.is_char_boundary(s) && e.text.is_char_boundary(t));
                        }
                    }
                    for s in &loaded.skipped {
                        assert!(s.to_string().starts_with("fuzz:"));
                    }
                }
            }
        }
    }
}

const ARTICLE: &str = "\"We condemn Moscow and the US,\" Ivan Petrov said. \
    \"Fine,\" said Petrov, according to officials in Beijing.";

/// The party dictionary loader on arbitrary text: a dictionary that loads
/// can extract quotes from a fixed article and from its own source.
pub fn parties(data: &[u8]) {
    let src = String::from_utf8_lossy(data);
    if let Ok(dict) = PartyDict::from_toml_str(&src, "fuzz") {
        for text in [ARTICLE, &src] {
            let article = Article::parse("fuzz", text.to_string());
            let _ = extract(&article, &dict);
        }
    }
}

/// The model loader on arbitrary text: a model that loads predicts, and
/// predicts the same after a save and load.
pub fn model(data: &[u8]) {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(model) = StanceModel::from_json(src, "fuzz") {
        let text = "We condemn Moscow but welcome talks with Russia";
        let p = model.predict(text, Some((41, 47)), &[(11, 17)]);
        let back = StanceModel::from_json(&model.to_json(), "again").unwrap();
        let q = back.predict(text, Some((41, 47)), &[(11, 17)]);
        assert_eq!(p.label, q.label);
    }
}
