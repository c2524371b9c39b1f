//! Featurisation: statement text + target mention -> a sparse TF-IDF row.
//!
//! Target-aware, because one quote can be conciliatory toward one party and
//! critical toward another: the target's mention becomes a placeholder, other
//! party mentions another placeholder, and words near the target are also
//! emitted with their side and distance bucket. Everything is deterministic:
//! the vocabulary is sorted, IDF comes from the training documents only.

use crate::text::{tokenize, TokenKind};
use rust_stemmers::{Algorithm, Stemmer};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Featuriser settings; stored in the model file so prediction featurises
/// exactly as training did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureConfig {
    /// Longest word n-gram (1 = unigrams only).
    pub ngram_max: usize,
    /// Drop features seen in fewer training documents than this.
    pub min_df: usize,
    /// Keep at most this many features (most frequent first); None = all.
    pub max_features: Option<usize>,
    /// Snowball English stems instead of surface forms.
    pub stem: bool,
    /// Mark words in the scope of a negation ("not", "never", "n't"...).
    pub negation: bool,
    /// Placeholders and left/right context features around the target.
    pub target_aware: bool,
    /// How many words either side of the target get context features.
    pub context_window: usize,
    /// Also emit the target mention's own words as features.
    pub target_identity: bool,
    /// Use 1 + ln(tf) instead of raw counts.
    pub sublinear_tf: bool,
    /// Also emit the words of the sentence that mentions the target, so a
    /// multi-sentence quote is read per party.
    #[serde(default)]
    pub sentence_scope: bool,
}

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig {
            ngram_max: 2,
            min_df: 2,
            max_features: None,
            stem: true,
            negation: true,
            target_aware: true,
            context_window: 4,
            target_identity: true,
            sublinear_tf: true,
            sentence_scope: true,
        }
    }
}

impl FeatureConfig {
    pub fn check(&self) -> crate::Result<()> {
        let bad = |m: &str| Err(crate::Error::Config(m.to_string()));
        if self.ngram_max == 0 || self.ngram_max > 4 {
            return bad("ngram_max must be between 1 and 4");
        }
        if self.min_df == 0 {
            return bad("min_df must be at least 1");
        }
        if self.max_features == Some(0) {
            return bad("max_features must be at least 1");
        }
        Ok(())
    }
}

/// A statement to featurise, with byte spans into `text`.
#[derive(Debug, Clone, Copy)]
pub struct Doc<'a> {
    pub text: &'a str,
    /// The target's mention; None when the target is not named in the text.
    pub target: Option<(usize, usize)>,
    /// Mentions of other parties in the same statement.
    pub others: &'a [(usize, usize)],
}

const TARGET: &str = "<T>";
const OTHER: &str = "<O>";

/// A fast, deterministic hasher for the feature tables (FxHash's multiply-
/// rotate scheme). Iteration order never leaks into results: the vocabulary
/// is sorted before use.
#[derive(Default, Clone, Copy)]
pub struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let v = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ b as u64).wrapping_mul(K);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ i as u64).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FastHasher>>;

/// One position in the normalised term sequence; `id` indexes the scratch
/// term table.
#[derive(Clone, Copy)]
struct Term {
    id: u32,
    negated: bool,
    /// Punctuation closes a clause: n-grams do not cross it and negation
    /// scope ends there.
    is_break: bool,
}

/// Reusable per-thread buffers, so featurising allocates almost nothing once
/// warm: the stem of every word seen so far and the current term sequence.
#[derive(Default)]
pub struct Scratch {
    /// Lower-cased surface form -> term id.
    stems: FastMap<String, u32>,
    /// Term id -> normalised text.
    table: Vec<String>,
    terms: Vec<Term>,
    words: Vec<usize>,
    lower: String,
    buf: String,
}

/// Bound on remembered stems, so a long stream cannot grow memory forever.
const STEM_CACHE_LIMIT: usize = 200_000;

impl Scratch {
    fn intern(&mut self, key: &str, make: impl FnOnce(&str) -> String) -> u32 {
        if let Some(&id) = self.stems.get(key) {
            return id;
        }
        if self.table.len() >= STEM_CACHE_LIMIT {
            self.stems.clear();
            self.table.clear();
        }
        let id = self.table.len() as u32;
        self.table.push(make(key));
        self.stems.insert(key.to_string(), id);
        id
    }
}

