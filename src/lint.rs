//! Checks a labelled corpus before anyone trains on it: schema (as the loader
//! reports it), label and sentiment sets, duplicate rows and ids, leakage of a
//! quote between files, near-duplicate quotes, label balance, and the corpus
//! requirements (counts), each PASS or FAIL.
//!
//! A *quote* is a distinct `text`; a quote with several targets is several
//! rows. Duplicates and leakage compare texts after [`normalize`], so a quote
//! that differs only in punctuation, case or digits still counts as the same.

use crate::data::{Example, Loaded};
use crate::error::Error;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

/// The stance labels of the stancekit corpus.
pub const DEFAULT_LABELS: [&str; 3] = ["conciliatory", "critical", "neutral"];
/// The quote-level sentiment labels of the stancekit corpus.
pub const DEFAULT_SENTIMENTS: [&str; 3] = ["positive", "negative", "neutral"];
/// Pass-through field listing a row's hard-case tags (a comma-separated
/// string or an array); a row is a hard case when it is non-empty.
pub const HARD_FIELD: &str = "hard";

/// Lowercases, drops apostrophes (so "don't" becomes "dont"), turns digits,
/// punctuation and whitespace into single spaces, and trims. The result holds
/// only lowercase letters (and combining marks) separated by single spaces,
/// and normalising it again changes nothing.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut gap = false;
    for c in text.chars() {
        if c.is_alphabetic() || ('\u{300}'..='\u{36f}').contains(&c) {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.extend(c.to_lowercase());
        } else if !matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '\u{2bc}') {
            gap = true;
        }
    }
    out
}

/// Two texts whose normalised word 3-shingle sets are similar.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NearDuplicate {
    /// Indices into the input, `first < second`.
    pub first: usize,
    pub second: usize,
    /// Jaccard similarity of the two shingle sets, in (0, 1].
    pub similarity: f64,
}

/// Every pair of texts whose word 3-shingle sets (after [`normalize`]; a text
/// of one or two words is one shingle) have a Jaccard similarity of at least
/// `threshold`. Exact, not sampled: an all-pairs similarity join with prefix
/// filtering, so only pairs sharing one of their rarest shingles are compared
/// and the cost stays close to linear on corpora of ordinary quotes. Texts
/// with no words are never near-duplicates. Pairs come sorted.
pub fn near_duplicates<S: AsRef<str>>(texts: &[S], threshold: f64) -> Vec<NearDuplicate> {
    let threshold = threshold.clamp(f64::MIN_POSITIVE, 1.0);
    let norms: Vec<String> = texts.iter().map(|t| normalize(t.as_ref())).collect();
    // Shingles as token ids; a 3-word window is a contiguous slice of the
    // normalised text because words are separated by single spaces.
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let mut sets: Vec<Vec<u32>> = Vec::with_capacity(norms.len());
    for norm in &norms {
        let words: Vec<(usize, usize)> = norm
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(|w| {
                let start = w.as_ptr() as usize - norm.as_ptr() as usize;
                (start, start + w.len())
            })
            .collect();
        let k = words.len().min(3);
        let mut set: Vec<u32> = if k == 0 {
            Vec::new()
        } else {
            words
                .windows(k)
                .map(|w| {
                    let next = ids.len() as u32;
                    *ids.entry(&norm[w[0].0..w[k - 1].1]).or_insert(next)
                })
                .collect()
        };
        set.sort_unstable();
        set.dedup();
        sets.push(set);
    }
    // Re-number tokens by document frequency, rarest first, so that a sorted
    // set starts with its rarest tokens: those are its prefix.
    let mut freq = vec![0u32; ids.len()];
    for set in &sets {
        for &t in set {
            freq[t as usize] += 1;
        }
    }
    let mut order: Vec<u32> = (0..ids.len() as u32).collect();
    order.sort_unstable_by_key(|&t| (freq[t as usize], t));
    let mut rank = vec![0u32; ids.len()];
    for (r, &t) in order.iter().enumerate() {
        rank[t as usize] = r as u32;
    }
    for set in &mut sets {
        for t in set.iter_mut() {
            *t = rank[*t as usize];
        }
        set.sort_unstable();
    }
    // If J(x, y) >= t then |x ∩ y| >= ceil(t·|x|), and the prefixes of x and
    // y of length |x| - ceil(t·|x|) + 1 (and likewise for y) share a token.
    // The small epsilon only lengthens prefixes, which is always safe.
    let prefix_len = |n: usize| n + 1 - ((threshold * n as f64 - 1e-9).ceil().max(1.0) as usize);
    let mut index: Vec<Vec<u32>> = vec![Vec::new(); ids.len()];
    let mut seen_by = vec![u32::MAX; sets.len()];
    let mut pairs = Vec::new();
    for (x, set) in sets.iter().enumerate() {
        if set.is_empty() {
            continue;
        }
        let prefix = &set[..prefix_len(set.len()).min(set.len())];
        let mut candidates = Vec::new();
        for &t in prefix {
            for &y in &index[t as usize] {
                if seen_by[y as usize] != x as u32 {
                    seen_by[y as usize] = x as u32;
                    candidates.push(y as usize);
                }
            }
        }
        for y in candidates {
            let other = &sets[y];
            // Size filter: J <= min/max.
            let (small, large) = (set.len().min(other.len()), set.len().max(other.len()));
            if (small as f64) < threshold * large as f64 - 1e-9 {
                continue;
            }
            let shared = intersection_size(set, other);
            let similarity = shared as f64 / (set.len() + other.len() - shared) as f64;
            if similarity >= threshold - 1e-12 {
                pairs.push(NearDuplicate {
                    first: y.min(x),
                    second: y.max(x),
                    similarity,
                });
            }
        }
        for &t in prefix {
            index[t as usize].push(x as u32);
        }
    }
    pairs.sort_by_key(|p| (p.first, p.second));
    pairs
}

