//! Featurisation: statement text + target mention -> a sparse TF-IDF row.
//!
//! Target-aware, because one quote can be conciliatory toward one party and
//! critical toward another: the target's mention becomes a placeholder, other
//! party mentions another placeholder, and words near the target are also
//! emitted with their side and distance bucket. Everything is deterministic:
//! the vocabulary is sorted, IDF comes from the training documents only.

use crate::model::sparse::Csr;
use crate::text::{tokenize, FastMap, FastSet, TokenKind};
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
    /// Flag statements about the speaker's own party, which are judged
    /// differently (self-praise and procedural self-reference).
    #[serde(default)]
    pub own_party: bool,
    /// Count words of the built-in tone lexicon (see `lexicon.rs`) in the
    /// target's sentence and near the target.
    #[serde(default)]
    pub lexicon: bool,
    /// Also emit the words of the target's own clause, and whether a
    /// contrast ("but", "although", "however") comes before or after that
    /// clause in its sentence: one sentence often praises one party and
    /// turns on another ("We respect Ankara's concerns, but this
    /// operation crosses a line").
    #[serde(default)]
    pub clause_scope: bool,
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
            own_party: true,
            lexicon: false,
            clause_scope: false,
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
    /// The target is the speaker's own party (known from the speaker).
    pub own_party: bool,
}

const TARGET: &str = "<T>";
const OTHER: &str = "<O>";

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
    /// The value also says whether the form is a negation cue, worked out
    /// once per distinct form rather than once per occurrence.
    stems: FastMap<String, (u32, bool)>,
    /// A word as written -> what `stems` gives for its lower-cased form, one
    /// map per stemming mode (index: whether the analyser stems). Most
    /// words were seen before in the same case, and this finds them without
    /// lower-casing them first.
    surface: [FastMap<String, (u32, bool)>; 2],
    /// Normalised text -> term id: two surface forms with one stem share an
    /// id, so equal ids mean equal features.
    by_text: FastMap<String, u32>,
    /// Term id -> normalised text.
    table: Vec<String>,
    /// Term id -> what the term is beyond its text ([`TermFlags`]), worked
    /// out once per distinct term: the hot loops test bits instead of
    /// comparing and hashing strings.
    flags: Vec<TermFlags>,
    terms: Vec<Term>,
    /// Term ids of the target mention's own words (lower-cased, unstemmed).
    identity: Vec<u32>,
    lower: String,
    /// Per vectoriser (by its unique id): scratch term id -> the vectoriser's
    /// own term id ([`UNSET`] until looked up, [`ABSENT`] when unknown).
    remaps: Vec<(u64, Vec<u32>)>,
    /// The last text tokenised and its tokens as terms. `predict` featurises
    /// one quote several times (its sentiment, then its stance toward each
    /// party), so tokenising, lower-casing and stemming are done once.
    analysed: Analysed,
    /// Positions in `terms` of the words (not punctuation), for distances.
    words: Vec<usize>,
    /// Feature columns of the document being transformed.
    columns: Vec<u32>,
    /// Its TF-IDF row, lent to the caller of [`Vectorizer::transform_with`].
    row: SparseRow,
    /// Per position of `terms`: the id keys use for it (the scratch id, or a
    /// vocabulary's own id when transforming).
    ids: Vec<u32>,
    /// `identity` in a vocabulary's own ids.
    identity_ids: Vec<u32>,
    /// Word pairs of the document being transformed, looked up in stages
    /// ([`KeyIndex::pair_span`]): (first term, second term), then where in
    /// the index's pair list the second term is to be found.
    pairs: Vec<(u32, u32)>,
    pair_spans: Vec<(u32, u32, u32)>,
}

/// A text's tokens with their term ids, valid while the term table is.
#[derive(Default)]
struct Analysed {
    text: String,
    /// Whether words were stemmed (the ids differ otherwise).
    stem: bool,
    valid: bool,
    toks: Vec<AnalysedTok>,
}

#[derive(Clone, Copy)]
struct AnalysedTok {
    start: usize,
    end: usize,
    id: u32,
    kind: TokKind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum TokKind {
    /// A word; `cue` when it is a negation cue, `ends` when it ends a
    /// negation's scope ("but").
    Word {
        cue: bool,
        ends: bool,
    },
    Number,
    /// Punctuation that closes a clause.
    Break,
    /// Other punctuation: no term of its own.
    Skip,
}

const UNSET: u32 = u32::MAX;
const ABSENT: u32 = u32::MAX - 1;

/// Bound on remembered stems, so a long stream cannot grow memory forever.
const STEM_CACHE_LIMIT: usize = 200_000;

impl Scratch {
    /// Forgets the remembered stems once there are too many. Called between
    /// documents only, so term ids stay valid within one document.
    fn bound(&mut self) {
        let surface = self.surface[0].len() + self.surface[1].len();
        if self.table.len() >= STEM_CACHE_LIMIT || surface >= 2 * STEM_CACHE_LIMIT {
            self.stems.clear();
            self.surface[0].clear();
            self.surface[1].clear();
            self.by_text.clear();
            self.table.clear();
            self.flags.clear();
            self.remaps.clear();
            self.analysed.valid = false;
        }
        if self.remaps.len() > 16 {
            self.remaps.clear();
        }
    }

    fn intern(&mut self, key: &str, make: impl FnOnce(&str) -> String) -> u32 {
        self.intern_flagged(key, |_| false, make).0
    }

    /// [`Scratch::intern`], also returning `flag(key)`, which is computed
    /// when `key` is first seen and remembered with it. A key must always be
    /// interned with the same `flag`.
    fn intern_flagged(
        &mut self,
        key: &str,
        flag: impl FnOnce(&str) -> bool,
        make: impl FnOnce(&str) -> String,
    ) -> (u32, bool) {
        if let Some(&found) = self.stems.get(key) {
            return found;
        }
        let text = make(key);
        let id = match self.by_text.get(&text) {
            Some(&id) => id,
            None => {
                let id = self.table.len() as u32;
                self.flags.push(TermFlags::of(&text));
                self.table.push(text.clone());
                self.by_text.insert(text, id);
                id
            }
        };
        let flagged = (id, flag(key));
        self.stems.insert(key.to_string(), flagged);
        flagged
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

/// Bits describing a normalised term, see [`Scratch::flags`].
#[derive(Clone, Copy, Default)]
struct TermFlags(u8);

impl TermFlags {
    /// Ends a negation's scope ("but").
    const ENDS_NEGATION: u8 = 1;
    /// Ends a sentence, for the target's sentence scope.
    const ENDS_SENTENCE: u8 = 2;
    /// "!" or "?", which are features of their own.
    const EXCLAIMS: u8 = 4;
    /// Lexicon tone (0 none, 1 conciliatory, 2 critical) as a stemming
    /// analyser reads the term, in bits 3-4; as a non-stemming one, 5-6.
    const TONE_SHIFT_STEMMED: u8 = 3;
    const TONE_SHIFT_PLAIN: u8 = 5;

    fn of(term: &str) -> TermFlags {
        let mut bits = 0;
        if matches!(term, "but" | "however" | "although" | "though" | "yet") {
            bits |= Self::ENDS_NEGATION;
        }
        if matches!(term, "." | "!" | "?" | ";") {
            bits |= Self::ENDS_SENTENCE;
        }
        if matches!(term, "!" | "?") {
            bits |= Self::EXCLAIMS;
        }
        let lexicons = &*LEXICONS;
        bits |= lexicons.stemmed.tone(term) << Self::TONE_SHIFT_STEMMED;
        bits |= lexicons.plain.tone(term) << Self::TONE_SHIFT_PLAIN;
        TermFlags(bits)
    }

    fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }

    /// 1 conciliatory, 2 critical, 0 neither, for an analyser that does or
    /// does not stem.
    fn tone(self, stem: bool) -> u8 {
        let shift = if stem {
            Self::TONE_SHIFT_STEMMED
        } else {
            Self::TONE_SHIFT_PLAIN
        };
        (self.0 >> shift) & 3
    }
}

/// The tone lexicon normalised as an analyser's terms are: stemmed, for an
/// analyser that stems, and as written otherwise.
struct Lexicon {
    conciliatory: FastSet<String>,
    critical: FastSet<String>,
}

impl Lexicon {
    fn new(norm: impl Fn(&str) -> String) -> Lexicon {
        Lexicon {
            conciliatory: crate::lexicon::CONCILIATORY
                .iter()
                .map(|w| norm(w))
                .collect(),
            critical: crate::lexicon::CRITICAL.iter().map(|w| norm(w)).collect(),
        }
    }

    /// Conciliatory wins over critical, should a word be in both lists.
    fn tone(&self, term: &str) -> u8 {
        if self.conciliatory.contains(term) {
            1
        } else if self.critical.contains(term) {
            2
        } else {
            0
        }
    }
}

struct Lexicons {
    stemmed: Lexicon,
    plain: Lexicon,
}

static LEXICONS: std::sync::LazyLock<Lexicons> = std::sync::LazyLock::new(|| {
    let stemmer = Stemmer::create(Algorithm::English);
    Lexicons {
        stemmed: Lexicon::new(|w| stemmer.stem(w).into_owned()),
        plain: Lexicon::new(str::to_string),
    }
});

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

