//! Scoring extraction against the annotated articles in tests/articles
//! (NN_name.txt + NN_name.expected.json). Shared by the integration test
//! `extract_articles` and the example `extract_eval`.
//!
//! Expected quotes carry their text, not offsets; each is located in the
//! article (every occurrence counts). A predicted quote matches an expected
//! one when their byte spans overlap and the kinds agree. Precision counts
//! predicted quotes that match some expected quote, recall counts expected
//! quotes matched by some prediction; splitting or merging a quote therefore
//! costs little, inventing or missing one costs fully. Speaker, channel and
//! target scores are computed over matched pairs.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use stancekit::article::Article;
use stancekit::parties::PartyDict;
use stancekit::quotes::{extract, Quote};

#[derive(Debug, Deserialize)]
pub struct ExpectedTarget {
    pub party: String,
    /// The stance where the annotator found it clear-cut.
    #[serde(default)]
    pub stance: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ExpectedQuote {
    pub text: String,
    pub kind: String,
    pub speaker: Option<String>,
    pub speaker_party: Option<String>,
    pub channel: Option<String>,
    pub cue: Option<String>,
    #[serde(default)]
    pub targets: Vec<ExpectedTarget>,
}

#[derive(Debug, Deserialize)]
pub struct Expected {
    pub date: Option<String>,
    pub quotes: Vec<ExpectedQuote>,
    #[serde(default)]
    pub not_quotes: Vec<String>,
}

/// Counts for one article or a whole set.
#[derive(Debug, Default, Clone)]
pub struct Score {
    pub predicted: usize,
    pub predicted_matched: usize,
    pub expected: usize,
    pub expected_matched: usize,
    /// Per kind (direct, partial, indirect): expected, matched.
    pub by_kind: [(usize, usize); 3],
    pub speaker_pairs: usize,
    pub speaker_right: usize,
    pub party_right: usize,
    pub channel_right: usize,
    pub target_tp: usize,
    pub target_fp: usize,
    pub target_fn: usize,
    /// (speaker party, target party) pairs of the article: found in both,
    /// predicted only, annotated only.
    pub dyad_tp: usize,
    pub dyad_fp: usize,
    pub dyad_fn: usize,
    /// Predicted quotes overlapping a `not_quotes` string.
    pub not_quote_hits: usize,
    /// Human-readable problems: missed quotes, wrong speakers, inventions.
    pub problems: Vec<String>,
}

impl Score {
    pub fn add(&mut self, o: &Score) {
        self.predicted += o.predicted;
        self.predicted_matched += o.predicted_matched;
        self.expected += o.expected;
        self.expected_matched += o.expected_matched;
        for k in 0..3 {
            self.by_kind[k].0 += o.by_kind[k].0;
            self.by_kind[k].1 += o.by_kind[k].1;
        }
        self.speaker_pairs += o.speaker_pairs;
        self.speaker_right += o.speaker_right;
        self.party_right += o.party_right;
        self.channel_right += o.channel_right;
        self.target_tp += o.target_tp;
        self.target_fp += o.target_fp;
        self.target_fn += o.target_fn;
        self.not_quote_hits += o.not_quote_hits;
        self.dyad_tp += o.dyad_tp;
        self.dyad_fp += o.dyad_fp;
        self.dyad_fn += o.dyad_fn;
        self.problems.extend(o.problems.iter().cloned());
    }

    pub fn precision(&self) -> f64 {
        ratio(self.predicted_matched, self.predicted)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.expected_matched, self.expected)
    }
    pub fn speaker_accuracy(&self) -> f64 {
        ratio(self.speaker_right, self.speaker_pairs)
    }
    pub fn target_f1(&self) -> f64 {
        let p = ratio(self.target_tp, self.target_tp + self.target_fp);
        let r = ratio(self.target_tp, self.target_tp + self.target_fn);
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

pub fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

fn kind_index(k: &str) -> usize {
    match k {
        "direct" => 0,
        "partial" => 1,
        _ => 2,
    }
}

/// The annotated articles, sorted by name.
pub fn article_files(dir: &Path) -> Vec<(PathBuf, PathBuf)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if let Some(stem) = name.strip_suffix(".txt") {
            let exp = dir.join(format!("{stem}.expected.json"));
            if exp.exists() {
                out.push((p.clone(), exp));
            }
        }
    }
    out.sort();
    out
}