fn is_negation_cue(lower: &str) -> bool {
    matches!(
        lower,
        "not"
            | "no"
            | "never"
            | "cannot"
            | "without"
            | "nor"
            | "neither"
            | "nobody"
            | "nothing"
            | "none"
            | "hardly"
            | "barely"
            | "nowhere"
    ) || lower.ends_with("n't")
        || lower.ends_with("n’t")
}

fn ends_negation(term: &str) -> bool {
    matches!(term, "but" | "however" | "although" | "though" | "yet")
}

/// Turns raw text into features with the analysis pipeline (tokenise, lower,
/// placeholders, stems, negation scope, n-grams, target context). Shared by
/// fitting and transforming, so both featurise identically.
pub struct Analyzer {
    config: FeatureConfig,
    stemmer: Stemmer,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

impl Analyzer {
    pub fn new(config: FeatureConfig) -> Self {
        Analyzer {
            config,
            stemmer: Stemmer::create(Algorithm::English),
        }
    }

    pub fn config(&self) -> &FeatureConfig {
        &self.config
    }

    /// Fills `sc.terms`; returns the index of the target placeholder.
    fn terms(&self, doc: &Doc, sc: &mut Scratch) -> Option<usize> {
        let cfg = &self.config;
        sc.terms.clear();
        let mut target_at = None;
        let mut in_span: Option<(usize, usize)> = None;
        let mut negation_left = 0usize;
        let overlaps = |s: (usize, usize), a: usize, b: usize| a < s.1 && b > s.0;
        let word = |sc: &mut Scratch, text: &str| sc.intern(text, |t| t.to_string());
        for tok in tokenize(doc.text) {
            if cfg.target_aware {
                if let Some(s) = in_span {
                    if overlaps(s, tok.start, tok.end) {
                        continue;
                    }
                    in_span = None;
                }
                if let Some(t) = doc.target.filter(|&t| overlaps(t, tok.start, tok.end)) {
                    in_span = Some(t);
                    target_at = Some(sc.terms.len());
                    let id = word(sc, TARGET);
                    sc.terms.push(Term {
                        id,
                        negated: false,
                        is_break: false,
                    });
                    continue;
                }
                if let Some(&o) = doc
                    .others
                    .iter()
                    .find(|&&o| overlaps(o, tok.start, tok.end))
                {
                    in_span = Some(o);
                    let id = word(sc, OTHER);
                    sc.terms.push(Term {
                        id,
                        negated: false,
                        is_break: false,
                    });
                    continue;
                }
            }
            match tok.kind {
                TokenKind::Punct => {
                    let is_break =
                        matches!(tok.text, "." | "," | ";" | ":" | "!" | "?" | "—" | "–");
                    if is_break {
                        negation_left = 0;
                        let id = word(sc, tok.text);
                        sc.terms.push(Term {
                            id,
                            negated: false,
                            is_break: true,
                        });
                    }
                }
                TokenKind::Number => {
                    let id = word(sc, "<num>");
                    sc.terms.push(Term {
                        id,
                        negated: false,
                        is_break: false,
                    });
                }
                TokenKind::Word => {
                    let mut lower = std::mem::take(&mut sc.lower);
                    lower.clear();
                    lower.extend(tok.text.chars().flat_map(char::to_lowercase));
                    let cue = cfg.negation && is_negation_cue(&lower);
                    let stem = cfg.stem;
                    // Keys are prefixed so surface forms never collide with
                    // placeholders or punctuation in the shared table.
                    let key_len = lower.len();
                    lower.insert(0, '\u{1}');
                    let id = sc.intern(&lower, |l| {
                        let base = strip_possessive(&l[1..]);
                        if stem {
                            self.stemmer.stem(base).into_owned()
                        } else {
                            base.to_string()
                        }
                    });
                    debug_assert_eq!(lower.len(), key_len + 1);
                    sc.lower = lower;
                    if ends_negation(&sc.table[id as usize]) {
                        negation_left = 0;
                    }
                    sc.terms.push(Term {
                        id,
                        negated: negation_left > 0,
                        is_break: false,
                    });
                    negation_left = negation_left.saturating_sub(1);
                    if cue {
                        negation_left = 6;
                    }
                }
            }
        }
        target_at
    }