fn intersection_size(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// The minimum corpus the stance model is meant to be trained on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Requirements {
    pub min_rows: usize,
    /// Distinct texts.
    pub min_quotes: usize,
    /// Distinct values of `target` and `speaker_party` together.
    pub min_parties: usize,
    /// Distinct values of `speaker`.
    pub min_speakers: usize,
    /// Every label's share of all rows must lie in this range.
    pub label_share: (f64, f64),
    /// Share of quotes with two or more distinct targets.
    pub min_multi_target_share: f64,
    /// Share of those multi-target quotes whose targets get different labels.
    pub min_mixed_share: f64,
    /// Share of rows that carry a hard-case tag.
    pub min_hard_share: f64,
}

impl Default for Requirements {
    fn default() -> Self {
        Requirements {
            min_rows: 3000,
            min_quotes: 1200,
            min_parties: 60,
            min_speakers: 200,
            label_share: (0.25, 0.45),
            min_multi_target_share: 0.30,
            min_mixed_share: 0.50,
            min_hard_share: 0.20,
        }
    }
}

#[derive(Debug, Clone)]
pub struct LintConfig {
    /// Allowed values of the label field.
    pub labels: Vec<String>,
    /// Allowed values of `sentiment` (which may be absent).
    pub sentiments: Vec<String>,
    /// Word 3-shingle Jaccard similarity from which two quotes are reported
    /// as near-duplicates.
    pub near_duplicate_threshold: f64,
    pub requirements: Requirements,
}

impl Default for LintConfig {
    fn default() -> Self {
        LintConfig {
            labels: DEFAULT_LABELS.iter().map(|s| s.to_string()).collect(),
            sentiments: DEFAULT_SENTIMENTS.iter().map(|s| s.to_string()).collect(),
            near_duplicate_threshold: 0.8,
            requirements: Requirements::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The data is wrong; lint exits with status 1.
    Error,
    /// Worth a look; does not change the exit status.
    Warning,
}

/// One finding, at a file and (usually) a line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    pub severity: Severity,
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        match self.line {
            Some(line) => write!(f, "{severity}: {}:{line}: {}", self.file, self.message),
            None => write!(f, "{severity}: {}: {}", self.file, self.message),
        }
    }
}

/// Counts for one file, or for all files together.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileStats {
    pub file: String,
    /// Rows that passed the schema check.
    pub rows: usize,
    /// Records that failed the schema check.
    pub invalid: usize,
    /// Distinct texts.
    pub quotes: usize,
    /// Rows with a hard-case tag.
    pub hard_rows: usize,
    pub labels: BTreeMap<String, usize>,
    /// Rows per sentiment; rows without one are not counted.
    pub sentiments: BTreeMap<String, usize>,
}

/// One corpus requirement and how the corpus measures up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Requirement {
    pub name: String,
    /// The measured count, or share in [0, 1].
    pub measured: f64,
    /// The measurement as shown, e.g. `3477` or `33.1% (1151)`.
    pub value: String,
    /// What is required, e.g. `>= 3000`; empty for information only.
    pub expected: String,
    /// None for information that has no threshold.
    pub pass: Option<bool>,
}

/// Everything lint found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LintReport {
    pub files: Vec<FileStats>,
    pub total: FileStats,
    pub requirements: Vec<Requirement>,
    /// Errors first, then warnings, each in file and line order.
    pub problems: Vec<Problem>,
    pub errors: usize,
    pub warnings: usize,
    pub failed_requirements: usize,
}