    /// Tokenises `text` into `sc.analysed`, unless it holds that text
    /// already (analysed with the same stemming, with ids still valid).
    fn analyse(&self, text: &str, sc: &mut Scratch) {
        let stem = self.config.stem;
        if sc.analysed.valid && sc.analysed.stem == stem && sc.analysed.text == text {
            return;
        }
        let mut a = std::mem::take(&mut sc.analysed);
        a.toks.clear();
        a.text.clear();
        a.text.push_str(text);
        a.stem = stem;
        let mut lower = std::mem::take(&mut sc.lower);
        for tok in tokenize(text) {
            let (id, kind) = match tok.kind {
                TokenKind::Punct => {
                    if matches!(tok.text, "." | "," | ";" | ":" | "!" | "?" | "—" | "–") {
                        (sc.intern(tok.text, str::to_string), TokKind::Break)
                    } else {
                        (0, TokKind::Skip)
                    }
                }
                TokenKind::Number => (sc.intern("<num>", str::to_string), TokKind::Number),
                TokenKind::Word => {
                    let known = sc.surface[stem as usize].get(tok.text).copied();
                    let (id, cue) = known.unwrap_or_else(|| {
                        // Keys are prefixed so surface forms never collide
                        // with placeholders or punctuation in the shared
                        // table, and differently for stemmed and unstemmed
                        // analysers, which share a thread's scratch.
                        lower.clear();
                        lower.push(if stem { '\u{1}' } else { '\u{3}' });
                        push_lowercase(&mut lower, tok.text);
                        let found = sc.intern_flagged(
                            &lower,
                            |l| is_negation_cue(&l[1..]),
                            |l| {
                                let base = strip_possessive(&l[1..]);
                                if stem {
                                    self.stemmer.stem(base).into_owned()
                                } else {
                                    base.to_string()
                                }
                            },
                        );
                        sc.surface[stem as usize].insert(tok.text.to_string(), found);
                        found
                    });
                    let ends = sc.flags[id as usize].has(TermFlags::ENDS_NEGATION);
                    (id, TokKind::Word { cue, ends })
                }
            };
            a.toks.push(AnalysedTok {
                start: tok.start,
                end: tok.end,
                id,
                kind,
            });
        }
        sc.lower = lower;
        a.valid = true;
        sc.analysed = a;
    }

    /// Fills `sc.terms` and `sc.words`; returns the index of the target
    /// placeholder.
    fn terms(&self, doc: &Doc, sc: &mut Scratch) -> Option<usize> {
        let cfg = &self.config;
        sc.terms.clear();
        sc.identity.clear();
        sc.words.clear();
        // A span that is not a slice of the text (a caller's mistake) is
        // treated as no span rather than trusted.
        let valid = |&(s, e): &(usize, usize)| s < e && doc.text.get(s..e).is_some();
        let target = doc.target.filter(valid);
        if cfg.target_aware && cfg.target_identity {
            if let Some((s, e)) = target {
                let mut key = std::mem::take(&mut sc.lower);
                for tok in tokenize(&doc.text[s..e]) {
                    if tok.kind == TokenKind::Word {
                        key.clear();
                        key.push('\u{2}');
                        push_lowercase(&mut key, tok.text);
                        let id = sc.intern(&key, |k| strip_possessive(&k[1..]).to_string());
                        sc.identity.push(id);
                    }
                }
                sc.lower = key;
            }
        }
        self.analyse(doc.text, sc);
        let target_id = sc.intern(TARGET, str::to_string);
        let other_id = sc.intern(OTHER, str::to_string);
        let toks = std::mem::take(&mut sc.analysed.toks);
        let mut target_at = None;
        let mut in_span: Option<(usize, usize)> = None;
        let mut negation_left = 0usize;
        let overlaps = |s: (usize, usize), a: usize, b: usize| a < s.1 && b > s.0;
        let placeholder = |id: u32| Term {
            id,
            negated: false,
            is_break: false,
        };
        for tok in &toks {
            if cfg.target_aware {
                if let Some(s) = in_span {
                    if overlaps(s, tok.start, tok.end) {
                        continue;
                    }
                    in_span = None;
                }
                if let Some(t) = target.filter(|&t| overlaps(t, tok.start, tok.end)) {
                    in_span = Some(t);
                    target_at = Some(sc.terms.len());
                    sc.terms.push(placeholder(target_id));
                    continue;
                }
                if let Some(&o) = doc
                    .others
                    .iter()
                    .find(|&&o| overlaps(o, tok.start, tok.end))
                {
                    in_span = Some(o);
                    sc.terms.push(placeholder(other_id));
                    continue;
                }
            }
            match tok.kind {
                TokKind::Skip => {}
                TokKind::Break => {
                    negation_left = 0;
                    sc.terms.push(Term {
                        id: tok.id,
                        negated: false,
                        is_break: true,
                    });
                }
                TokKind::Number => sc.terms.push(placeholder(tok.id)),
                TokKind::Word { cue, ends } => {
                    if ends {
                        negation_left = 0;
                    }
                    sc.terms.push(Term {
                        id: tok.id,
                        negated: negation_left > 0,
                        is_break: false,
                    });
                    negation_left = negation_left.saturating_sub(1);
                    if cue && cfg.negation {
                        negation_left = 6;
                    }
                }
            }
        }
        sc.analysed.toks = toks;
        let Scratch { terms, words, .. } = sc;
        words.extend((0..terms.len()).filter(|&i| !terms[i].is_break));
        target_at
    }

    /// Calls `emit` once per feature occurrence of `doc` (a feature may be
    /// emitted several times; that is its term frequency).
    pub fn visit(&self, doc: &Doc, emit: &mut dyn FnMut(&str)) {
        let mut render = |sc: &Scratch, key: Key| {
            let mut buf = String::new();
            key.render(&sc.table, &mut buf);
            emit(&buf);
        };
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut sc) => {
                sc.bound();
                self.visit_keys(doc, &mut sc, &mut render)
            }
            // Re-entrant use (emit featurising again): use fresh buffers.
            Err(_) => self.visit_keys(doc, &mut Scratch::default(), &mut render),
        })
    }

    /// Like [`Analyzer::visit`], but yields each feature as a [`Key`] over
    /// `sc`'s term table: no string is built per feature.
    fn visit_keys(&self, doc: &Doc, sc: &mut Scratch, emit: &mut impl FnMut(&Scratch, Key)) {
        let target_at = self.terms(doc, sc);
        let mut ids = std::mem::take(&mut sc.ids);
        ids.clear();
        ids.extend(sc.terms.iter().map(|t| t.id));
        {
            let sc = &*sc;
            self.emit_keys(doc, sc, target_at, &ids, &sc.identity, &mut |key| {
                emit(sc, key)
            });
        }
        sc.ids = ids;
    }

    /// Emits the keys of the analysed document in `sc` (after
    /// [`Analyzer::terms`]), naming term `i` of `sc.terms` by `ids[i]` and the
    /// target's own words by `identity`. An id of [`ABSENT`] marks a term a
    /// vocabulary does not have: keys that would contain it are skipped, as
    /// no feature of that vocabulary can match them.
    fn emit_keys(
        &self,
        doc: &Doc,
        sc: &Scratch,
        target_at: Option<usize>,
        ids: &[u32],
        identity: &[u32],
        emit: &mut impl KeySink,
    ) {
        let cfg = &self.config;
        for (t, &id) in sc.terms.iter().zip(ids) {
            if t.is_break {
                if sc.flags[t.id as usize].has(TermFlags::EXCLAIMS) && id != ABSENT {
                    emit.key(Key::new(Family::Punct, 0, &[id]));
                }
                continue;
            }
            if id != ABSENT {
                emit.key(Key::new(Family::Word, t.negated as u8, &[id]));
            }
        }
        for n in 2..=cfg.ngram_max.min(4) {
            match n {
                2 => emit_grams::<2>(&sc.terms, ids, emit),
                3 => emit_grams::<3>(&sc.terms, ids, emit),
                _ => emit_grams::<4>(&sc.terms, ids, emit), // n <= 4
            }
        }
        if !cfg.target_aware {
            return;
        }
        if cfg.own_party && doc.own_party {
            emit.key(Key::new(Family::OwnParty, 0, &[]));
        }
        let Some(t) = target_at else {
            emit.key(Key::new(Family::NoTarget, 0, &[]));
            return;
        };
        // Distance is counted in words, skipping punctuation.
        let words = &sc.words;
        let pos = words.iter().position(|&i| i == t).unwrap_or(0);
        for (k, &i) in words.iter().enumerate() {
            let d = k.abs_diff(pos);
            if d == 0 || d > cfg.context_window || ids[i] == ABSENT {
                continue;
            }
            let bucket: u8 = match d {
                1 => 1,
                2..=3 => 2,
                _ => 3,
            };
            let negated = sc.terms[i].negated as u8;
            let side = if k < pos { Family::Left } else { Family::Right };
            emit.key(Key::new(side, bucket * 2 + negated, &[ids[i]]));
            emit.key(Key::new(Family::Context, negated, &[ids[i]]));
        }
        if cfg.sentence_scope || cfg.lexicon {
            let is_end = |i: usize| {
                let t = sc.terms[i];
                t.is_break && sc.flags[t.id as usize].has(TermFlags::ENDS_SENTENCE)
            };
            let start = (0..t).rev().find(|&i| is_end(i)).map_or(0, |i| i + 1);
            let end = (t + 1..sc.terms.len())
                .find(|&i| is_end(i))
                .unwrap_or(sc.terms.len());
            for (i, (&term, &id)) in sc.terms.iter().zip(ids).enumerate().take(end).skip(start) {
                if term.is_break || i == t {
                    continue;
                }
                if cfg.sentence_scope && id != ABSENT {
                    emit.key(Key::new(Family::Sentence, term.negated as u8, &[id]));
                }
                if cfg.lexicon {
                    // flag: 0/1 conciliatory (plain/negated), 2/3 critical;
                    // +4 when within three words of the target.
                    let tone = match sc.flags[term.id as usize].tone(cfg.stem) {
                        1 => Some(0),
                        2 => Some(2),
                        _ => None,
                    };
                    if let Some(tone) = tone {
                        let flag = tone + term.negated as u8;
                        emit.key(Key::new(Family::Tone, flag, &[]));
                        let near = words.binary_search(&i).is_ok_and(|k| k.abs_diff(pos) <= 3);
                        if near {
                            emit.key(Key::new(Family::Tone, flag + 4, &[]));
                        }
                    }
                }
            }
        }
        if cfg.clause_scope {
            emit_clause(sc, t, ids, emit);
        }
        if cfg.target_identity {
            for &id in identity {
                if id != ABSENT {
                    emit.key(Key::new(Family::Identity, 0, &[id]));
                }
            }
        }
    }

    /// The features of one document with their raw counts (for tests and
    /// inspection; the hot paths use keys).
    pub fn features(&self, doc: &Doc) -> HashMap<String, u32> {
        let mut out = HashMap::new();
        self.visit(doc, &mut |f| *out.entry(f.to_string()).or_insert(0) += 1);
        out
    }
}

