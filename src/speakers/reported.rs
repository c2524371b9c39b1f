//! Reported speech beyond the cue patterns `quotes::indirect` reads first.
//!
//! News English reports what a source says, thinks, found or shows with a
//! handful of shapes whatever the verb and whatever the source:
//! - SOURCE VERB that CLAUSE: "a new poll shows that ...", "police also fear
//!   that ...", "Rendell agreed that ...". Any verb of saying, knowing or
//!   showing takes a clause after "that"; the source may be any short noun
//!   phrase ("elected officials from both parties").
//! - CLAUSE, SOURCE VERB (tail): "..., the IMF said.", "..., one study found."
//!   and the inverted "..., said the agency."
//! - "according to SOURCE, CLAUSE" and "CLAUSE, according to SOURCE" with any
//!   source phrase ("a poll released last week", "police").
//!
//! A source that is no known person, role or institution is returned as
//! the phrase itself, with the party the phrase names (see
//! `sources::source_phrase`). A pronoun the resolver cannot tie to anybody
//! makes no record, as everywhere in attribution.

use super::sources::source_phrase;
use super::{is_cap, np_back, np_fwd, CTok, Cue, Doc, Found, Np, NpKind, Resolver, Speaker};
use crate::text::{FastSet, TokenKind};
use std::sync::OnceLock;

/// A word list written as one string, looked up as a set built on first use.
struct WordList {
    words: &'static str,
    set: OnceLock<FastSet<&'static str>>,
}

impl WordList {
    const fn new(words: &'static str) -> WordList {
        WordList {
            words,
            set: OnceLock::new(),
        }
    }

    fn has(&self, word: &str) -> bool {
        self.set
            .get_or_init(|| self.words.split_ascii_whitespace().collect())
            .contains(word)
    }
}

/// Between a source and its verb: "also", "has long", "repeatedly", "not".
fn adverb_like(doc: &Doc, t: &CTok) -> bool {
    doc.facts(t).adverb_or_aux()
        || matches!(
            t.text,
            "not"
                | "never"
                | "long"
                | "now"
                | "privately"
                | "widely"
                | "are"
                | "am"
                | "be"
                | "been"
        )
        || (t.text.len() > 4
            && t.text.ends_with("ly")
            && t.text.bytes().all(|b| b.is_ascii_lowercase())
            && !matches!(
                t.text,
                "family"
                    | "rally"
                    | "supply"
                    | "assembly"
                    | "ally"
                    | "reply"
                    | "anomaly"
                    | "monopoly"
            ))
}

/// Verbs of saying, knowing and showing that take a "that" clause, in the
/// forms news copy uses. The cue lexicon's verbs of saying are read too.
static REPORTING: WordList = WordList::new(
    "acknowledge acknowledged acknowledges admit admits admitted agree agreed agrees \
    allege alleged alleges announce announced announces argue argued argues assert \
    asserted asserts assume assumed assumes believe believed believes boasted charge \
    charged charges claim claimed claims complained conclude concluded concludes concede \
    conceded concedes confirm confirmed confirms contend contended contends decided \
    declare declared declares demonstrated demonstrates denied denies deny determined \
    disclosed discovered doubt doubted doubts emphasized emphasised estimate estimated \
    estimates expect expected expects explained fear feared fears feel feels felt find \
    finds found hinted hope hoped hopes indicate indicated indicates insist insisted \
    insists know knew knows learned learnt maintain maintained maintains note noted \
    notes predict predicted predicts promise promised promises proved proves realize \
    realized realizes realise realised recognize recognized recognise recognised \
    recalled reckon reiterated repeated replied report reported reports responded \
    revealed reveals ruled say said says showed shown shows signaled \
    signalled stress stressed stresses suggest suggested suggests suspect suspected \
    suspects testified testify think thinks thought told understand understands \
    understood vowed vows warn warned warns worried worries worry wrote write writes complain complains \
    afraid aware certain concerned confident convinced hopeful optimistic skeptical sure \
    acknowledging arguing asserting claiming confirming insisting predicting saying suggesting \
    warning",
);

/// Verbs that end a sentence after the source: "..., the IMF said.",
/// "..., one study found."
static POSTPOSED: WordList = WordList::new(
    "said says say told added wrote writes reported reports found finds shows showed \
    estimated estimates argued argues noted notes warned warns claimed claims believes \
    believe concluded suggests",
);