/// Whether a row carries a hard-case tag: its `hard` field is a non-empty
/// string or a non-empty array.
pub fn is_hard(example: &Example) -> bool {
    match example.extra.get(HARD_FIELD) {
        Some(serde_json::Value::String(s)) => !s.trim().is_empty(),
        Some(serde_json::Value::Array(a)) => !a.is_empty(),
        Some(serde_json::Value::Bool(b)) => *b,
        _ => false,
    }
}

/// The `topic` values of labeled/GUIDE.md.
pub const TOPICS: &[&str] = &[
    "security",
    "trade",
    "climate",
    "sanctions",
    "elections",
    "migration",
    "technology",
    "health",
    "energy",
    "diplomacy",
    "human_rights",
    "finance",
];

/// The `register` values of labeled/GUIDE.md (a missing one means `wire`).
pub const REGISTERS: &[&str] = &[
    "wire",
    "campaign",
    "debate",
    "interview",
    "social",
    "military",
    "opposition",
    "analyst",
];

/// The hard-case tags of labeled/GUIDE.md.
pub const HARD_TAGS: &[&str] = &[
    "negation",
    "hedge",
    "understatement",
    "conditional_threat",
    "sarcasm",
    "third_party_praise",
    "mixed",
    "own_party",
    "metonym",
    "our_countries",
    "but_clause",
    "example",
    "reference",
    "procedural",
    "threat",
];

/// A row's `topic`, `register` and `hard` values that are not in the
/// guide's sets, as messages. Absent fields are fine.
fn vocabulary_problems(ex: &Example) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |field: &str, value: &str, allowed: &[&str]| {
        if !allowed.contains(&value) {
            out.push(format!(
                "unknown {field} {value:?} (labeled/GUIDE.md allows: {})",
                allowed.join(", ")
            ));
        }
    };
    for (field, allowed) in [("topic", TOPICS), ("register", REGISTERS)] {
        match ex.extra.get(field) {
            None | Some(serde_json::Value::Null) => {}
            Some(serde_json::Value::String(v)) => check(field, v, allowed),
            Some(other) => check(field, &other.to_string(), allowed),
        }
    }
    let tags: Vec<String> = match ex.extra.get(HARD_FIELD) {
        Some(serde_json::Value::String(s)) => s
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(String::from)
            .collect(),
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), String::from))
            .collect(),
        _ => Vec::new(),
    };
    for tag in &tags {
        check("hard tag", tag, HARD_TAGS);
    }
    out
}

struct Row<'a> {
    file: usize,
    ex: &'a Example,
    /// Normalised text, or the trimmed text when nothing is left of it.
    key: String,
}

/// Per distinct text.
#[derive(Default)]
struct Quote<'a> {
    targets: HashSet<&'a str>,
    labels: HashSet<&'a str>,
    hard: bool,
    /// First row with a sentiment.
    sentiment: Option<(&'a str, usize)>,
}