/// Words that turn a sentence: the clause after one often carries the
/// speaker's conclusion. Surface forms and their Snowball stems.
const CONTRASTS: &[&str] = &[
    "but", "although", "though", "however", "howev", "yet", "whereas", "wherea", "while", "unlike",
    "unlik", "despite", "despit",
];

/// The clause features of the target at term `t` (see
/// [`FeatureConfig::clause_scope`]): the words between the nearest clause
/// breaks (punctuation or a contrast word) either side of it, and where a
/// contrast stands in its sentence relative to that clause.
fn emit_clause(sc: &Scratch, t: usize, ids: &[u32], emit: &mut impl KeySink) {
    let terms = &sc.terms;
    let is_contrast = |i: usize| {
        !terms[i].is_break && CONTRASTS.contains(&sc.table[terms[i].id as usize].as_str())
    };
    let ends_sentence = |i: usize| {
        terms[i].is_break && sc.flags[terms[i].id as usize].has(TermFlags::ENDS_SENTENCE)
    };
    let is_edge = |i: usize| terms[i].is_break || is_contrast(i);
    let start = (0..t).rev().find(|&i| is_edge(i)).map_or(0, |i| i + 1);
    let end = (t + 1..terms.len())
        .find(|&i| is_edge(i))
        .unwrap_or(terms.len());
    for i in start..end {
        if i != t && ids[i] != ABSENT {
            emit.key(Key::new(Family::Clause, terms[i].negated as u8, &[ids[i]]));
        }
    }
    let sentence_start = (0..t)
        .rev()
        .find(|&i| ends_sentence(i))
        .map_or(0, |i| i + 1);
    let sentence_end = (t + 1..terms.len())
        .find(|&i| ends_sentence(i))
        .unwrap_or(terms.len());
    if (sentence_start..start).any(is_contrast) {
        emit.key(Key::new(Family::Contrast, 0, &[]));
    }
    if (end..sentence_end).any(is_contrast) {
        emit.key(Key::new(Family::Contrast, 1, &[]));
    }
}

/// Emits the `N`-grams of a term sequence, named by `ids` (see
/// [`Analyzer::emit_keys`]). n-grams never cross punctuation. `N` is a
/// constant, so the checks and copies of a window are a few instructions
/// rather than loops and calls to `memcpy`.
fn emit_grams<const N: usize>(terms: &[Term], ids: &[u32], emit: &mut impl KeySink) {
    for (win, win_ids) in terms.windows(N).zip(ids.windows(N)) {
        let win_ids: &[u32; N] = win_ids.try_into().expect("a window of N ids");
        if win.iter().any(|t| t.is_break) || win_ids.contains(&ABSENT) {
            continue;
        }
        emit.key(Key::new(Family::Gram, N as u8, win_ids));
    }
}

/// Where [`Analyzer::emit_keys`] sends the keys it emits: any closure
/// taking a [`Key`], or a [`ColumnCollector`].
trait KeySink {
    fn key(&mut self, key: Key);
}

impl<F: FnMut(Key)> KeySink for F {
    fn key(&mut self, key: Key) {
        self(key)
    }
}

/// What [`Vectorizer::transform_with`] does with each key of a document: a
/// word pair goes to `pairs` for the staged pair lookup, any other key's
/// column is found at once and added to `columns`.
struct ColumnCollector<'a> {
    index: &'a KeyIndex,
    idf: IdfTable<'a>,
    pairs: &'a mut Vec<(u32, u32)>,
    columns: &'a mut Vec<u32>,
}

impl KeySink for ColumnCollector<'_> {
    /// Always inlined, with [`KeyIndex::column`]: each call site in
    /// [`Analyzer::emit_keys`] then has its own copy, in which the key's
    /// family is a constant and the branches on it fold away. As a call,
    /// saving and restoring registers cost more than the lookup itself.
    #[inline(always)]
    fn key(&mut self, key: Key) {
        if key.family == Family::Gram && key.flag == 2 {
            self.index.prefetch_pair_span(key.ids[0], key.ids[1]);
            self.pairs.push((key.ids[0], key.ids[1]));
        } else if let Some(j) = self.index.column(key) {
            // The column's IDF is read after all lookups; its load was a
            // cache miss that nothing overlapped.
            self.idf.prefetch(j);
            self.columns.push(j);
        }
    }
}

/// Feature families; each renders with its own prefix in the vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Family {
    Word,
    Punct,
    Gram,
    Left,
    Right,
    Context,
    Sentence,
    Identity,
    NoTarget,
    OwnParty,
    Tone,
    Clause,
    Contrast,
}

/// A feature before it has a name: family, a small flag (negation, n-gram
/// length or distance bucket) and up to four term ids of one term table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key {
    family: Family,
    flag: u8,
    ids: [u32; 4],
}

impl std::hash::Hash for Key {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Three words instead of a field-by-field byte stream.
        state.write_u64(self.family as u64 | (self.flag as u64) << 8 | (self.ids[0] as u64) << 32);
        state.write_u64(self.ids[1] as u64 | (self.ids[2] as u64) << 32);
        state.write_u32(self.ids[3]);
    }
}

impl Key {
    fn new(family: Family, flag: u8, ids: &[u32]) -> Key {
        let mut k = Key {
            family,
            flag,
            ids: [0; 4],
        };
        k.ids[..ids.len()].copy_from_slice(ids);
        k
    }

    fn remap(mut self, map: &[u32]) -> Key {
        let n = self.arity();
        for id in &mut self.ids[..n] {
            *id = map[*id as usize];
        }
        self
    }

    fn arity(&self) -> usize {
        match self.family {
            Family::Gram => self.flag as usize,
            Family::NoTarget | Family::OwnParty | Family::Tone | Family::Contrast => 0,
            _ => 1,
        }
    }

    /// The feature's name as stored in the model's vocabulary.
    fn render(&self, table: &[String], out: &mut String) {
        out.clear();
        let neg = |flag: u8| if flag & 1 == 1 { "neg_" } else { "" };
        let first = || table[self.ids[0] as usize].as_str();
        match self.family {
            Family::Word => {
                out.push_str("w:");
                out.push_str(neg(self.flag));
                out.push_str(first());
            }
            Family::Punct => {
                out.push_str("p:");
                out.push_str(first());
            }
            Family::Gram => {
                out.push_str("b:");
                for (i, &id) in self.ids[..self.flag as usize].iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    out.push_str(&table[id as usize]);
                }
            }
            Family::Left | Family::Right => {
                out.push(if self.family == Family::Left {
                    'l'
                } else {
                    'r'
                });
                out.push(char::from(b'0' + self.flag / 2));
                out.push(':');
                out.push_str(neg(self.flag));
                out.push_str(first());
            }
            Family::Context => {
                out.push_str("c:");
                out.push_str(neg(self.flag));
                out.push_str(first());
            }
            Family::Sentence => {
                out.push_str("s:");
                out.push_str(neg(self.flag));
                out.push_str(first());
            }
            Family::Identity => {
                out.push_str("t:");
                out.push_str(first());
            }
            Family::NoTarget => out.push_str("x:no_target"),
            Family::OwnParty => out.push_str("x:own_party"),
            Family::Clause => {
                out.push_str("k:");
                out.push_str(neg(self.flag));
                out.push_str(first());
            }
            Family::Contrast => out.push_str(if self.flag == 0 {
                "x:after_contrast"
            } else {
                "x:before_contrast"
            }),
            Family::Tone => {
                out.push_str(if self.flag & 4 == 4 {
                    "tone_near:"
                } else {
                    "tone:"
                });
                out.push_str(neg(self.flag));
                out.push_str(if self.flag & 2 == 2 {
                    "critical"
                } else {
                    "conciliatory"
                });
            }
        }
    }
}

/// Appends `s` lower-cased; most words are ASCII, which needs no Unicode
/// case tables.
fn push_lowercase(out: &mut String, s: &str) {
    if s.is_ascii() {
        let start = out.len();
        out.push_str(s);
        out[start..].make_ascii_lowercase();
    } else {
        out.extend(s.chars().flat_map(char::to_lowercase));
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
    /// Built on the [`INDEX_AFTER`]th transform; until then (one-off
    /// classifications) features are found by binary search in the sorted
    /// vocabulary, so loading a model stays cheap.
    index: std::sync::OnceLock<KeyIndex>,
    transforms: std::sync::atomic::AtomicUsize,
    idf: Vec<f64>,
}

/// Where a caller keeps each column's IDF: column `j`'s at
/// `values[j * stride]`.
#[derive(Clone, Copy)]
pub(crate) struct IdfTable<'a> {
    pub values: &'a [f64],
    pub stride: usize,
}

impl IdfTable<'_> {
    fn get(&self, j: u32) -> f64 {
        self.values[j as usize * self.stride]
    }

    /// Starts loading column `j`'s entry into cache.
    #[inline(always)]
    fn prefetch(&self, j: u32) {
        if let Some(v) = self.values.get(j as usize * self.stride) {
            prefetch(v);
        }
    }
}