/// Words that end a source phrase on its left: the phrase is the subject of
/// a clause only when it starts the sentence or follows one of these.
static CLAUSE_OPENERS: WordList = WordList::new(
    ", ; : \u{2014} \u{2013} -- - and but because while as although though since so when \
    if after before But And Because While As Although Though Since So When If After \
    Before Yet yet However however",
);

/// Words that never belong to a source phrase: verbs, clause words and
/// prepositions that would make the phrase a clause of its own.
static NOT_IN_SOURCE: WordList = WordList::new(
    "is are was were be been being has have had do does did will would can could should \
    may might must to not that which who whom whose what when where why how if It it \
    There there This this That I you You we We me us him them",
);

/// Words a source phrase cannot end in: a noun phrase ends in a noun.
static NOT_LAST: WordList = WordList::new(
    "the a an The A An his her their its our my your His Her Their Its Our My Your of in \
    on at for from with by about over amid among than against into In On At For From \
    With By About Amid Among also and or both all many some several most",
);

/// Words a source phrase cannot start with: a phrase opening with a
/// preposition is an adjunct ("in areas of those states that ...").
static NOT_FIRST: WordList = WordList::new(
    "in on at for from with by about of over under among amid into through across against \
    including during after before like than In On At For From With By About Of Over Under \
    Among Amid Into Through Across Against Including During Like",
);

/// Verb forms that are also plural nouns.
static NOUN_LIKE: WordList = WordList::new(
    "states claims notes reports shows fears hopes doubts estimates charges promises vows \
    worries findings rules finds thinks",
);

type Reading = (usize, usize, Found, Option<Speaker>);

/// The reported clause of a sentence window and its source, when the
/// sentence has one of the shapes above. Byte span, attribution, speaker.
pub(crate) fn reported_clause(r: &mut Resolver, w: &[CTok]) -> Option<Reading> {
    let doc = r.doc;
    let last = sentence_end(doc, w);
    if last < 4 {
        return None;
    }
    // Every shape needs a "that" a few words on, a verb of saying or a
    // verb near the sentence end: words elsewhere are not looked up.
    let mut next_that = 0;
    for c in 0..last {
        let t = &w[c];
        if t.quote.is_some() || doc.toks[t.tok].kind != TokenKind::Word {
            continue;
        }
        if next_that <= c {
            next_that = (c + 1..last)
                .find(|&k| w[k].text == "that")
                .unwrap_or(usize::MAX);
        }
        let near = next_that - c <= 5 || last - c <= 7;
        let reading = if matches!(t.text, "according" | "According") {
            according_to(r, w, c, last)
        } else if is_speech(doc, t) || (near && REPORTING.has(t.text)) {
            that_clause(r, w, c, last).or_else(|| postposed(r, w, c, last))
        } else {
            None
        };
        if reading.is_some() {
            return reading;
        }
    }
    None
}

/// The window without its final punctuation.
pub(crate) fn sentence_end(doc: &Doc, w: &[CTok]) -> usize {
    let mut last = w.len();
    while last > 0
        && doc.toks[w[last - 1].tok].kind == TokenKind::Punct
        && w[last - 1].quote.is_none()
    {
        last -= 1;
    }
    last
}

fn is_speech(doc: &Doc, t: &CTok) -> bool {
    matches!(doc.cue(t), Some(Cue::Speech { .. }))
}

/// Words (not punctuation) in `w[a..b]`.
pub(crate) fn words_in(doc: &Doc, w: &[CTok], a: usize, b: usize) -> usize {
    w[a..b]
        .iter()
        .filter(|t| t.quote.is_some() || doc.toks[t.tok].kind != TokenKind::Punct)
        .count()
}

/// The clause reaches to the sentence end or the first semicolon.
fn clause_end(w: &[CTok], a: usize, last: usize) -> usize {
    (a..last).find(|&k| w[k].text == ";").unwrap_or(last)
}