/// Lints the loaded files together. `files` pairs each file's name (as it
/// should appear in messages) with what [`crate::data::load`] read from it,
/// loaded with `skip_invalid` so that every schema error is in `skipped`.
pub fn lint(files: &[(String, Loaded)], cfg: &LintConfig) -> LintReport {
    let mut problems = Vec::new();
    for (name, loaded) in files {
        for e in &loaded.skipped {
            problems.push(match e {
                Error::Record {
                    origin,
                    line,
                    message,
                } => Problem {
                    severity: Severity::Error,
                    file: origin.clone(),
                    line: Some(*line),
                    message: message.clone(),
                },
                other => Problem {
                    severity: Severity::Error,
                    file: name.clone(),
                    line: None,
                    message: other.to_string(),
                },
            });
        }
    }
    let rows: Vec<Row> = files
        .iter()
        .enumerate()
        .flat_map(|(file, (_, loaded))| {
            loaded.examples.iter().map(move |ex| {
                let norm = normalize(&ex.text);
                let key = if norm.is_empty() {
                    ex.text.trim().to_string()
                } else {
                    norm
                };
                Row { file, ex, key }
            })
        })
        .collect();
    let loc = |r: usize| format!("{}:{}", files[rows[r].file].0, rows[r].ex.line);
    let mut problem = |severity: Severity, r: usize, message: String| {
        problems.push(Problem {
            severity,
            file: files[rows[r].file].0.clone(),
            line: Some(rows[r].ex.line),
            message,
        })
    };

    let mut ids: HashMap<&str, usize> = HashMap::new();
    let mut same_row: HashMap<(&str, String), usize> = HashMap::new();
    // Per normalised text: the first row in each file it occurs in.
    let mut by_key: HashMap<&str, Vec<usize>> = HashMap::new();
    // Per normalised text, in order of first appearance: each distinct text
    // with its first row.
    let mut key_order: Vec<&str> = Vec::new();
    let mut variants: HashMap<&str, Vec<(&str, usize)>> = HashMap::new();
    let mut quotes: HashMap<&str, Quote> = HashMap::new();
    for (r, row) in rows.iter().enumerate() {
        let ex = row.ex;
        let label = ex.label.as_deref().unwrap_or("");
        if !cfg.labels.iter().any(|l| l == label) {
            problem(
                Severity::Error,
                r,
                format!("label {label:?} is not one of {}", cfg.labels.join(", ")),
            );
        }
        if let Some(s) = ex.sentiment.as_deref() {
            if !cfg.sentiments.iter().any(|l| l == s) {
                problem(
                    Severity::Error,
                    r,
                    format!(
                        "sentiment {s:?} is not one of {}",
                        cfg.sentiments.join(", ")
                    ),
                );
            }
        }
        if let Some(id) = ex.id.as_deref() {
            match ids.get(id) {
                Some(&first) => problem(
                    Severity::Error,
                    r,
                    format!("duplicate id {id:?}, first used at {}", loc(first)),
                ),
                None => {
                    ids.insert(id, r);
                }
            }
        }
        let target = ex.target.to_lowercase();
        match same_row.get(&(row.key.as_str(), target.clone())) {
            Some(&first) => problem(
                Severity::Error,
                r,
                format!(
                    "duplicate row: same text and target {:?} as {}",
                    ex.target,
                    loc(first)
                ),
            ),
            None => {
                same_row.insert((row.key.as_str(), target), r);
            }
        }
        let firsts = by_key.entry(&row.key).or_default();
        if firsts.is_empty() {
            key_order.push(&row.key);
        }
        if !firsts.iter().any(|&f| rows[f].file == row.file) {
            if let Some(&first) = firsts.first() {
                problem(
                    Severity::Error,
                    r,
                    format!(
                        "leakage: the same quote (after normalisation) is in {}",
                        loc(first)
                    ),
                );
            }
            firsts.push(r);
        }
        let texts = variants.entry(&row.key).or_default();
        if !texts.iter().any(|(t, _)| *t == ex.text) {
            if let Some(&(_, first)) = texts.first() {
                if rows[first].file == row.file {
                    problem(
                        Severity::Warning,
                        r,
                        format!(
                            "near-duplicate of {}: the same text after normalisation",
                            loc(first)
                        ),
                    );
                }
            }
            texts.push((&ex.text, r));
        }
        let quote = quotes.entry(&ex.text).or_default();
        quote.targets.insert(&ex.target);
        quote.labels.insert(label);
        quote.hard |= is_hard(ex);
        for message in vocabulary_problems(ex) {
            problem(Severity::Error, r, message);
        }
        if let Some(s) = ex.sentiment.as_deref() {
            match quote.sentiment {
                Some((first, at)) if first != s => problem(
                    Severity::Warning,
                    r,
                    format!(
                        "sentiment {s:?} differs from {first:?} for the same quote at {}",
                        loc(at)
                    ),
                ),
                Some(_) => {}
                None => quote.sentiment = Some((s, r)),
            }
        }
    }

    // Near-duplicates between different normalised texts.
    let keys: Vec<&str> = key_order
        .iter()
        .copied()
        .filter(|k| !normalize(k).is_empty())
        .collect();
    for pair in near_duplicates(&keys, cfg.near_duplicate_threshold) {
        let a = variants[keys[pair.first]][0].1;
        let b = variants[keys[pair.second]][0].1;
        let leak = if rows[a].file != rows[b].file {
            "; in different files, so a possible leak"
        } else {
            ""
        };
        problem(
            Severity::Warning,
            b,
            format!(
                "near-duplicate of {} (word 3-shingle Jaccard {:.2}){leak}",
                loc(a),
                pair.similarity
            ),
        );
    }

    // Counts.
    let stats = |name: &str, rows: &[&Row], invalid: usize| {
        let mut s = FileStats {
            file: name.to_string(),
            rows: rows.len(),
            invalid,
            quotes: rows
                .iter()
                .map(|r| r.ex.text.as_str())
                .collect::<HashSet<_>>()
                .len(),
            hard_rows: rows.iter().filter(|r| is_hard(r.ex)).count(),
            labels: cfg.labels.iter().map(|l| (l.clone(), 0)).collect(),
            sentiments: BTreeMap::new(),
        };
        for r in rows {
            *s.labels
                .entry(r.ex.label.clone().unwrap_or_default())
                .or_default() += 1;
            if let Some(sent) = &r.ex.sentiment {
                *s.sentiments.entry(sent.clone()).or_default() += 1;
            }
        }
        s
    };
    let file_stats: Vec<FileStats> = files
        .iter()
        .enumerate()
        .map(|(i, (name, loaded))| {
            let mine: Vec<&Row> = rows.iter().filter(|r| r.file == i).collect();
            stats(name, &mine, loaded.skipped.len())
        })
        .collect();
    let all: Vec<&Row> = rows.iter().collect();
    let invalid = files.iter().map(|(_, l)| l.skipped.len()).sum();
    let total = stats("total", &all, invalid);

    let mut problem_file = |file: &str, message: String| {
        problems.push(Problem {
            severity: Severity::Warning,
            file: file.to_string(),
            line: None,
            message,
        })
    };
    let (lo, hi) = cfg.requirements.label_share;
    for s in &file_stats {
        if s.rows == 0 {
            problem_file(&s.file, "no usable rows".into());
            continue;
        }
        for label in &cfg.labels {
            let share = s.labels[label] as f64 / s.rows as f64;
            if share < lo || share > hi {
                problem_file(
                    &s.file,
                    format!(
                        "label {label:?} is {} of the rows, outside {}",
                        pct(share),
                        range(lo, hi)
                    ),
                );
            }
        }
    }

    let req = &cfg.requirements;
    let mut requirements = Vec::new();
    let mut at_least = |name: &str, n: usize, min: usize| {
        requirements.push(Requirement {
            name: name.into(),
            measured: n as f64,
            value: n.to_string(),
            expected: format!(">= {min}"),
            pass: Some(n >= min),
        })
    };
    let parties: HashSet<&str> = rows
        .iter()
        .flat_map(|r| [Some(r.ex.target.as_str()), r.ex.speaker_party.as_deref()])
        .flatten()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let speakers: HashSet<&str> = rows
        .iter()
        .filter_map(|r| r.ex.speaker.as_deref())
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    at_least("rows", total.rows, req.min_rows);
    at_least("quotes (distinct texts)", total.quotes, req.min_quotes);
    at_least(
        "parties (targets and speaker parties)",
        parties.len(),
        req.min_parties,
    );
    at_least("speakers", speakers.len(), req.min_speakers);
    let share = |name: String, n: usize, of: usize, expected: String, pass: Option<bool>| {
        let measured = if of == 0 { 0.0 } else { n as f64 / of as f64 };
        Requirement {
            name,
            measured,
            value: format!("{} ({n} of {of})", pct(measured)),
            expected,
            pass,
        }
    };
    let in_range = |n: usize, of: usize| {
        let s = if of == 0 { 0.0 } else { n as f64 / of as f64 };
        Some(of > 0 && s >= lo && s <= hi)
    };
    let at_least_share = |n: usize, of: usize, min: f64| {
        let s = if of == 0 { 0.0 } else { n as f64 / of as f64 };
        Some(of > 0 && s >= min)
    };
    for label in &cfg.labels {
        let n = total.labels[label];
        requirements.push(share(
            format!("label {label}"),
            n,
            total.rows,
            range(lo, hi),
            in_range(n, total.rows),
        ));
    }
    let multi = quotes.values().filter(|q| q.targets.len() >= 2).count();
    let mixed = quotes
        .values()
        .filter(|q| q.targets.len() >= 2 && q.labels.len() >= 2)
        .count();
    requirements.push(share(
        "quotes with 2+ targets".into(),
        multi,
        quotes.len(),
        format!(">= {}", pct0(req.min_multi_target_share)),
        at_least_share(multi, quotes.len(), req.min_multi_target_share),
    ));
    requirements.push(share(
        "  of which with different labels".into(),
        mixed,
        multi,
        format!(">= {}", pct0(req.min_mixed_share)),
        at_least_share(mixed, multi, req.min_mixed_share),
    ));
    requirements.push(share(
        "hard-case rows".into(),
        total.hard_rows,
        total.rows,
        format!(">= {}", pct0(req.min_hard_share)),
        at_least_share(total.hard_rows, total.rows, req.min_hard_share),
    ));
    let hard_quotes = quotes.values().filter(|q| q.hard).count();
    requirements.push(share(
        "hard-case quotes".into(),
        hard_quotes,
        quotes.len(),
        String::new(),
        None,
    ));
    for s in &file_stats {
        requirements.push(share(
            format!("split {}", s.file),
            s.rows,
            total.rows,
            String::new(),
            None,
        ));
    }
    let leaked = by_key.values().filter(|f| f.len() > 1).count();
    requirements.push(Requirement {
        name: "no quote in two files".into(),
        measured: leaked as f64,
        value: format!("{leaked} leaked"),
        expected: "0 leaked".into(),
        pass: Some(leaked == 0),
    });

    let file_pos = |f: &str| files.iter().position(|(n, _)| n == f);
    problems.sort_by_key(|p| (p.severity, file_pos(&p.file), p.line));
    let errors = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    let failed_requirements = requirements
        .iter()
        .filter(|r| r.pass == Some(false))
        .count();
    LintReport {
        warnings: problems.len() - errors,
        errors,
        failed_requirements,
        files: file_stats,
        total,
        requirements,
        problems,
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

fn pct0(x: f64) -> String {
    format!("{:.0}%", 100.0 * x)
}

fn range(lo: f64, hi: f64) -> String {
    format!("{:.0}-{:.0}%", 100.0 * lo, 100.0 * hi)
}

/// Left-aligns the first `left` columns and right-aligns the others.
fn table(header: &[String], rows: &[Vec<String>], left: usize) -> String {
    let width = |i: usize| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .chain([header[i].chars().count()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..header.len()).map(width).collect();
    let mut out = String::new();
    for row in std::iter::once(header).chain(rows.iter().map(|r| r.as_slice())) {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i < left {
                    format!("{c:<w$}", w = widths[i])
                } else {
                    format!("{c:>w$}", w = widths[i])
                }
            })
            .collect();
        out.push_str(&format!("  {}\n", cells.join("  ").trim_end()));
    }
    out
}

fn count_with_share(n: usize, of: usize) -> String {
    let share = if of == 0 { 0.0 } else { n as f64 / of as f64 };
    format!("{n} ({})", pct(share))
}

impl LintReport {
    /// The report as plain text: requirements, per-file counts, then at
    /// most `max_problems` problems (0: all) and a one-line verdict.
    pub fn to_text(&self, max_problems: usize) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "Corpus requirements ({} files, {} rows, {} quotes)\n",
            self.files.len(),
            self.total.rows,
            self.total.quotes
        ));
        let reqs: Vec<Vec<String>> = self
            .requirements
            .iter()
            .map(|r| {
                let status = match r.pass {
                    Some(true) => "PASS",
                    Some(false) => "FAIL",
                    None => "info",
                };
                vec![
                    status.to_string(),
                    r.name.clone(),
                    r.value.clone(),
                    r.expected.clone(),
                ]
            })
            .collect();
        let header = ["", "requirement", "value", "required"].map(String::from);
        out.push_str(&table(&header, &reqs, 2));

        let all: Vec<&FileStats> = self.files.iter().chain([&self.total]).collect();
        let mut labels: Vec<&String> = self.total.labels.keys().collect();
        labels.sort_by_key(|l| (l.is_empty(), l.as_str()));
        let mut header = ["file", "rows", "invalid", "quotes", "hard rows"]
            .map(String::from)
            .to_vec();
        header.extend(labels.iter().map(|l| {
            if l.is_empty() {
                "(no label)".to_string()
            } else {
                l.to_string()
            }
        }));
        let rows: Vec<Vec<String>> = all
            .iter()
            .map(|s| {
                let mut row = vec![
                    s.file.clone(),
                    s.rows.to_string(),
                    s.invalid.to_string(),
                    s.quotes.to_string(),
                    count_with_share(s.hard_rows, s.rows),
                ];
                row.extend(
                    labels
                        .iter()
                        .map(|l| count_with_share(s.labels.get(*l).copied().unwrap_or(0), s.rows)),
                );
                row
            })
            .collect();
        out.push_str("\nLabels per file\n");
        out.push_str(&table(&header, &rows, 1));

        let sentiments: Vec<&String> = self.total.sentiments.keys().collect();
        if !sentiments.is_empty() {
            let mut header = vec!["file".to_string()];
            header.extend(sentiments.iter().map(|s| s.to_string()));
            let rows: Vec<Vec<String>> = all
                .iter()
                .map(|s| {
                    let with: usize = s.sentiments.values().sum();
                    let mut row = vec![s.file.clone()];
                    row.extend(sentiments.iter().map(|k| {
                        count_with_share(s.sentiments.get(*k).copied().unwrap_or(0), with)
                    }));
                    row
                })
                .collect();
            out.push_str("\nSentiment per file\n");
            out.push_str(&table(&header, &rows, 1));
        }

        out.push_str(&format!(
            "\nProblems: {} errors, {} warnings\n",
            self.errors, self.warnings
        ));
        let shown = if max_problems == 0 {
            self.problems.len()
        } else {
            max_problems.min(self.problems.len())
        };
        for p in &self.problems[..shown] {
            out.push_str(&format!("  {p}\n"));
        }
        if shown < self.problems.len() {
            out.push_str(&format!(
                "  ... and {} more (--max-problems 0 lists all)\n",
                self.problems.len() - shown
            ));
        }
        out.push_str(&format!(
            "\n{}: {} errors, {} warnings, {} of {} requirements failed\n",
            if self.errors == 0 { "ok" } else { "FAIL" },
            self.errors,
            self.warnings,
            self.failed_requirements,
            self.requirements
                .iter()
                .filter(|r| r.pass.is_some())
                .count()
        ));
        out
    }

    /// The whole report, every problem included, as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("lint report serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{load_reader, InputFormat, LoadOptions};

    fn load(s: &str, name: &str) -> (String, Loaded) {
        let opts = LoadOptions {
            skip_invalid: true,
            ..LoadOptions::default()
        };
        let loaded = load_reader(s.as_bytes(), name, InputFormat::Jsonl, &opts).unwrap();
        (name.to_string(), loaded)
    }

    fn row(text: &str, target: &str, label: &str) -> String {
        format!(
            "{}\n",
            serde_json::json!({"text": text, "target": target, "label": label})
        )
    }

    fn messages(r: &LintReport) -> Vec<String> {
        r.problems.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn normalize_lowercases_strips_punctuation_and_digits_and_collapses_space() {
        assert_eq!(
            normalize("  We DON'T accept 3,000 troops -- from Bogotá!\n"),
            "we dont accept troops from bogotá"
        );
        assert_eq!(normalize("F-16s, 2024."), "f s");
        assert_eq!(normalize("42 ... !"), "");
        let once = normalize("İstanbul’s «Grand» Bazaar");
        assert_eq!(normalize(&once), once);
    }

    #[test]
    fn near_duplicate_found_when_one_word_changes_in_a_long_quote() {
        let a = "We will not accept any new tariffs on our steel exports and we expect Washington to reconsider this decision before the summit next month";
        let b = "We will not accept any new tariffs on our steel exports, and we expect Washington to reconsider this decision before the summit next week.";
        let c = "The delegation from Peru arrives on Tuesday for the second round of talks on fishing licences";
        let pairs = near_duplicates(&[a, c, b], 0.8);
        assert_eq!(pairs.len(), 1, "{pairs:?}");
        assert_eq!((pairs[0].first, pairs[0].second), (0, 2));
        assert!(pairs[0].similarity >= 0.8 && pairs[0].similarity < 1.0);
    }

    #[test]
    fn near_duplicate_not_found_for_quotes_sharing_a_phrase() {
        let a = "We will not accept any new tariffs on our steel exports";
        let b = "We will not accept any lessons on democracy from Managua";
        assert!(near_duplicates(&[a, b], 0.8).is_empty());
        // ...but a low threshold finds them, so the index does see the pair.
        assert_eq!(near_duplicates(&[a, b], 0.1).len(), 1);
    }

    #[test]
    fn near_duplicates_agree_with_brute_force() {
        // Texts built from a small vocabulary overlap a lot.
        let words = ["a", "b", "c", "d", "e"];
        let mut texts = Vec::new();
        let mut seed = 7u64;
        for _ in 0..120 {
            let n = 3 + (seed % 6) as usize;
            let mut t = Vec::new();
            for _ in 0..n {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                t.push(words[(seed >> 33) as usize % words.len()]);
            }
            texts.push(t.join(" "));
        }
        let shingles = |t: &str| -> HashSet<String> {
            let w: Vec<&str> = t.split(' ').collect();
            w.windows(3.min(w.len())).map(|s| s.join(" ")).collect()
        };
        for threshold in [0.5, 0.8, 1.0] {
            let mut expected = Vec::new();
            for i in 0..texts.len() {
                for j in i + 1..texts.len() {
                    let (a, b) = (shingles(&texts[i]), shingles(&texts[j]));
                    let jac = a.intersection(&b).count() as f64 / a.union(&b).count() as f64;
                    if jac >= threshold {
                        expected.push((i, j));
                    }
                }
            }
            let got: Vec<(usize, usize)> = near_duplicates(&texts, threshold)
                .iter()
                .map(|p| (p.first, p.second))
                .collect();
            assert_eq!(got, expected, "threshold {threshold}");
        }
    }

    #[test]
    fn leakage_between_files_is_an_error_naming_both_places() {
        let train = load(
            &(row("Russia must stop the shelling now.", "Russia", "critical")
                + &row("We thank Japan for its help.", "Japan", "conciliatory")),
            "train.jsonl",
        );
        let test = load(
            &row("We THANK Japan for its help!", "Japan", "conciliatory"),
            "test.jsonl",
        );
        let r = lint(&[train, test], &LintConfig::default());
        let msgs = messages(&r);
        assert!(
            msgs.contains(
                &"error: test.jsonl:1: leakage: the same quote (after normalisation) is in train.jsonl:2"
                    .to_string()
            ),
            "{msgs:?}"
        );
        assert!(msgs
            .iter()
            .any(|m| m.starts_with("error: test.jsonl:1: duplicate row")));
        let leak = r.requirements.last().unwrap();
        assert_eq!((leak.measured, leak.pass), (1.0, Some(false)));
    }

    #[test]
    fn same_quote_toward_two_targets_in_one_file_is_not_a_duplicate() {
        let f = load(
            &(row("We thank Japan and warn China.", "Japan", "conciliatory")
                + &row("We thank Japan and warn China.", "China", "critical")),
            "a.jsonl",
        );
        let r = lint(&[f], &LintConfig::default());
        assert_eq!(r.errors, 0, "{:?}", messages(&r));
        assert_eq!(r.total.quotes, 1);
        let multi = r
            .requirements
            .iter()
            .find(|q| q.name == "quotes with 2+ targets")
            .unwrap();
        assert_eq!(multi.measured, 1.0);
    }

    #[test]
    fn label_balance_is_a_requirement_and_a_warning_per_file() {
        let mut data = String::new();
        for i in 0..8 {
            data += &row(
                &format!("Quote number {i} about Chile"),
                "Chile",
                "critical",
            );
        }
        data += &row("A calm quote about Peru", "Peru", "neutral");
        data += &row("A warm quote about Peru", "Peru", "conciliatory");
        let r = lint(&[load(&data, "a.jsonl")], &LintConfig::default());
        let critical = r
            .requirements
            .iter()
            .find(|q| q.name == "label critical")
            .unwrap();
        assert_eq!(critical.pass, Some(false));
        assert!((critical.measured - 0.8).abs() < 1e-9);
        assert!(messages(&r).contains(
            &"warning: a.jsonl: label \"critical\" is 80.0% of the rows, outside 25-45%"
                .to_string()
        ));
        // Quotes that differ only in their digits are one quote after normalisation.
        assert!(messages(&r)
            .iter()
            .any(|m| m.starts_with("error: a.jsonl:2: duplicate row")));
    }

    #[test]
    fn unknown_topic_register_and_hard_tags_are_errors_naming_the_value() {
        let rows = [
            serde_json::json!({"text": "Chile votes today.", "target": "Chile", "label": "neutral",
                "topic": "elections", "register": "campaign", "hard": "hedge, negation"}),
            serde_json::json!({"text": "Peru votes today.", "target": "Peru", "label": "neutral",
                "topic": "sport", "register": "tweet", "hard": ["hedge", "irony"]}),
        ];
        let data: String = rows.iter().map(|r| format!("{r}\n")).collect();
        let r = lint(&[load(&data, "a.jsonl")], &LintConfig::default());
        let msgs = messages(&r);
        for bad in [
            "topic \"sport\"",
            "register \"tweet\"",
            "hard tag \"irony\"",
        ] {
            assert!(
                msgs.iter()
                    .any(|m| m.starts_with("error: a.jsonl:2: unknown ") && m.contains(bad)),
                "{bad} in {msgs:?}"
            );
        }
        assert!(!msgs.iter().any(|m| m.contains("a.jsonl:1:")), "{msgs:?}");
        assert_eq!(r.errors, 3);
    }

    #[test]
    fn unknown_label_sentiment_and_schema_errors_have_line_numbers() {
        let data = row("Brazil is a partner.", "Brazil", "friendly")
            + "{not json\n"
            + &format!(
                "{}\n",
                serde_json::json!({"text": "Chile votes today.", "target": "Chile",
                    "label": "neutral", "sentiment": "meh", "hard": ["negation"]})
            );
        let r = lint(&[load(&data, "a.jsonl")], &LintConfig::default());
        let msgs = messages(&r);
        assert!(msgs.contains(
            &"error: a.jsonl:1: label \"friendly\" is not one of conciliatory, critical, neutral"
                .to_string()
        ));
        assert!(msgs
            .iter()
            .any(|m| m.starts_with("error: a.jsonl:2: invalid JSON")));
        assert!(msgs.contains(
            &"error: a.jsonl:3: sentiment \"meh\" is not one of positive, negative, neutral"
                .to_string()
        ));
        assert_eq!((r.errors, r.total.invalid, r.total.hard_rows), (3, 1, 1));
    }
}