    /// Calls `emit` once per feature occurrence of `doc` (a feature may be
    /// emitted several times; that is its term frequency).
    pub fn visit(&self, doc: &Doc, emit: &mut dyn FnMut(&str)) {
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut sc) => self.visit_with(doc, &mut sc, emit),
            // Re-entrant use (emit featurising again): use fresh buffers.
            Err(_) => self.visit_with(doc, &mut Scratch::default(), emit),
        })
    }

    fn visit_with(&self, doc: &Doc, sc: &mut Scratch, emit: &mut dyn FnMut(&str)) {
        let cfg = &self.config;
        let target_at = self.terms(doc, sc);
        let mut buf = std::mem::take(&mut sc.buf);
        let sc = &mut *sc;
        for t in &sc.terms {
            let text = &sc.table[t.id as usize];
            buf.clear();
            if t.is_break {
                if text == "!" || text == "?" {
                    buf.push_str("p:");
                    buf.push_str(text);
                    emit(&buf);
                }
                continue;
            }
            buf.push_str(if t.negated { "w:neg_" } else { "w:" });
            buf.push_str(text);
            emit(&buf);
        }
        // n-grams never cross punctuation.
        for n in 2..=cfg.ngram_max {
            for win in sc.terms.windows(n) {
                if win.iter().any(|t| t.is_break) {
                    continue;
                }
                buf.clear();
                buf.push_str("b:");
                for (k, t) in win.iter().enumerate() {
                    if k > 0 {
                        buf.push(' ');
                    }
                    buf.push_str(&sc.table[t.id as usize]);
                }
                emit(&buf);
            }
        }
        if cfg.target_aware {
            match target_at {
                Some(t) => {
                    sc.words.clear();
                    sc.words
                        .extend((0..sc.terms.len()).filter(|&i| !sc.terms[i].is_break));
                    let pos = sc.words.iter().position(|&i| i == t).unwrap_or(0);
                    for (k, &i) in sc.words.iter().enumerate() {
                        let d = k.abs_diff(pos);
                        if d == 0 || d > cfg.context_window {
                            continue;
                        }
                        let bucket = match d {
                            1 => '1',
                            2..=3 => '2',
                            _ => '3',
                        };
                        let term = sc.terms[i];
                        let neg = if term.negated { "neg_" } else { "" };
                        let text = &sc.table[term.id as usize];
                        buf.clear();
                        buf.push(if k < pos { 'l' } else { 'r' });
                        buf.push(bucket);
                        buf.push(':');
                        buf.push_str(neg);
                        buf.push_str(text);
                        emit(&buf);
                        buf.clear();
                        buf.push_str("c:");
                        buf.push_str(neg);
                        buf.push_str(text);
                        emit(&buf);
                    }
                    if cfg.sentence_scope {
                        let is_end = |i: usize| {
                            let t = sc.terms[i];
                            t.is_break
                                && matches!(sc.table[t.id as usize].as_str(), "." | "!" | "?" | ";")
                        };
                        let start = (0..t).rev().find(|&i| is_end(i)).map_or(0, |i| i + 1);
                        let end = (t + 1..sc.terms.len())
                            .find(|&i| is_end(i))
                            .unwrap_or(sc.terms.len());
                        for i in start..end {
                            let term = sc.terms[i];
                            if term.is_break || i == t {
                                continue;
                            }
                            buf.clear();
                            buf.push_str(if term.negated { "s:neg_" } else { "s:" });
                            buf.push_str(&sc.table[term.id as usize]);
                            emit(&buf);
                        }
                    }
                    if cfg.target_identity {
                        if let Some((s, e)) = doc.target {
                            for tok in tokenize(&doc.text[s..e]) {
                                if tok.kind == TokenKind::Word {
                                    buf.clear();
                                    buf.push_str("t:");
                                    let start = buf.len();
                                    buf.extend(tok.text.chars().flat_map(char::to_lowercase));
                                    let stripped = strip_possessive(&buf[start..]).len();
                                    buf.truncate(start + stripped);
                                    emit(&buf);
                                }
                            }
                        }
                    }
                }
                None => emit("x:no_target"),
            }
        }
        sc.buf = buf;
    }

    /// The features of one document with their raw counts (for tests and
    /// inspection; the hot paths use [`Analyzer::visit`]).
    pub fn features(&self, doc: &Doc) -> HashMap<String, u32> {
        let mut out = HashMap::new();
        self.visit(doc, &mut |f| *out.entry(f.to_string()).or_insert(0) += 1);
        out
    }
}