/// SOURCE VERB that CLAUSE, with at most a short phrase between the verb
/// and "that" ("told reporters on Monday that").
fn that_clause(r: &mut Resolver, w: &[CTok], c: usize, last: usize) -> Option<Reading> {
    let doc = r.doc;
    let that = (c + 1..last.min(c + 6))
        .take_while(|&k| w[k].quote.is_none() && !matches!(w[k].text, "," | ";"))
        .find(|&k| w[k].text == "that");
    // A strong verb of saying takes its clause without "that": "the
    // network said it would ...".
    let strong = matches!(doc.cue(&w[c]), Some(Cue::Speech { strong: true }));
    let a = match that {
        Some(that) => that + 1,
        // "said the two men raised ...": a clause may open with "the" right
        // after the verb; the inverted ", said the minister" has no source
        // before the verb and is read by `postposed`.
        None if strong
            && c + 1 < last
            && (is_clause_opener(doc, &w[c + 1])
                || (w[c + 1].text == "the" && matches!(w[c].text, "said" | "says" | "say"))
                || subject_then_verb(doc, w, c + 1, last)) =>
        {
            c + 1
        }
        None => return None,
    };
    let b = clause_end(w, a, last);
    // "that" as a determiner ("found that book") is followed by a noun
    // and little else: a clause has a few words at least.
    if words_in(doc, w, a, b) < 4 || w[a].quote.is_some() {
        return None;
    }
    let (found, speaker) = source_before(r, w, c)?;
    Some((w[a].start, w[b - 1].end, found, speaker))
}

/// The source ending just before the verb at `c`: a noun phrase the
/// resolver knows, a pronoun, or a plain phrase opening the clause.
fn source_before(r: &mut Resolver, w: &[CTok], c: usize) -> Option<(Found, Option<Speaker>)> {
    let doc = r.doc;
    let mut end = c;
    while end > 0 && adverb_like(doc, &w[end - 1]) {
        end -= 1;
    }
    if end == 0 {
        return None;
    }
    // An "-ing" verb speaks for its sentence's subject (", saying that
    // ..."); only the progressive ("is confirming that") has its source
    // right before it.
    if w[c].text.ends_with("ing")
        && !matches!(w[c - 1].text, "is" | "are" | "was" | "were" | "been" | "be")
    {
        return None;
    }
    let cue = w[c].text.to_string();
    // Coordinated subjects ("China and Russia declared") are not one source.
    let coordinated = |first: usize| first > 1 && matches!(w[first - 1].text, "and" | "&");
    if let Some(np) = np_back(doc, w, end, 0).filter(|np| np.end == end) {
        if coordinated(np.first) {
            return None;
        }
        if matches!(np.kind, NpKind::Pronoun(_) | NpKind::NonPersonPronoun) {
            // A pronoun with nobody before it to stand for is nobody.
            let speaker = r.resolve(&np, w[c].start)?;
            return Some((found(np, cue), Some(speaker)));
        }
        if !matches!(np.kind, NpKind::Outlet { .. }) {
            if let Some(speaker) = r.resolve(&np, w[c].start) {
                return Some((found(np, cue), Some(speaker)));
            }
        }
    }
    // A plain phrase after "and" may coordinate modifiers ("federal and
    // state officials"): it stays one source.
    let np = plain_source(doc, w, end)?;
    // A verb that is also a plural noun ("states", "claims", "shows") ends a
    // plain phrase only when the phrase reads as a noun phrase: short, and
    // without a verb of its own ("the fleet sailed from ports in coastal
    // states that ...").
    if NOUN_LIKE.has(w[c].text) {
        let verbish = w
            .get(np.first..end.saturating_sub(1))
            .unwrap_or_default()
            .iter()
            .any(|t| t.text.len() > 3 && t.text.ends_with("ed") && !is_cap(t.text));
        if verbish || end - np.first > 6 {
            return None;
        }
    }
    let speaker = r.resolve(&np, w[c].start);
    Some((found(np, cue), speaker))
}

fn found(np: Np, cue: String) -> Found {
    Found {
        np,
        cue,
        channel: None,
    }
}