/// Starts loading `r`'s cache line without waiting for it, so a load of it
/// a little later need not stall.
#[inline(always)]
fn prefetch<T>(r: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is only a hint: it reads nothing into the program
    // and cannot fault, and SSE is part of every x86_64 target, so the
    // instruction always exists.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
            (r as *const T).cast::<i8>(),
        )
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = r;
}

/// Transforms served by binary search before the key index is built.
const INDEX_AFTER: usize = 16;

/// The vocabulary indexed by feature key rather than by name, so looking a
/// feature up hashes a few integers instead of building and comparing a
/// string: the vectoriser's own term table (every term text used by some
/// feature name) and key (over that table) -> column.
struct KeyIndex {
    /// Unique per vectoriser, to find its term remap in a thread's scratch.
    uid: u64,
    terms: FastMap<String, u32>,
    /// Per term: which one-term features (most lookups) the vocabulary has
    /// and where its pairs start, in one 16-byte entry, so the pair lookups
    /// that follow a word's one-term lookups find the entry in cache (see
    /// [`TermEntry`]). One entry more than there are terms, ending the last
    /// term's pairs.
    per_term: Vec<TermEntry>,
    unary_columns: Vec<u32>,
    /// Word pairs grouped by first term, each as (second term, column),
    /// sorted by second term within a group. About 8 bytes a pair, against
    /// 16-32 for a hash table entry, and a document's pairs with one first
    /// word sit together: the two models' pair tables stay in cache.
    bigrams: Vec<(u32, u32)>,
    /// For a long list, split into buckets by the second term's id: entry
    /// `k` is the offset in the list of the first pair in bucket `k` or
    /// later. A lookup then scans one bucket of a few pairs instead of
    /// binary-searching hundreds, whose dependent loads were most of
    /// `predict`'s time in this function.
    bigram_jumps: Vec<u32>,
    /// 2^42 / number of terms, for [`bucket_of`].
    bucket_scale: u64,
    /// Columns of the other features (longer n-grams, flags).
    keys: FastMap<Key, u32>,
}

/// What a [`KeyIndex`] knows of one term: a bit per [`unary_slot`] the
/// vocabulary has and where the term's columns start in `unary_columns` (in
/// slot order); where its word pairs start in `bigrams` (they end where the
/// next term's start) and its jump table in `bigram_jumps` (long lists only,
/// see [`jump_buckets`]).
#[derive(Clone, Copy)]
#[repr(C, align(16))]
struct TermEntry {
    mask: u32,
    base: u32,
    pairs: u32,
    jumps: u32,
}

const UNARY_SLOTS: usize = 20;

/// The number of bits set in `mask`, a set of [`unary_slot`]s. The
/// baseline x86_64 target has no popcount instruction, and the portable
/// sequence costs a dozen instructions at every one-term lookup; two
/// lookups in a 1 KB table cost a few.
#[inline(always)]
fn count_slots(mask: u32) -> u32 {
    const HALF: u32 = UNARY_SLOTS as u32 / 2;
    static ONES: [u8; 1 << HALF] = {
        let mut ones = [0u8; 1 << HALF];
        let mut i = 0;
        while i < ones.len() {
            ones[i] = (i as u32).count_ones() as u8;
            i += 1;
        }
        ones
    };
    let low = mask as usize & ((1 << HALF) - 1);
    let high = (mask >> HALF) as usize & ((1 << HALF) - 1);
    u32::from(ONES[low]) + u32::from(ONES[high])
}
const NO_COLUMN: u32 = u32::MAX;

/// Where a one-term feature's column is kept in [`KeyIndex::unary`]; None
/// for families of other arity.
fn unary_slot(family: Family, flag: u8) -> Option<usize> {
    let f = flag as usize;
    let slot = match family {
        Family::Word if f < 2 => f,
        Family::Punct => 2,
        // Distance flags are bucket * 2 + negated, bucket 1..=3.
        Family::Left if (2..8).contains(&f) => 1 + f,
        Family::Right if (2..8).contains(&f) => 7 + f,
        Family::Context if f < 2 => 15 + f,
        Family::Sentence if f < 2 => 17 + f,
        Family::Identity => 19,
        _ => return None,
    };
    Some(slot)
}

static NEXT_UID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Every reading of a feature name as a key over `terms`: names are rendered
/// from keys, and a name can have two readings (`w:neg_x`); each reading that
/// renders back to the name is kept, so lookups match exactly the keys whose
/// rendered name is in the vocabulary.
fn parse_name(name: &str, reading: &mut dyn FnMut(Family, u8, &[&str])) {
    let Some((head, rest)) = name.split_once(':') else {
        return;
    };
    let with_neg = |reading: &mut dyn FnMut(Family, u8, &[&str]), family: Family, base: u8| {
        reading(family, base, &[rest]);
        if let Some(r) = rest.strip_prefix("neg_") {
            reading(family, base + 1, &[r]);
        }
    };
    match head {
        "w" => with_neg(reading, Family::Word, 0),
        "c" => with_neg(reading, Family::Context, 0),
        "s" => with_neg(reading, Family::Sentence, 0),
        "k" => with_neg(reading, Family::Clause, 0),
        "p" => reading(Family::Punct, 0, &[rest]),
        "t" => reading(Family::Identity, 0, &[rest]),
        "x" => match rest {
            "no_target" => reading(Family::NoTarget, 0, &[]),
            "own_party" => reading(Family::OwnParty, 0, &[]),
            "after_contrast" => reading(Family::Contrast, 0, &[]),
            "before_contrast" => reading(Family::Contrast, 1, &[]),
            _ => {}
        },
        "tone" | "tone_near" => {
            let near = if head == "tone_near" { 4 } else { 0 };
            let (negated, tone) = match rest.strip_prefix("neg_") {
                Some(t) => (1, t),
                None => (0, rest),
            };
            match tone {
                "conciliatory" => reading(Family::Tone, near + negated, &[]),
                "critical" => reading(Family::Tone, near + 2 + negated, &[]),
                _ => {}
            }
        }
        "b" => {
            let mut parts = [""; 4];
            let mut n = 0;
            for part in rest.split(' ') {
                if n == parts.len() {
                    return;
                }
                parts[n] = part;
                n += 1;
            }
            if n >= 2 {
                reading(Family::Gram, n as u8, &parts[..n]);
            }
        }
        _ => {
            let mut cs = head.chars();
            let (Some(side), Some(d), None) = (cs.next(), cs.next(), cs.next()) else {
                return;
            };
            let family = match side {
                'l' => Family::Left,
                'r' => Family::Right,
                _ => return,
            };
            if let Some(d @ 1..=3) = d.to_digit(10) {
                with_neg(reading, family, d as u8 * 2);
            }
        }
    }
}

impl KeyIndex {
    fn new(vocab: &[String]) -> KeyIndex {
        let mut terms: FastMap<String, u32> = FastMap::default();
        let mut table: Vec<String> = Vec::new();
        let mut keys: FastMap<Key, u32> = FastMap::default();
        let mut pairs: Vec<(u32, u32, u32)> = Vec::new();
        let mut unary: Vec<[u32; UNARY_SLOTS]> = Vec::new();
        let mut ids = Vec::with_capacity(4);
        let mut check = String::new();
        for (j, name) in vocab.iter().enumerate() {
            parse_name(name, &mut |family, flag, parts| {
                ids.clear();
                for &p in parts {
                    let id = match terms.get(p) {
                        Some(&id) => id,
                        None => {
                            let id = table.len() as u32;
                            table.push(p.to_string());
                            terms.insert(p.to_string(), id);
                            id
                        }
                    };
                    ids.push(id);
                }
                let key = Key::new(family, flag, &ids);
                // Every reading parse_name gives renders back to the name
                // it came from (it only splits the name where render joins
                // it); checked in debug builds, not paid for at every start.
                if cfg!(debug_assertions) {
                    key.render(&table, &mut check);
                    debug_assert_eq!(check, *name);
                }
                match unary_slot(family, flag).filter(|_| key.arity() == 1) {
                    Some(slot) => {
                        let id = key.ids[0] as usize;
                        if unary.len() <= id {
                            unary.resize(id + 1, [NO_COLUMN; UNARY_SLOTS]);
                        }
                        unary[id][slot] = j as u32;
                    }
                    None if family == Family::Gram && flag == 2 => {
                        pairs.push((key.ids[0], key.ids[1], j as u32));
                    }
                    None => {
                        keys.insert(key, j as u32);
                    }
                }
            });
        }
        let mut unary_columns = Vec::new();
        let unary: Vec<(u32, u32)> = unary
            .iter()
            .map(|slots| {
                let base = unary_columns.len() as u32;
                let mut mask = 0u32;
                for (slot, &c) in slots.iter().enumerate() {
                    if c != NO_COLUMN {
                        mask |= 1 << slot;
                        unary_columns.push(c);
                    }
                }
                (mask, base)
            })
            .collect();
        // Vocabulary names are unique and a name has one reading as a pair,
        // so each (first, second) occurs once.
        pairs.sort_unstable();
        let bucket_scale = (1u64 << 42) / table.len().max(1) as u64;
        let mut starts = vec![0u32; table.len() + 1];
        for &(a, _, _) in &pairs {
            starts[a as usize + 1] += 1;
        }
        for a in 0..table.len() {
            starts[a + 1] += starts[a];
        }
        let bigrams: Vec<(u32, u32)> = pairs.iter().map(|&(_, b, j)| (b, j)).collect();
        let mut bigram_jumps = Vec::new();
        let bigram_start: Vec<(u32, u32)> = starts
            .iter()
            .enumerate()
            .map(|(a, &lo)| {
                let hi = starts.get(a + 1).copied().unwrap_or(lo);
                let list = &bigrams[lo as usize..hi as usize];
                let at = bigram_jumps.len() as u32;
                let buckets = jump_buckets(list.len());
                if buckets > 0 {
                    let mut i = 0;
                    for k in 0..=buckets {
                        while i < list.len() && bucket_of(list[i].0, buckets, bucket_scale) < k {
                            i += 1;
                        }
                        bigram_jumps.push(i as u32);
                    }
                }
                (lo, at)
            })
            .collect();
        // `starts` has an entry per table term and one more; a term with
        // no one-term feature has an empty mask.
        let per_term = bigram_start
            .iter()
            .enumerate()
            .map(|(a, &(pairs, jumps))| {
                let (mask, base) = unary.get(a).copied().unwrap_or((0, 0));
                TermEntry {
                    mask,
                    base,
                    pairs,
                    jumps,
                }
            })
            .collect();
        KeyIndex {
            uid: NEXT_UID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            terms,
            per_term,
            unary_columns,
            bigrams,
            bigram_jumps,
            bucket_scale,
            keys,
        }
    }