fn strip_possessive(w: &str) -> &str {
    w.strip_suffix("'s")
        .or_else(|| w.strip_suffix("’s"))
        .filter(|s| !s.is_empty())
        .unwrap_or(w)
}

/// A sparse feature row: (column, value) pairs sorted by column.
pub type SparseRow = Vec<(u32, f64)>;

/// A fitted vectoriser: analyser + sorted vocabulary + IDF.
pub struct Vectorizer {
    analyzer: Analyzer,
    vocab: Vec<String>,
    index: FastMap<String, u32>,
    idf: Vec<f64>,
}

/// Feature id -> count for one document, sorted by id.
type Counts = Vec<(u32, u32)>;

fn count_ids(ids: &mut [u32]) -> Counts {
    ids.sort_unstable();
    let mut out: Counts = Vec::with_capacity(ids.len());
    for &id in ids.iter() {
        match out.last_mut() {
            Some((last, c)) if *last == id => *c += 1,
            _ => out.push((id, 1)),
        }
    }
    out
}

/// Interns feature names without allocating per feature: names live in one
/// arena string, looked up by a 64-bit hash and confirmed by comparison (a
/// hash collision falls back to an exact map, so results are always exact).
#[derive(Default)]
struct Interner {
    by_hash: FastMap<u64, u32>,
    collided: FastMap<String, u32>,
    arena: String,
    spans: Vec<(usize, usize)>,
}

impl Interner {
    fn name(&self, id: u32) -> &str {
        let (a, b) = self.spans[id as usize];
        &self.arena[a..b]
    }

    fn push(&mut self, f: &str) -> u32 {
        let id = self.spans.len() as u32;
        let start = self.arena.len();
        self.arena.push_str(f);
        self.spans.push((start, self.arena.len()));
        id
    }

    fn id(&mut self, f: &str) -> u32 {
        use std::hash::{BuildHasher, BuildHasherDefault};
        let h = BuildHasherDefault::<FastHasher>::default().hash_one(f);
        match self.by_hash.get(&h) {
            Some(&id) if self.name(id) == f => id,
            Some(_) => match self.collided.get(f) {
                Some(&id) => id,
                None => {
                    let id = self.push(f);
                    self.collided.insert(f.to_string(), id);
                    id
                }
            },
            None => {
                let id = self.push(f);
                self.by_hash.insert(h, id);
                id
            }
        }
    }
}

/// Featurises `docs` into per-document counts over a local feature table.
fn featurize_chunk(analyzer: &Analyzer, docs: &[Doc]) -> (Interner, Vec<Counts>) {
    let mut interner = Interner::default();
    let mut ids: Vec<u32> = Vec::new();
    let mut per_doc = Vec::with_capacity(docs.len());
    for d in docs {
        ids.clear();
        analyzer.visit(d, &mut |f| ids.push(interner.id(f)));
        per_doc.push(count_ids(&mut ids));
    }
    (interner, per_doc)
}