/// A plain noun phrase ending at `end` that opens its clause: at most ten
/// words, numbers and possessive marks, none of them a verb or clause word.
fn plain_source(doc: &Doc, w: &[CTok], end: usize) -> Option<Np> {
    let mut a = end;
    while a > 0 && end - a < 10 {
        let t = &w[a - 1];
        let kind = doc.toks[t.tok].kind;
        // "Reuters/Ipsos", "AT&T", "U.S.-backed": marks inside a name.
        let word = kind == TokenKind::Word
            || kind == TokenKind::Number
            || matches!(t.text, "'s" | "/" | "&" | "-" | ".");
        if t.quote.is_some() || !word || CLAUSE_OPENERS.has(t.text) {
            break;
        }
        if NOT_IN_SOURCE.has(t.text) || doc.cue(t).is_some() {
            return None;
        }
        a -= 1;
    }
    let opens = a == 0 || CLAUSE_OPENERS.has(w[a - 1].text);
    if a == end || !opens || NOT_LAST.has(w[end - 1].text) || NOT_FIRST.has(w[a].text) {
        return None;
    }
    source_phrase(doc, w, a, end)
}

/// CLAUSE, SOURCE VERB (short tail). and CLAUSE, VERB SOURCE.
fn postposed(r: &mut Resolver, w: &[CTok], c: usize, last: usize) -> Option<Reading> {
    let doc = r.doc;
    if !POSTPOSED.has(w[c].text) {
        return None;
    }
    let cue = w[c].text.to_string();
    // Inverted, with verbs of saying only: ", said the agency."
    let inverts = matches!(w[c].text, "said" | "says" | "added" | "wrote" | "asked");
    if inverts && c >= 4 && w[c - 1].text == "," && last - c <= 10 {
        let np = np_fwd(doc, w, c + 1, last)
            .filter(|np| np.end == last)
            .or_else(|| source_after(doc, w, c + 1, last))?;
        if words_in(doc, w, 0, c - 1) < 4 {
            return None;
        }
        let speaker = r.resolve(&np, w[c].start);
        return Some((w[0].start, w[c - 2].end, found(np, cue), speaker));
    }
    // Regular: ", the IMF said on Friday.", or inside the sentence: "The
    // museum, Lund said, would make ...": then the report runs on after
    // the attribution's closing comma.
    let close = (c + 1..last.min(c + 7)).find(|&k| w[k].text == ",");
    let runs_on = close.is_some_and(|k| words_in(doc, w, k + 1, last) >= 3);
    let tail_end = if runs_on { close.unwrap_or(last) } else { last };
    if tail_end - c - 1 > 5 || (c + 1..tail_end).any(|k| w[k].quote.is_some() || w[k].text == ",") {
        return None;
    }
    if !runs_on && close.is_some() {
        return None;
    }
    let (found, speaker) = source_before(r, w, c)?;
    // The phrase may start with words the noun phrase reader left out
    // ("top county lawmakers", "the IMF"): the comma is a few plain words
    // back.
    let mut first = found.np.first;
    while first > 0
        && found.np.first - first < 5
        && w[first - 1].quote.is_none()
        && doc.toks[w[first - 1].tok].kind == TokenKind::Word
        && !NOT_IN_SOURCE.has(w[first - 1].text)
        && !CLAUSE_OPENERS.has(w[first - 1].text)
    {
        first -= 1;
    }
    let comma = first.checked_sub(1)?;
    let before = words_in(doc, w, 0, comma);
    let after = if runs_on {
        words_in(doc, w, tail_end + 1, last)
    } else {
        0
    };
    if w[comma].text != "," || before == 0 || before + after < 4 {
        return None;
    }
    if w[comma - 1].text == "that" {
        return None;
    }
    let end = if runs_on { last } else { comma };
    Some((w[0].start, w[end - 1].end, found, speaker))
}

/// A plain source phrase filling `w[a..b]`, opening with a determiner or a
/// capital ("the agency", "Western diplomats"): after an inverted verb a
/// bare lower-case word starts a clause ("said parents still want ...").
fn source_after(doc: &Doc, w: &[CTok], a: usize, b: usize) -> Option<Np> {
    if b <= a || b - a > 10 {
        return None;
    }
    if !(doc.facts(&w[a]).det() || is_cap(w[a].text)) || w[a..b].iter().any(|t| adverb_like(doc, t))
    {
        return None;
    }
    let plain = w[a..b].iter().all(|t| {
        let kind = doc.toks[t.tok].kind;
        t.quote.is_none()
            && (kind == TokenKind::Word || kind == TokenKind::Number || t.text == "'s")
            && !NOT_IN_SOURCE.has(t.text)
    });
    (plain && !NOT_LAST.has(w[b - 1].text))
        .then(|| source_phrase(doc, w, a, b))
        .flatten()
}