    /// This index's id of scratch term `id` ([`ABSENT`] when no feature uses
    /// the term), using and filling `remap` (scratch id -> index id).
    /// Inlined: it runs once per term of every document, and nearly always
    /// finds the id in `remap`; the first lookup of a term is out of line.
    #[inline]
    fn term_id(&self, table: &[String], remap: &mut Vec<u32>, id: u32) -> u32 {
        match remap.get(id as usize) {
            Some(&m) if m != UNSET => m,
            _ => self.look_up_term(table, remap, id),
        }
    }

    /// [`KeyIndex::term_id`] of a term not yet in `remap`.
    #[cold]
    #[inline(never)]
    fn look_up_term(&self, table: &[String], remap: &mut Vec<u32>, id: u32) -> u32 {
        let i = id as usize;
        if i >= remap.len() {
            remap.resize(table.len().max(i + 1), UNSET);
        }
        let m = self.terms.get(table[i].as_str()).copied().unwrap_or(ABSENT);
        remap[i] = m;
        m
    }

    /// Where in `bigrams` the pair (`a`, `b`) can be: term `a`'s list, or
    /// for a long list the bucket of it that `b` falls in.
    #[inline]
    fn pair_span(&self, a: u32, b: u32) -> Option<(u32, u32)> {
        let (lo, hi, at) = self.pair_list(a)?;
        let buckets = jump_buckets((hi - lo) as usize);
        if buckets == 0 {
            return Some((lo, hi));
        }
        let k = at as usize + bucket_of(b, buckets, self.bucket_scale);
        Some((lo + self.bigram_jumps[k], lo + self.bigram_jumps[k + 1]))
    }

    /// Term `a`'s pair list (start, end in `bigrams`) and jump table start.
    #[inline]
    fn pair_list(&self, a: u32) -> Option<(u32, u32, u32)> {
        let a = a as usize;
        let (this, next) = (self.per_term.get(a)?, self.per_term.get(a + 1)?);
        Some((this.pairs, next.pairs, this.jumps))
    }

    /// Starts loading what [`KeyIndex::pair_span`] of (`a`, `b`) will read
    /// beyond the term's entry: the jump entry of a long list, else the
    /// list itself.
    #[inline]
    fn prefetch_pair_span(&self, a: u32, b: u32) {
        if let Some((lo, hi, at)) = self.pair_list(a) {
            let buckets = jump_buckets((hi - lo) as usize);
            if buckets == 0 {
                if let Some(p) = self.bigrams.get(lo as usize) {
                    prefetch(p);
                }
            } else if let Some(j) = self
                .bigram_jumps
                .get(at as usize + bucket_of(b, buckets, self.bucket_scale))
            {
                prefetch(j);
            }
        }
    }

    /// The column of pair (_, `b`) among `bigrams[lo..hi]`, which are sorted
    /// by second term.
    #[inline]
    fn pair_column(&self, lo: u32, hi: u32, b: u32) -> Option<u32> {
        let p = self.bigrams[lo as usize..hi as usize]
            .iter()
            .find(|p| p.0 >= b)?;
        (p.0 == b).then_some(p.1)
    }

    /// The column of `key`, whose ids are this index's own term ids.
    #[inline(always)]
    fn column(&self, key: Key) -> Option<u32> {
        if key.family == Family::Gram && key.flag == 2 {
            let (lo, hi) = self.pair_span(key.ids[0], key.ids[1])?;
            return self.pair_column(lo, hi, key.ids[1]);
        }
        if key.arity() == 1 {
            if let Some(slot) = unary_slot(key.family, key.flag) {
                let &TermEntry { mask, base, .. } = self.per_term.get(key.ids[0] as usize)?;
                if mask & (1 << slot) == 0 {
                    return None;
                }
                let before = count_slots(mask & ((1 << slot) - 1));
                return Some(self.unary_columns[(base + before) as usize]);
            }
        }
        self.keys.get(&key).copied()
    }
}

/// How many buckets a first term's pair list of `len` pairs is split into:
/// none for a short list (scanned whole), else about four pairs a bucket.
fn jump_buckets(len: usize) -> usize {
    if len <= 12 {
        0
    } else {
        (len / 4).next_power_of_two().min(1024)
    }
}

/// The bucket of second term `b` among `buckets` (a power of two up to
/// 1024), given `scale` = 2^42 / (number of terms): `b`'s place among the
/// ids in 1024ths, by a multiply rather than a division, then coarsened.
/// Any mapping that never decreases with `b` would do; build and lookup
/// use this one.
fn bucket_of(b: u32, buckets: usize, scale: u64) -> usize {
    let place = ((b as u64 * scale) >> 32) as usize;
    place >> (10 - buckets.trailing_zeros())
}

/// Scales a row to unit L2 length (an empty row stays empty).
fn normalise(row: &mut SparseRow) {
    let norm = row.iter().map(|&(_, v)| v * v).sum::<f64>().sqrt();
    if norm > 0.0 {
        for (_, v) in row.iter_mut() {
            *v /= norm;
        }
    }
}

/// [`normalise`] for a row kept as a slice of values (a [`Csr`] row): the
/// same sums in the same order, so the same bits.
fn normalise_values(values: &mut [f64]) {
    let norm = values.iter().map(|&v| v * v).sum::<f64>().sqrt();
    if norm > 0.0 {
        for v in values.iter_mut() {
            *v /= norm;
        }
    }
}

/// A feature's TF-IDF weight before normalising: its count `c` (plain or
/// sublinear) times its IDF. Shared by [`Vectorizer::weigh_into`] and
/// [`Vectorizer::fit_matrix`] so fitted rows and transformed rows agree
/// bit for bit.
#[inline]
fn tf_idf(sublinear: bool, c: u32, idf: f64) -> f64 {
    // Most features occur once, and 1 + ln(1) is exactly 1: skipping the
    // logarithm there changes no bit.
    let tf = if sublinear && c > 1 {
        1.0 + (c as f64).ln()
    } else {
        c as f64
    };
    tf * idf
}

/// Feature id -> count for one document, each id once.
type Counts = Vec<(u32, u32)>;

/// One thread's share of fitting: its own term table, the distinct feature
/// keys it saw, and per-document counts over those keys.
struct Chunk {
    table: Vec<String>,
    keys: Vec<Key>,
    /// Every document's (id, count) pairs, one document after another:
    /// document `d`'s are `pairs[ends[d - 1]..ends[d]]`. One flat list
    /// instead of a vector per document, whose header and allocation cost
    /// as much as a short document's pairs (1M training rows).
    pairs: Counts,
    ends: Vec<usize>,
    /// Key -> id, as [`featurize_chunk`] looked keys up: unary keys by term
    /// and slot, the others by hash.
    unary: Vec<[u32; UNARY_SLOTS]>,
    seen: FastMap<Key, u32>,
}

impl Chunk {
    /// The id of `key` (in this chunk's term ids), if the chunk has it.
    fn find(&self, key: &Key) -> Option<u32> {
        match unary_slot(key.family, key.flag).filter(|_| key.arity() == 1) {
            Some(slot) => self
                .unary
                .get(key.ids[0] as usize)
                .map(|cells| cells[slot])
                .filter(|&id| id != NO_COLUMN),
            None => self.seen.get(key).copied(),
        }
    }

    /// Per key: the number of documents it occurs in.
    fn document_frequencies(&self) -> Vec<u32> {
        let mut df = vec![0u32; self.keys.len()];
        for &(id, _) in &self.pairs {
            df[id as usize] += 1;
        }
        df
    }
}

fn featurize_chunk(analyzer: &Analyzer, docs: &[Doc]) -> Chunk {
    let mut sc = Scratch::default();
    // Most features have one term: their ids are kept in an array by term
    // and slot, so only n-grams and flags pay for a hash probe.
    let mut unary: Vec<[u32; UNARY_SLOTS]> = Vec::new();
    let mut seen: FastMap<Key, u32> = FastMap::default();
    seen.reserve(docs.len() * 12);
    let mut keys: Vec<Key> = Vec::new();
    // Per id: the last document it occurred in and its place in that
    // document's counts, so counting needs no sort.
    let mut last: Vec<(usize, u32)> = Vec::new();
    // This document's counts are the tail of `pairs` from `first`.
    let mut pairs: Counts = Vec::new();
    let mut ends = Vec::with_capacity(docs.len());
    for (doc_no, d) in docs.iter().enumerate() {
        let first = pairs.len();
        analyzer.visit_keys(d, &mut sc, &mut |sc, key| {
            let mut new_id = || {
                keys.push(key);
                last.push((usize::MAX, 0));
                keys.len() as u32 - 1
            };
            let id = match unary_slot(key.family, key.flag).filter(|_| key.arity() == 1) {
                Some(slot) => {
                    if unary.len() < sc.table.len() {
                        unary.resize(sc.table.len(), [NO_COLUMN; UNARY_SLOTS]);
                    }
                    let cell = &mut unary[key.ids[0] as usize][slot];
                    if *cell == NO_COLUMN {
                        *cell = new_id();
                    }
                    *cell
                }
                None => *seen.entry(key).or_insert_with(new_id),
            };
            let seen_at = &mut last[id as usize];
            if seen_at.0 == doc_no {
                pairs[first + seen_at.1 as usize].1 += 1;
            } else {
                *seen_at = (doc_no, (pairs.len() - first) as u32);
                pairs.push((id, 1));
            }
        });
        ends.push(pairs.len());
    }
    Chunk {
        table: sc.table,
        keys,
        pairs,
        ends,
        unary,
        seen,
    }
}