/// Every byte span where `needle` occurs in `hay`, also with `\n` written
/// as `\r\n` (annotations are written against LF text).
fn locate(hay: &str, needle: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let crlf = needle.replace('\n', "\r\n");
    for n in [needle, crlf.as_str()] {
        if n.is_empty() {
            continue;
        }
        let mut from = 0;
        while let Some(i) = hay[from..].find(n) {
            out.push((from + i, from + i + n.len()));
            from += i + n.len();
        }
    }
    out
}

fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Scores one article.
pub fn score_article(txt: &Path, expected: &Path, dict: &PartyDict) -> Score {
    let name = txt.file_name().unwrap().to_string_lossy().to_string();
    let bytes = std::fs::read(txt).expect("article readable");
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let exp: Expected = serde_json::from_str(&std::fs::read_to_string(expected).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", expected.display()));
    let article = Article::parse(&name, text);
    let quotes = extract(&article, dict);
    score(&name, &article.text, &quotes, &exp)
}

pub fn score(name: &str, text: &str, quotes: &[Quote], exp: &Expected) -> Score {
    let mut s = Score {
        predicted: quotes.len(),
        expected: exp.quotes.len(),
        ..Score::default()
    };
    let spans: Vec<Vec<(usize, usize)>> =
        exp.quotes.iter().map(|e| locate(text, &e.text)).collect();
    // Who stands where: the article's (speaker party, target party) pairs,
    // whatever quote they come from. A party's statements about itself are
    // no dyad.
    let pairs = |items: Vec<(Option<&str>, &str)>| -> BTreeSet<(String, String)> {
        items
            .into_iter()
            .filter_map(|(sp, tp)| {
                sp.filter(|sp| *sp != tp)
                    .map(|sp| (sp.to_string(), tp.to_string()))
            })
            .collect()
    };
    let got = pairs(
        quotes
            .iter()
            .flat_map(|q| {
                q.targets
                    .iter()
                    .map(move |t| (q.speaker_party.as_deref(), t.party.as_str()))
            })
            .collect(),
    );
    let want = pairs(
        exp.quotes
            .iter()
            .flat_map(|e| {
                e.targets
                    .iter()
                    .map(move |t| (e.speaker_party.as_deref(), t.party.as_str()))
            })
            .collect(),
    );
    s.dyad_tp = got.intersection(&want).count();
    s.dyad_fp = got.difference(&want).count();
    s.dyad_fn = want.difference(&got).count();
    for (e, sp) in exp.quotes.iter().zip(&spans) {
        if sp.is_empty() {
            s.problems.push(format!(
                "{name}: expected text not in article: {:?}",
                e.text
            ));
        }
    }
    let matches = |q: &Quote, i: usize| {
        q.kind.as_str() == exp.quotes[i].kind
            && spans[i].iter().any(|&sp| overlaps(sp, (q.start, q.end)))
    };
    for q in quotes {
        if (0..exp.quotes.len()).any(|i| matches(q, i)) {
            s.predicted_matched += 1;
        } else {
            s.problems.push(format!(
                "{name}: unexpected {} quote by {:?}: {:?}",
                q.kind.as_str(),
                q.speaker,
                clip(&q.text)
            ));
        }
        for nq in &exp.not_quotes {
            if locate(text, nq)
                .iter()
                .any(|&sp| overlaps(sp, (q.start, q.end)))
            {
                s.not_quote_hits += 1;
                s.problems
                    .push(format!("{name}: reported a not-quote: {:?}", clip(nq)));
            }
        }
    }
    for (i, e) in exp.quotes.iter().enumerate() {
        let k = kind_index(&e.kind);
        s.by_kind[k].0 += 1;
        // The prediction overlapping most.
        let best = quotes.iter().filter(|q| matches(q, i)).max_by_key(|q| {
            spans[i]
                .iter()
                .map(|&(a, b)| b.min(q.end).saturating_sub(a.max(q.start)))
                .max()
                .unwrap_or(0)
        });
        let Some(q) = best else {
            s.problems.push(format!(
                "{name}: missed {} quote by {:?}: {:?}",
                e.kind,
                e.speaker,
                clip(&e.text)
            ));
            continue;
        };
        s.expected_matched += 1;
        s.by_kind[k].1 += 1;
        s.speaker_pairs += 1;
        if q.speaker == e.speaker {
            s.speaker_right += 1;
        } else {
            s.problems.push(format!(
                "{name}: speaker {:?}, expected {:?}: {:?}",
                q.speaker,
                e.speaker,
                clip(&e.text)
            ));
        }
        if q.speaker_party == e.speaker_party {
            s.party_right += 1;
        } else {
            s.problems.push(format!(
                "{name}: speaker party {:?} ({:?}), expected {:?} ({:?}): {:?}",
                q.speaker_party,
                q.speaker,
                e.speaker_party,
                e.speaker,
                clip(&e.text)
            ));
        }
        if q.channel == e.channel {
            s.channel_right += 1;
        } else {
            s.problems.push(format!(
                "{name}: channel {:?}, expected {:?}: {:?}",
                q.channel,
                e.channel,
                clip(&e.text)
            ));
        }
        let got: BTreeSet<&str> = q.targets.iter().map(|t| t.party.as_str()).collect();
        let want: BTreeSet<&str> = e.targets.iter().map(|t| t.party.as_str()).collect();
        s.target_tp += got.intersection(&want).count();
        s.target_fp += got.difference(&want).count();
        s.target_fn += want.difference(&got).count();
        if got != want {
            s.problems.push(format!(
                "{name}: targets {got:?}, expected {want:?}: {:?}",
                clip(&e.text)
            ));
        }
    }
    s
}

fn clip(s: &str) -> String {
    let t: String = s.chars().take(60).collect();
    if t.len() < s.len() {
        format!("{t}...")
    } else {
        t
    }
}

/// A report in the shape of scikit-learn's classification report.
pub fn report(total: &Score, per_article: &[(String, Score)]) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{:<40} {:>5} {:>5} {:>9} {:>7} {:>8}\n",
        "article", "pred", "gold", "precision", "recall", "speaker"
    ));
    for (name, s) in per_article {
        out.push_str(&format!(
            "{:<40} {:>5} {:>5} {:>9.3} {:>7.3} {:>8.3}\n",
            name,
            s.predicted,
            s.expected,
            s.precision(),
            s.recall(),
            s.speaker_accuracy()
        ));
    }
    out.push('\n');
    for (k, label) in ["direct", "partial", "indirect"].iter().enumerate() {
        let (n, m) = total.by_kind[k];
        out.push_str(&format!(
            "recall {label:<9} {m:>3}/{n:<3} = {:.3}\n",
            ratio(m, n)
        ));
    }
    out.push_str(&format!(
        "\nquotes: precision {:.3} ({}/{})  recall {:.3} ({}/{})\n",
        total.precision(),
        total.predicted_matched,
        total.predicted,
        total.recall(),
        total.expected_matched,
        total.expected
    ));
    out.push_str(&format!(
        "speaker accuracy {:.3} ({}/{})  speaker party {:.3}  channel {:.3}  target F1 {:.3}  not-quotes reported {}\n",
        total.speaker_accuracy(),
        total.speaker_right,
        total.speaker_pairs,
        ratio(total.party_right, total.speaker_pairs),
        ratio(total.channel_right, total.speaker_pairs),
        total.target_f1(),
        total.not_quote_hits
    ));
    let prf = |tp: usize, fp: usize, fn_: usize| {
        let (p, r) = (ratio(tp, tp + fp), ratio(tp, tp + fn_));
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        format!("P {p:.3} R {r:.3} F1 {f:.3} ({tp} found, {fp} extra, {fn_} missed)")
    };
    out.push_str(&format!(
        "targets of matched quotes: {}\ndyads (speaker party, target party) per article: {}\n",
        prf(total.target_tp, total.target_fp, total.target_fn),
        prf(total.dyad_tp, total.dyad_fp, total.dyad_fn)
    ));
    out
}

/// Scores every article of a directory with the embedded dictionary.
pub fn evaluate(dir: &Path) -> (Score, Vec<(String, Score)>) {
    let dict = PartyDict::embedded();
    let mut total = Score::default();
    let mut per = Vec::new();
    for (txt, exp) in article_files(dir) {
        let s = score_article(&txt, &exp, dict);
        total.add(&s);
        per.push((txt.file_stem().unwrap().to_string_lossy().to_string(), s));
    }
    (total, per)
}