/// "According to SOURCE, CLAUSE" and "CLAUSE, according to SOURCE".
fn according_to(r: &mut Resolver, w: &[CTok], c: usize, last: usize) -> Option<Reading> {
    let doc = r.doc;
    if c + 2 >= last || w[c + 1].text != "to" {
        return None;
    }
    let (src, clause) = if c == 0 {
        let comma = (c + 2..last.min(c + 17)).find(|&k| w[k].text == ",")?;
        (c + 2..comma, (comma + 1, clause_end(w, comma + 1, last)))
    } else if c >= 2 && w[c - 1].text == "," {
        // The source may run on with a participle or relative clause ("a
        // database tracking such deaths"); the phrase stops at a comma.
        let end = (c + 2..last).find(|&k| w[k].text == ",").unwrap_or(last);
        (c + 2..end.min(c + 22), (0, c - 1))
    } else {
        return None;
    };
    if words_in(doc, w, clause.0, clause.1) < 3 {
        return None;
    }
    let np = np_fwd(doc, w, src.start, src.end)
        .filter(|np| !matches!(np.kind, NpKind::Pronoun(_) | NpKind::NonPersonPronoun))
        .or_else(|| source_after(doc, w, src.start, src.end))
        .or_else(|| source_phrase(doc, w, src.start, src.end))?;
    let speaker = match &np.kind {
        NpKind::Outlet { name } => Some(Speaker::source(name.clone(), np.party)),
        _ => r.resolve(&np, w[c].start),
    };
    speaker.as_ref()?;
    let (a, b) = clause;
    Some((
        w[a].start,
        w[b - 1].end,
        found(np, "according to".into()),
        speaker,
    ))
}

/// Whether window index `k` starts a clause whose subject is a short noun
/// phrase followed by an auxiliary or modal ("said clients are leaving",
/// "noted a deal would follow"): what a strong speech verb's complement
/// looks like when it has no "that".
pub(crate) fn subject_then_verb(doc: &Doc, w: &[CTok], k: usize, last: usize) -> bool {
    const VERBS: &[&str] = &[
        "is", "are", "was", "were", "had", "has", "have", "would", "will", "could", "should",
        "must", "can", "may", "might", "did", "does", "do",
    ];
    const NOT_SUBJECT: &[&str] = &[
        "in", "on", "at", "to", "for", "with", "by", "from", "after", "before", "during", "of",
        "so", "nothing", "yes", "no", "what", "when", "how", "why", "whether", "if",
    ];
    let Some(first) = w.get(k) else { return false };
    if first.quote.is_some()
        || doc.toks[first.tok].kind != TokenKind::Word
        || NOT_SUBJECT.contains(&first.text)
    {
        return false;
    }
    // The subject may carry a modifier ("praise from Russian President
    // Vladimir Putin would ...").
    (k + 1..last.min(k + 9))
        .take_while(|&j| w[j].quote.is_none() && w[j].text != ",")
        .any(|j| VERBS.contains(&w[j].text))
}

/// Whether a token can open a reported clause right after the cue: a
/// capitalised word or a pronoun.
pub(crate) fn is_clause_opener(doc: &Doc, t: &CTok) -> bool {
    if t.quote.is_some() {
        return false;
    }
    // A contracted pronoun opens a clause as the pronoun does: "it's",
    // "he'd", "they’re".
    let s = t.text.split(['\'', '\u{2019}']).next().unwrap_or(t.text);
    matches!(
        s,
        "it" | "he"
            | "she"
            | "they"
            | "we"
            | "there"
            | "this"
            | "his"
            | "her"
            | "their"
            | "its"
            | "both"
            | "all"
            | "no"
            | "any"
            | "some"
            | "these"
            | "those"
            | "i"
    ) || (doc.toks[t.tok].kind == TokenKind::Word
        && s.chars().next().is_some_and(char::is_uppercase)
        && !matches!(s, "On" | "In" | "At" | "During" | "After"))
}