/// The chunks' term tables and keys merged into one numbering, with each
/// key's document frequency and each chunk's local -> merged key ids. Terms
/// and keys are numbered in chunk order, first seen first, so the same
/// whatever the thread count.
fn merge_chunks(chunks: &[Chunk]) -> (Vec<String>, Vec<Key>, Vec<u32>, Vec<Vec<u32>>) {
    // One shared term table; every chunk's term ids mapped into it. The
    // first chunk's ids map to themselves.
    let mut table: Vec<String> = Vec::new();
    let mut term_ids: FastMap<&str, u32> = FastMap::default();
    let remaps: Vec<Vec<u32>> = chunks
        .iter()
        .map(|c| {
            c.table
                .iter()
                .map(|t| {
                    *term_ids.entry(t.as_str()).or_insert_with(|| {
                        table.push(t.clone());
                        table.len() as u32 - 1
                    })
                })
                .collect()
        })
        .collect();
    // The first chunk's keys keep their ids, so its own lookup tables
    // answer for them: only keys it lacks go into a new map, instead of
    // every key of every chunk.
    let Some((first, rest)) = chunks.split_first() else {
        return (table, Vec::new(), Vec::new(), Vec::new());
    };
    let mut global_keys: Vec<Key> = first.keys.clone();
    let mut df = first.document_frequencies();
    let mut to_global: Vec<Vec<u32>> = vec![(0..first.keys.len() as u32).collect()];
    let mut others: FastMap<Key, u32> = FastMap::default();
    for (c, remap) in rest.iter().zip(&remaps[1..]) {
        let local_df = c.document_frequencies();
        let ids = c
            .keys
            .iter()
            .zip(&local_df)
            .map(|(k, &n)| {
                let key = k.remap(remap);
                let g = first.find(&key).unwrap_or_else(|| {
                    *others.entry(key).or_insert_with(|| {
                        global_keys.push(key);
                        df.push(0);
                        df.len() as u32 - 1
                    })
                });
                df[g as usize] += n;
                g
            })
            .collect();
        to_global.push(ids);
    }
    (table, global_keys, df, to_global)
}

/// The training matrix from the chunks' per-document counts: each kept
/// key's column via `to_global` (per chunk, local -> merged id) and
/// `column` (merged id -> column or [`NO_COLUMN`]), each row sorted by
/// column and weighed as [`Vectorizer::weigh_into`] weighs a row.
///
/// Rows must be sorted by column. Rather than sort every row, all pairs are
/// bucketed by column and dealt back to their rows column by column: linear
/// in the pairs, where the sorts took a sixth of fit. The chunks are
/// dropped once bucketed, so at most the buckets and the matrix (20 bytes a
/// value) are held at once.
fn rows_by_column(
    vectorizer: &Vectorizer,
    chunks: Vec<Chunk>,
    to_global: &[Vec<u32>],
    column: &[u32],
) -> Csr {
    let n_cols = vectorizer.n_features();
    let n_rows: usize = chunks.iter().map(|c| c.ends.len()).sum();
    // Per chunk: local id -> column, so the passes below look up once.
    let columns: Vec<Vec<u32>> = to_global
        .iter()
        .map(|ids| ids.iter().map(|&g| column[g as usize]).collect())
        .collect();
    // Row starts, and where each column's pairs start among the buckets.
    let mut indptr = Vec::with_capacity(n_rows + 1);
    indptr.push(0usize);
    let mut start = vec![0usize; n_cols + 1];
    for (c, chunk) in chunks.iter().enumerate() {
        let columns = &columns[c];
        let mut from = 0;
        for &end in &chunk.ends {
            let mut len = 0;
            for &(id, _) in &chunk.pairs[from..end] {
                let j = columns[id as usize];
                if j != NO_COLUMN {
                    start[j as usize + 1] += 1;
                    len += 1;
                }
            }
            indptr.push(indptr[indptr.len() - 1] + len);
            from = end;
        }
    }
    for j in 0..n_cols {
        start[j + 1] += start[j];
    }
    // (row, count) by column; within a column, rows in increasing order.
    let mut next = start.clone();
    let mut by_column = vec![(0u32, 0u32); start[n_cols]];
    let mut row = 0u32;
    for (c, chunk) in chunks.iter().enumerate() {
        let columns = &columns[c];
        let mut from = 0;
        for &end in &chunk.ends {
            for &(id, n) in &chunk.pairs[from..end] {
                let j = columns[id as usize];
                if j != NO_COLUMN {
                    by_column[next[j as usize]] = (row, n);
                    next[j as usize] += 1;
                }
            }
            row += 1;
            from = end;
        }
    }
    drop(chunks);
    // Dealt back to rows in column order: each row ends up sorted. The
    // counts wait in `values` until the row is weighed.
    let nnz = indptr[n_rows];
    let mut indices = vec![0u32; nnz];
    let mut values = vec![0f64; nnz];
    let mut at = indptr.clone();
    for j in 0..n_cols {
        for &(i, n) in &by_column[start[j]..start[j + 1]] {
            let p = &mut at[i as usize];
            indices[*p] = j as u32;
            values[*p] = f64::from(n);
            *p += 1;
        }
    }
    drop(by_column);
    let sublinear = vectorizer.analyzer.config().sublinear_tf;
    for i in 0..n_rows {
        let span = indptr[i]..indptr[i + 1];
        let vals = &mut values[span.clone()];
        for (v, &j) in vals.iter_mut().zip(&indices[span]) {
            // Counts are whole numbers far below 2^53: exact as f64.
            *v = tf_idf(sublinear, *v as u32, vectorizer.idf[j as usize]);
        }
        normalise_values(vals);
    }
    Csr::from_parts(n_cols, indptr, indices, values)
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
        let (vectorizer, x) = Vectorizer::fit_matrix(config, docs, threads);
        let rows = (0..x.n_rows())
            .map(|i| {
                let (idx, val) = x.row(i);
                idx.iter().copied().zip(val.iter().copied()).collect()
            })
            .collect();
        (vectorizer, rows)
    }

    /// [`Vectorizer::fit`] with the training rows as one compressed sparse
    /// matrix, as the trainer wants them: built in place, without a vector
    /// per row (16 bytes a value, plus a header and an allocation per row)
    /// and a copy of them all, which were most of `train`'s memory.
    pub fn fit_matrix(config: FeatureConfig, docs: &[Doc], threads: usize) -> (Vectorizer, Csr) {
        Vectorizer::analyse(config, docs, threads).finish()
    }

    /// The first half of [`Vectorizer::fit_matrix`], the only one that reads
    /// the documents: what is left holds no borrow of them, so a caller can
    /// free the texts before [`Analysis::finish`] builds the matrix.
    pub fn analyse(config: FeatureConfig, docs: &[Doc], threads: usize) -> Analysis {
        let analyzer = Analyzer::new(config);
        let threads = threads.clamp(1, 8).min(docs.len().max(1));
        let chunk = docs.len().div_ceil(threads).max(1);
        let chunks: Vec<Chunk> = if threads == 1 {
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
        Analysis {
            analyzer,
            chunks,
            n_docs: docs.len(),
        }
    }
}

/// Training documents analysed (their feature keys counted), before the
/// vocabulary is chosen and the matrix built; see [`Vectorizer::analyse`].
pub struct Analysis {
    analyzer: Analyzer,
    chunks: Vec<Chunk>,
    n_docs: usize,
}

impl Analysis {
    /// Chooses the vocabulary and IDF and builds the training matrix: the
    /// second half of [`Vectorizer::fit_matrix`].
    pub fn finish(self) -> (Vectorizer, Csr) {
        let Analysis {
            analyzer,
            mut chunks,
            n_docs,
        } = self;
        let (table, global_keys, df, to_global) = if chunks.len() == 1 {
            // One chunk (one thread): its numbering is already the merged
            // one, so skip rebuilding it through two hash maps.
            let only = &mut chunks[0];
            {
                let df = only.document_frequencies();
                let identity = (0..only.keys.len() as u32).collect();
                let table = std::mem::take(&mut only.table);
                (table, std::mem::take(&mut only.keys), df, vec![identity])
            }
        } else {
            merge_chunks(&chunks)
        };
        for c in &mut chunks {
            c.unary = Vec::new();
            c.seen = FastMap::default();
        }
        let cfg = analyzer.config();
        // Names are built only for features that survive min_df.
        let mut kept: Vec<(String, u32)> = (0..global_keys.len() as u32)
            .filter(|&g| df[g as usize] as usize >= cfg.min_df)
            .map(|g| {
                let mut name = String::new();
                global_keys[g as usize].render(&table, &mut name);
                (name, g)
            })
            .collect();
        if let Some(cap) = cfg.max_features {
            // Most frequent first, ties by name, so the cut is deterministic.
            kept.sort_unstable_by(|a, b| {
                df[b.1 as usize]
                    .cmp(&df[a.1 as usize])
                    .then_with(|| a.0.cmp(&b.0))
            });
            kept.truncate(cap);
        }
        // Names compared by their first sixteen bytes as one integer before
        // byte by byte: most share a family prefix ("b:<T> ", "c:neg_"), and
        // a comparison that reaches memcmp for it costs several times more.
        let head = |name: &str| {
            let mut b = [0u8; 16];
            let n = name.len().min(16);
            b[..n].copy_from_slice(&name.as_bytes()[..n]);
            u128::from_be_bytes(b)
        };
        let mut by_name: Vec<(u128, String, u32)> = kept
            .into_iter()
            .map(|(name, g)| (head(&name), name, g))
            .collect();
        by_name.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        let kept: Vec<(String, u32)> = by_name.into_iter().map(|(_, name, g)| (name, g)).collect();
        let n = n_docs as f64;
        let idf: Vec<f64> = kept
            .iter()
            .map(|&(_, g)| ((1.0 + n) / (1.0 + df[g as usize] as f64)).ln() + 1.0)
            .collect();
        let mut column = vec![NO_COLUMN; global_keys.len()];
        for (j, &(_, g)) in kept.iter().enumerate() {
            column[g as usize] = j as u32;
        }
        let vocab: Vec<String> = kept.into_iter().map(|(name, _)| name).collect();
        let vectorizer = Vectorizer::from_parts(analyzer, vocab, idf);
        let x = rows_by_column(&vectorizer, chunks, &to_global, &column);
        (vectorizer, x)
    }
}