impl Vectorizer {
    /// Learns vocabulary and IDF from training documents and returns the
    /// vectoriser together with the training rows (each document analysed
    /// once). `threads` only changes speed, never the result.
    pub fn fit(
        config: FeatureConfig,
        docs: &[Doc],
        threads: usize,
    ) -> (Vectorizer, Vec<SparseRow>) {
        let analyzer = Analyzer::new(config);
        let threads = threads.clamp(1, 8).min(docs.len().max(1));
        let chunk = docs.len().div_ceil(threads).max(1);
        let parts: Vec<(Interner, Vec<Counts>)> = if threads == 1 {
            vec![featurize_chunk(&analyzer, docs)]
        } else {
            std::thread::scope(|s| {
                let handles: Vec<_> = docs
                    .chunks(chunk)
                    .map(|c| {
                        let analyzer = &analyzer;
                        s.spawn(move || featurize_chunk(analyzer, c))
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().expect("featuriser thread panicked"))
                    .collect()
            })
        };
        // Merge the local tables: document frequency per feature name.
        let mut df: FastMap<&str, u32> = FastMap::default();
        for (names, per_doc) in &parts {
            let mut local_df = vec![0u32; names.spans.len()];
            for counts in per_doc {
                for &(id, _) in counts {
                    local_df[id as usize] += 1;
                }
            }
            for (id, &c) in local_df.iter().enumerate() {
                *df.entry(names.name(id as u32)).or_insert(0) += c;
            }
        }
        let cfg = analyzer.config();
        let mut kept: Vec<(&str, u32)> = df
            .into_iter()
            .filter(|&(_, c)| c as usize >= cfg.min_df)
            .collect();
        if let Some(cap) = cfg.max_features {
            // Most frequent first, ties by name, so the cut is deterministic.
            kept.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            kept.truncate(cap);
        }
        kept.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let n = docs.len() as f64;
        let vocab: Vec<String> = kept.iter().map(|(f, _)| f.to_string()).collect();
        let idf: Vec<f64> = kept
            .iter()
            .map(|&(_, c)| ((1.0 + n) / (1.0 + c as f64)).ln() + 1.0)
            .collect();
        let vectorizer = Vectorizer::from_parts(analyzer, vocab, idf);
        let mut rows = Vec::with_capacity(docs.len());
        for (names, per_doc) in &parts {
            let to_vocab: Vec<Option<u32>> = (0..names.spans.len() as u32)
                .map(|id| vectorizer.index.get(names.name(id)).copied())
                .collect();
            for counts in per_doc {
                let mut row: Counts = counts
                    .iter()
                    .filter_map(|&(id, c)| to_vocab[id as usize].map(|j| (j, c)))
                    .collect();
                // Local ids are in first-seen order; columns must be sorted.
                row.sort_unstable();
                rows.push(vectorizer.weigh(row));
            }
        }
        (vectorizer, rows)
    }

    /// Rebuilds a fitted vectoriser from stored parts (a model file).
    pub fn from_parts(analyzer: Analyzer, vocab: Vec<String>, idf: Vec<f64>) -> Vectorizer {
        let index = vocab
            .iter()
            .enumerate()
            .map(|(i, f)| (f.clone(), i as u32))
            .collect();
        Vectorizer {
            analyzer,
            vocab,
            index,
            idf,
        }
    }

    pub fn transform(&self, doc: &Doc) -> SparseRow {
        let mut ids = Vec::new();
        self.analyzer.visit(doc, &mut |f| {
            if let Some(&j) = self.index.get(f) {
                ids.push(j);
            }
        });
        self.weigh(count_ids(&mut ids))
    }

    /// Counts over vocabulary columns (sorted) -> TF-IDF row, L2-normalised.
    fn weigh(&self, counts: Counts) -> SparseRow {
        let sublinear = self.analyzer.config().sublinear_tf;
        let mut row: SparseRow = counts
            .into_iter()
            .map(|(j, c)| {
                let tf = if sublinear {
                    1.0 + (c as f64).ln()
                } else {
                    c as f64
                };
                (j, tf * self.idf[j as usize])
            })
            .collect();
        let norm = row.iter().map(|&(_, v)| v * v).sum::<f64>().sqrt();
        if norm > 0.0 {
            for (_, v) in &mut row {
                *v /= norm;
            }
        }
        row
    }

    pub fn vocab(&self) -> &[String] {
        &self.vocab
    }

    pub fn idf(&self) -> &[f64] {
        &self.idf
    }

    pub fn config(&self) -> &FeatureConfig {
        self.analyzer.config()
    }

    pub fn n_features(&self) -> usize {
        self.vocab.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feats(text: &str, target: &str, others: &[&str]) -> HashMap<String, u32> {
        let span = text.find(target).map(|s| (s, s + target.len()));
        let others: Vec<(usize, usize)> = others
            .iter()
            .map(|o| {
                let s = text.find(o).unwrap();
                (s, s + o.len())
            })
            .collect();
        Analyzer::new(FeatureConfig::default()).features(&Doc {
            text,
            target: span,
            others: &others,
        })
    }

    #[test]
    fn target_mention_becomes_placeholder_and_others_another() {
        let f = feats(
            "We welcome Japan but condemn North Korea.",
            "Japan",
            &["North Korea"],
        );
        assert!(f.contains_key("w:<T>"));
        assert!(f.contains_key("w:<O>"));
        assert!(!f.contains_key("w:japan"), "{f:?}");
        assert!(!f.contains_key("w:north"));
        assert!(f.contains_key("l1:welcom"), "{f:?}");
        assert!(f.contains_key("b:welcom <T>"));
        assert!(f.contains_key("t:japan"));
    }

    #[test]
    fn same_text_other_target_changes_context_features() {
        let text = "We welcome Japan but condemn North Korea.";
        let a = feats(text, "Japan", &["North Korea"]);
        let b = feats(text, "North Korea", &["Japan"]);
        assert!(a.contains_key("l1:welcom") && !a.contains_key("l1:condemn"));
        assert!(b.contains_key("l1:condemn") && !b.contains_key("l1:welcom"));
    }

    #[test]
    fn negation_marks_scope_until_punctuation() {
        let f = feats("We do not oppose the plan, we support it.", "plan", &[]);
        assert!(f.contains_key("w:neg_oppos"), "{f:?}");
        assert!(!f.contains_key("w:oppos"));
        assert!(
            f.contains_key("w:support"),
            "after the comma the scope has ended"
        );
        let f = feats("They don't trust Moscow", "Moscow", &[]);
        assert!(f.contains_key("w:neg_trust"), "{f:?}");
    }

    #[test]
    fn missing_target_is_flagged_not_dropped() {
        let f = Analyzer::new(FeatureConfig::default()).features(&Doc {
            text: "Our countries share responsibility",
            target: None,
            others: &[],
        });
        assert!(f.contains_key("x:no_target"));
        assert!(f.contains_key("w:countri"));
    }

    #[test]
    fn vocabulary_is_sorted_and_rows_are_unit_length() {
        let texts = ["a b c Russia", "b c d Russia", "c d e China"];
        let docs: Vec<Doc> = texts
            .iter()
            .map(|t| Doc {
                text: t,
                target: None,
                others: &[],
            })
            .collect();
        let (v, rows) = Vectorizer::fit(FeatureConfig::default(), &docs, 1);
        let mut sorted = v.vocab().to_vec();
        sorted.sort();
        assert_eq!(v.vocab(), &sorted[..]);
        assert!(
            v.vocab().iter().all(|f| f != "w:e"),
            "min_df=2 drops singletons"
        );
        for r in &rows {
            let n: f64 = r.iter().map(|(_, x)| x * x).sum();
            assert!((n - 1.0).abs() < 1e-12);
        }
        // Transforming a training doc reproduces its fitted row exactly.
        assert_eq!(v.transform(&docs[1]), rows[1]);
    }

    #[test]
    fn fitting_twice_gives_identical_vocabulary_and_idf() {
        let texts: Vec<String> = (0..50)
            .map(|i| format!("word{} common text {}", i % 7, i % 3))
            .collect();
        let docs: Vec<Doc> = texts
            .iter()
            .map(|t| Doc {
                text: t,
                target: None,
                others: &[],
            })
            .collect();
        let cfg = FeatureConfig {
            max_features: Some(5),
            ..FeatureConfig::default()
        };
        let (a, _) = Vectorizer::fit(cfg.clone(), &docs, 1);
        let (b, _) = Vectorizer::fit(cfg, &docs, 3);
        assert_eq!(a.vocab(), b.vocab());
        assert_eq!(a.idf(), b.idf());
        assert_eq!(a.n_features(), 5);
    }
}