impl Vectorizer {
    /// Rebuilds a fitted vectoriser from stored parts (a model file).
    pub fn from_parts(analyzer: Analyzer, vocab: Vec<String>, idf: Vec<f64>) -> Vectorizer {
        // Lookups by binary search need a sorted, unique vocabulary (model
        // files are checked for it); otherwise index at once.
        let index = std::sync::OnceLock::new();
        if vocab.windows(2).any(|p| p[0] >= p[1]) {
            let _ = index.set(KeyIndex::new(&vocab));
        }
        Vectorizer {
            analyzer,
            vocab,
            index,
            transforms: std::sync::atomic::AtomicUsize::new(0),
            idf,
        }
    }

    pub fn transform(&self, doc: &Doc) -> SparseRow {
        let idf = IdfTable {
            values: &self.idf,
            stride: 1,
        };
        self.transform_with(doc, idf, std::mem::take)
    }

    /// [`Vectorizer::transform`] with each column's IDF read from `idf`,
    /// which must hold this vectoriser's values: a model keeps them beside
    /// its weights, so scoring a feature touches one place in memory. The
    /// row is lent to `use_row` from a per-thread buffer (which may take it
    /// over, as [`Vectorizer::transform`] does), so scoring a
    /// statement allocates no row of its own.
    pub(crate) fn transform_with<R>(
        &self,
        doc: &Doc,
        idf: IdfTable,
        use_row: impl FnOnce(&mut SparseRow) -> R,
    ) -> R {
        let index = match self.index.get() {
            Some(index) => index,
            None => {
                let n = self
                    .transforms
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if n + 1 < INDEX_AFTER {
                    return use_row(&mut self.transform_by_search(doc, |j| idf.get(j)));
                }
                self.index.get_or_init(|| KeyIndex::new(&self.vocab))
            }
        };
        let uid = index.uid;
        let run = |sc: &mut Scratch| {
            let slot = match sc.remaps.iter().position(|(u, _)| *u == uid) {
                Some(i) => i,
                None => {
                    sc.remaps.push((uid, Vec::new()));
                    sc.remaps.len() - 1
                }
            };
            let mut remap = std::mem::take(&mut sc.remaps[slot].1);
            let mut columns = std::mem::take(&mut sc.columns);
            let mut ids = std::mem::take(&mut sc.ids);
            let mut identity = std::mem::take(&mut sc.identity_ids);
            columns.clear();
            // Each position's term is looked up in the index once; keys are
            // then built from index ids, and those naming a term the index
            // lacks are never formed.
            let target_at = self.analyzer.terms(doc, sc);
            ids.clear();
            ids.extend(sc.terms.iter().map(|t| {
                let id = index.term_id(&sc.table, &mut remap, t.id);
                // Every key of this term reads its entry first.
                if let Some(entry) = index.per_term.get(id as usize) {
                    prefetch(entry);
                }
                id
            }));
            identity.clear();
            identity.extend(
                sc.identity
                    .iter()
                    .map(|&id| index.term_id(&sc.table, &mut remap, id)),
            );
            // Word pairs are looked up in three passes, each starting the
            // loads the next one needs, so their cache misses (two or three
            // dependent ones a pair) overlap instead of following each other.
            let mut pairs = std::mem::take(&mut sc.pairs);
            let mut spans = std::mem::take(&mut sc.pair_spans);
            pairs.clear();
            spans.clear();
            let mut collect = ColumnCollector {
                index,
                idf,
                pairs: &mut pairs,
                columns: &mut columns,
            };
            self.analyzer
                .emit_keys(doc, sc, target_at, &ids, &identity, &mut collect);
            for &(a, b) in &pairs {
                if let Some((lo, hi)) = index.pair_span(a, b) {
                    if let Some(p) = index.bigrams.get(lo as usize) {
                        prefetch(p);
                    }
                    spans.push((lo, hi, b));
                }
            }
            for &(lo, hi, b) in &spans {
                if let Some(j) = index.pair_column(lo, hi, b) {
                    idf.prefetch(j);
                    columns.push(j);
                }
            }
            sc.pairs = pairs;
            sc.pair_spans = spans;
            sc.ids = ids;
            sc.identity_ids = identity;
            sc.remaps[slot].1 = remap;
            let mut row = std::mem::take(&mut sc.row);
            self.weigh_columns(&mut columns, |j| idf.get(j), &mut row);
            sc.columns = columns;
            let out = use_row(&mut row);
            sc.row = row;
            out
        };
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut sc) => {
                sc.bound();
                run(&mut sc)
            }
            Err(_) => run(&mut Scratch::default()),
        })
    }

    /// The TF-IDF row of a document's feature columns (one per occurrence).
    fn weigh_columns(&self, columns: &mut [u32], idf: impl Fn(u32) -> f64, row: &mut SparseRow) {
        columns.sort_unstable();
        self.weigh_into(
            columns
                .chunk_by(|a, b| a == b)
                .map(|run| (run[0], run.len() as u32)),
            idf,
            row,
        )
    }

    /// [`Vectorizer::transform`] without the key index: each feature's name
    /// is rendered and looked up in the sorted vocabulary.
    fn transform_by_search(&self, doc: &Doc, idf: impl Fn(u32) -> f64) -> SparseRow {
        let mut ids = Vec::new();
        let mut name = String::new();
        let mut lookup = |sc: &Scratch, key: Key| {
            key.render(&sc.table, &mut name);
            if let Ok(j) = self.vocab.binary_search_by(|v| v.as_str().cmp(&name)) {
                ids.push(j as u32);
            }
        };
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut sc) => {
                sc.bound();
                self.analyzer.visit_keys(doc, &mut sc, &mut lookup)
            }
            Err(_) => self
                .analyzer
                .visit_keys(doc, &mut Scratch::default(), &mut lookup),
        });
        let mut row = SparseRow::new();
        self.weigh_columns(&mut ids, idf, &mut row);
        row
    }

    /// Counts over vocabulary columns (sorted) -> TF-IDF row, L2-normalised,
    /// into `row`, which is cleared first.
    fn weigh_into(
        &self,
        counts: impl IntoIterator<Item = (u32, u32)>,
        idf: impl Fn(u32) -> f64,
        row: &mut SparseRow,
    ) {
        let sublinear = self.analyzer.config().sublinear_tf;
        let counts = counts.into_iter();
        row.clear();
        row.reserve(counts.size_hint().1.unwrap_or(0));
        row.extend(counts.map(|(j, c)| (j, tf_idf(sublinear, c, idf(j)))));
        normalise(row);
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

    /// A statement with no target or other mentions.
    fn plain(text: &str) -> Doc<'_> {
        Doc {
            text,
            target: None,
            others: &[],
            own_party: false,
        }
    }

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
            own_party: false,
        })
    }

    #[test]
    fn clause_scope_reads_the_targets_clause_and_where_the_contrast_stands() {
        let text = "We respect Turkey's concerns, but Syria is crossing a line.";
        let analyzer = Analyzer::new(FeatureConfig {
            clause_scope: true,
            stem: false,
            ..FeatureConfig::default()
        });
        let feats = |target: &str, other: &str| {
            let at = |m: &str| text.find(m).map(|s| (s, s + m.len())).unwrap();
            analyzer.features(&Doc {
                text,
                target: Some(at(target)),
                others: &[at(other)],
                own_party: false,
            })
        };
        let syria = feats("Syria", "Turkey");
        assert!(syria.contains_key("k:crossing"), "{syria:?}");
        assert!(!syria.contains_key("k:respect"), "{syria:?}");
        assert!(syria.contains_key("x:after_contrast"));
        assert!(!syria.contains_key("x:before_contrast"));
        let turkey = feats("Turkey", "Syria");
        assert!(turkey.contains_key("k:respect"), "{turkey:?}");
        assert!(!turkey.contains_key("k:crossing"), "{turkey:?}");
        assert!(turkey.contains_key("x:before_contrast"));
        // Off by default: models trained before it featurise as they did.
        assert!(!feats_default_has_clause(text));
    }

    fn feats_default_has_clause(text: &str) -> bool {
        feats(text, "Syria", &["Turkey"])
            .keys()
            .any(|k| k.starts_with("k:") || k.contains("contrast"))
    }

    #[test]
    fn stemmed_and_unstemmed_analysers_on_one_thread_keep_their_own_terms() {
        // Both share the thread's scratch (stems, last analysed text).
        let stemmed = Analyzer::new(FeatureConfig::default());
        let surface = Analyzer::new(FeatureConfig {
            stem: false,
            ..FeatureConfig::default()
        });
        let doc = plain("Talks were running smoothly");
        assert!(stemmed.features(&doc).contains_key("w:run"));
        let f = surface.features(&doc);
        assert!(f.contains_key("w:running"), "{f:?}");
        assert!(!f.contains_key("w:run"));
    }

    #[test]
    fn reanalysing_a_text_after_another_gives_the_same_features() {
        let first = feats("Russia is not a threat, said Paris.", "Russia", &["Paris"]);
        let other = feats("Ties with Japan are good.", "Japan", &[]);
        let again = feats("Russia is not a threat, said Paris.", "Russia", &["Paris"]);
        assert_eq!(first, again);
        assert_ne!(first, other);
        // Same text, another target: the cached tokens are reused, the
        // placeholders move.
        let swapped = feats("Russia is not a threat, said Paris.", "Paris", &["Russia"]);
        assert!(swapped.contains_key("l1:said"), "{swapped:?}");
        assert!(!first.contains_key("l1:said"));
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
    fn n_grams_up_to_the_longest_asked_for_never_cross_punctuation() {
        let analyzer = Analyzer::new(FeatureConfig {
            ngram_max: 4,
            stem: false,
            negation: false,
            ..FeatureConfig::default()
        });
        let f = analyzer.features(&plain("one two three four, five six"));
        for gram in [
            "b:one two",
            "b:two three four",
            "b:one two three four",
            "b:five six",
        ] {
            assert!(f.contains_key(gram), "{gram} missing from {f:?}");
        }
        for crossing in ["b:four five", "b:three four five", "b:four , five"] {
            assert!(!f.contains_key(crossing), "{crossing} in {f:?}");
        }
        let grams = f.keys().filter(|k| k.starts_with("b:")).count();
        assert_eq!(grams, 3 + 2 + 1 + 1, "{f:?}");
    }

    #[test]
    fn counting_slots_counts_the_bits_of_every_slot_set() {
        for mask in 0..1u32 << UNARY_SLOTS {
            assert_eq!(count_slots(mask), mask.count_ones(), "{mask:#x}");
        }
    }

    #[test]
    fn missing_target_is_flagged_not_dropped() {
        let f = Analyzer::new(FeatureConfig::default())
            .features(&plain("Our countries share responsibility"));
        assert!(f.contains_key("x:no_target"));
        assert!(f.contains_key("w:countri"));
    }

    #[test]
    fn vocabulary_is_sorted_and_rows_are_unit_length() {
        let texts = ["a b c Russia", "b c d Russia", "c d e China"];
        let docs: Vec<Doc> = texts.iter().map(|t| plain(t)).collect();
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
    fn every_fitted_row_is_the_documents_transform_bit_for_bit() {
        // Repeated words (counts above one, sublinear TF) and words below
        // min_df in every row; three threads, so three chunks are merged.
        let texts: Vec<String> = (0..40)
            .map(|i| {
                format!(
                    "Russia Russia w{} and w{} said x{i} China: not w{} w{} w{}",
                    i % 7,
                    i % 5,
                    i % 3,
                    i % 3,
                    i % 11
                )
            })
            .collect();
        let docs: Vec<Doc> = texts.iter().map(|t| plain(t)).collect();
        for threads in [1, 3] {
            let cfg = FeatureConfig {
                sublinear_tf: true,
                ..FeatureConfig::default()
            };
            let (v, x) = Vectorizer::fit_matrix(cfg, &docs, threads);
            assert_eq!(x.n_rows(), docs.len());
            for (i, d) in docs.iter().enumerate() {
                let (idx, val) = x.row(i);
                let row: SparseRow = idx.iter().copied().zip(val.iter().copied()).collect();
                let t = v.transform(d);
                assert_eq!(row.len(), t.len(), "row {i}");
                for (a, b) in row.iter().zip(&t) {
                    assert_eq!((a.0, a.1.to_bits()), (b.0, b.1.to_bits()), "row {i}");
                }
            }
        }
    }

    #[test]
    fn surface_forms_with_one_stem_are_one_feature() {
        let texts = ["monitors monitor monitoring", "the monitor"];
        let docs: Vec<Doc> = texts.iter().map(|t| plain(t)).collect();
        let (v, rows) = Vectorizer::fit(FeatureConfig::default(), &docs, 2);
        let j = v
            .vocab()
            .iter()
            .position(|f| f == "w:monitor")
            .expect("w:monitor kept");
        // Each row has every column at most once, in order.
        for r in &rows {
            assert!(r.windows(2).all(|p| p[0].0 < p[1].0), "{r:?}");
        }
        assert!(rows[0].iter().any(|&(c, _)| c as usize == j));
        // idf of a feature in both documents is the minimum, ln(3/3)+1.
        assert!((v.idf()[j] - 1.0).abs() < 1e-12);
    }

    #[test]
    fn fitting_on_two_threads_gives_what_one_gives_on_thousands_of_features() {
        // Enough distinct words and pairs that each thread's chunk has keys
        // the other lacks, so merging the chunks renumbers thousands.
        let words: Vec<String> = (0..3000).map(|i| format!("w{i}")).collect();
        let texts: Vec<String> = (0..1000)
            .map(|d| {
                let pick = |k: usize| words[(d * 7919 + k * 104_729) % words.len()].as_str();
                (0..12).map(pick).collect::<Vec<_>>().join(" ")
            })
            .collect();
        let docs: Vec<Doc> = texts.iter().map(|t| plain(t)).collect();
        let cfg = FeatureConfig {
            min_df: 1,
            ..FeatureConfig::default()
        };
        let (a, rows_a) = Vectorizer::fit(cfg.clone(), &docs, 1);
        let (b, rows_b) = Vectorizer::fit(cfg, &docs, 2);
        assert!(a.n_features() > 4096, "{}", a.n_features());
        assert!(a.vocab().windows(2).all(|p| p[0] < p[1]));
        assert_eq!(a.vocab(), b.vocab());
        assert_eq!(a.idf(), b.idf());
        assert_eq!(rows_a, rows_b);
    }

    #[test]
    fn fitting_twice_gives_identical_vocabulary_and_idf() {
        let texts: Vec<String> = (0..50)
            .map(|i| format!("word{} common text {}", i % 7, i % 3))
            .collect();
        let docs: Vec<Doc> = texts.iter().map(|t| plain(t)).collect();
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

    #[test]
    fn every_reading_of_a_name_renders_back_to_it() {
        let names = [
            "w:x",
            "w:neg_x",
            "w:neg_",
            "w:",
            "w:a:b",
            "c:neg_neg_y",
            "s:z",
            "p:!",
            "t:russia",
            "x:no_target",
            "x:own_party",
            "x:other",
            "tone:critical",
            "tone_near:neg_conciliatory",
            "tone:neg_other",
            "b:a b",
            "b:a  b",
            "b:a b c d",
            "b:a b c d e",
            "b:one",
            "b: ",
            "l1:x",
            "r3:neg_y",
            "l0:x",
            "r4:x",
            "l12:x",
            "q:x",
            "nocolon",
            ":x",
            "l:x",
            "l1x:y",
        ];
        for name in names {
            let mut table: Vec<String> = Vec::new();
            parse_name(name, &mut |family, flag, parts| {
                let ids: Vec<u32> = parts
                    .iter()
                    .map(|p| {
                        table.push(p.to_string());
                        table.len() as u32 - 1
                    })
                    .collect();
                let mut out = String::new();
                Key::new(family, flag, &ids).render(&table, &mut out);
                assert_eq!(out, name, "{family:?} {flag}");
            });
        }
    }

    #[test]
    fn long_pair_lists_are_found_through_their_jump_tables() {
        // "the" is followed by 300 different words, so its pair list is
        // split into buckets; every doc's pairs must still be found.
        let texts: Vec<String> = (0..300)
            .map(|i| format!("the w{i} and the w{} said w{i}", (i * 7) % 300))
            .collect();
        let docs: Vec<Doc> = texts.iter().map(|t| plain(t)).collect();
        let (v, rows) = Vectorizer::fit(FeatureConfig::default(), &docs, 1);
        let the_pairs = v.vocab().iter().filter(|f| f.starts_with("b:the ")).count();
        assert!(jump_buckets(the_pairs) > 0, "{the_pairs}");
        for _ in 0..INDEX_AFTER {
            v.transform(&docs[0]);
        }
        for (d, r) in docs.iter().zip(&rows) {
            assert_eq!(&v.transform(d), r);
        }
    }

    #[test]
    fn key_index_and_binary_search_find_the_same_columns() {
        let texts: Vec<String> = (0..40)
            .map(|i| {
                format!(
                    "Russia did not {} the plan, said China, welcoming it. We condemn {} strikes! x{}",
                    ["welcome", "reject", "oppose"][i % 3],
                    ["Moscow's", "reckless", "neg_trick"][i % 3],
                    i % 5
                )
            })
            .collect();
        let docs: Vec<Doc> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| Doc {
                text: t,
                target: t.find("China").map(|s| (s, s + 5)),
                others: &[(0, 6)],
                own_party: i % 2 == 0,
            })
            .collect();
        let cfg = FeatureConfig {
            lexicon: true,
            ..FeatureConfig::default()
        };
        let (v, rows) = Vectorizer::fit(cfg, &docs, 1);
        // Every feature family is exercised, so the index must read them all.
        for family in [
            "x:own_party",
            "tone:",
            "tone_near:",
            "s:",
            "l1:",
            "t:china",
            "b:",
        ] {
            assert!(
                v.vocab().iter().any(|f| f.starts_with(family)),
                "{family} missing from {:?}",
                v.vocab()
            );
        }
        for _ in 0..INDEX_AFTER {
            v.transform(&docs[0]);
        }
        assert!(v.index.get().is_some(), "the key index is built by now");
        for (d, r) in docs.iter().zip(&rows) {
            assert_eq!(&v.transform(d), r);
            assert_eq!(&v.transform_by_search(d, |j| v.idf[j as usize]), r);
        }
    }
}
