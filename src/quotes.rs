//! Quotes: direct, partial and indirect speech with speaker, cue, channel
//! and the parties each quote is about.
//!
//! Steps, each one linear pass: (1) find quote spans paragraph by paragraph,
//! recovering locally from unbalanced marks and joining multi-paragraph
//! quotes; (2) split paragraphs into sentences around those spans; (3) walk
//! the sentences in order, attributing each quote from the cue verbs around
//! it (see `speakers`) and finding reported speech; (4) collect targets.

use serde::{Deserialize, Serialize};

use crate::article::Article;
use crate::json;
use crate::parties::PartyDict;
use crate::sentences::{self, char_at, is_quote_char, may_start_quote_mark, trim_span, QuoteMarks};
use crate::speakers::{
    around_cue, is_clause_opener, np_fwd, reported_clause, reporting_outlet, sentence_end,
    subject_then_verb, words_in, CTok, Cue, Doc, Found, NpKind, Resolver, Speaker,
};
use crate::targets::{add_sentence_targets, targets, NamedParties};
pub use crate::targets::{Target, Via};
use crate::text::{
    block_has, block_has_non_ascii, find_byte, tokenize, CharIndex, FastMap, TokenKind,
};

json::named_enum! {
    pub enum QuoteKind {
        /// Whole sentences or clauses in quote marks.
        Direct => "direct",
        /// A few quoted words inside the reporter's sentence.
        Partial => "partial",
        /// Reported speech without quote marks ("Wang said Russia ...").
        Indirect => "indirect",
    }
}

/// One quoted statement: the `extract` stage's record, and with `S` and `T`
/// every later stage's too.
///
/// `start..end` is the span of the content without quote marks (for a
/// multi-paragraph quote, from the first word of the first paragraph to the
/// last word of the last one; `text` then joins the pieces with a space).
/// Offsets, here and in the targets, are byte offsets into the article text
/// while the library works on a quote, and character offsets (what the
/// JSON record promises) once [`ArticleQuotes::from_quotes`], the one edge
/// where that happens, has converted them in place. One struct with a
/// conversion rather than a second struct in character units: the two
/// would carry the same fields, copied across field by field.
///
/// `S` is what a later stage adds to the quote and `T` what it adds to each
/// target, written in place of the struct (`flatten`) so that its record is
/// this one with fields added: `predict` adds the sentiment before the
/// targets and a stance to each target
/// ([`crate::predict::QuoteStance`]). A wrapper struct around this one
/// could not put the sentiment between `channel` and `targets`, or the
/// stance inside each target, where `predict`'s output has them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote<S = (), T = ()> {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub kind: QuoteKind,
    pub speaker: Option<String>,
    pub speaker_party: Option<String>,
    pub cue: Option<String>,
    pub channel: Option<String>,
    #[serde(flatten)]
    pub scored: S,
    pub targets: Vec<Target<T>>,
}

impl Quote {
    /// The record with what a later stage adds: `scored` to the quote and
    /// one item of `scores` to each target, in order.
    pub fn scored<S, T>(self, scored: S, scores: impl IntoIterator<Item = T>) -> Quote<S, T> {
        let Quote {
            text,
            start,
            end,
            kind,
            speaker,
            speaker_party,
            cue,
            channel,
            scored: (),
            targets,
        } = self;
        Quote {
            text,
            start,
            end,
            kind,
            speaker,
            speaker_party,
            cue,
            channel,
            scored,
            targets: targets
                .into_iter()
                .zip(scores)
                .map(|(t, s)| t.scored(s))
                .collect(),
        }
    }
}

// ---- JSON edge -----------------------------------------------------------

/// The JSON object of one article: `{"article", "date", "quotes", "error"?}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArticleQuotes {
    pub article: String,
    pub date: Option<String>,
    pub quotes: Vec<Quote>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl ArticleQuotes {
    /// [`ArticleQuotes::from_quotes`] on a copy of the quotes.
    pub fn new(article: &Article, quotes: &[Quote]) -> ArticleQuotes {
        ArticleQuotes::from_quotes(article, quotes.to_vec())
    }

    /// The article's record, taking its quotes over and converting their
    /// byte offsets to character offsets: the one place this happens.
    pub fn from_quotes(article: &Article, mut quotes: Vec<Quote>) -> ArticleQuotes {
        let idx = CharIndex::new(&article.text);
        for q in &mut quotes {
            q.start = idx.to_char(q.start);
            q.end = idx.to_char(q.end);
            for t in &mut q.targets {
                t.start = idx.to_char(t.start);
                t.end = idx.to_char(t.end);
            }
        }
        ArticleQuotes {
            article: article.id.clone(),
            date: article.date.clone(),
            quotes,
            error: None,
        }
    }

    /// The record of an article that could not be read.
    pub fn failed(id: &str, error: impl Into<String>) -> ArticleQuotes {
        ArticleQuotes {
            article: id.to_string(),
            date: None,
            quotes: Vec::new(),
            error: Some(error.into()),
        }
    }
}

// ---- step 1: quote spans -------------------------------------------------

#[derive(Debug, Clone)]
struct RawQuote {
    /// Byte span of the opening mark.
    open: (usize, usize),
    /// Byte span of the closing mark, if the quote was closed.
    close: Option<(usize, usize)>,
    /// Content pieces, one per paragraph.
    pieces: Vec<(usize, usize)>,
    multi_paragraph: bool,
}

impl QuoteMarks for RawQuote {
    fn open(&self) -> (usize, usize) {
        self.open
    }

    fn close(&self) -> Option<(usize, usize)> {
        self.close
    }

    fn outer_end(&self) -> usize {
        self.close
            .map_or_else(|| self.pieces.last().map_or(self.open.1, |p| p.1), |c| c.1)
    }
}

fn is_double_opener(c: char) -> bool {
    matches!(c, '"' | '\u{201c}' | '\u{201e}' | '\u{ab}')
}

fn opens(c: char, prev: Option<char>, next: Option<char>) -> bool {
    let Some(n) = next else { return false };
    match c {
        '\u{201c}' | '\u{201e}' | '\u{ab}' => !n.is_whitespace(),
        '"' => {
            !n.is_whitespace()
                && !prev.is_some_and(|p| p.is_alphanumeric() || matches!(p, '.' | ',' | '!' | '?'))
        }
        '\u{2018}' => {
            !prev.is_some_and(char::is_alphanumeric) && (n.is_alphanumeric() || is_quote_char(n))
        }
        // British copy quotes with straight single marks ('We will not
        // yield,' she said). An apostrophe inside a word ("it's") or before
        // a number ("the '90s") opens nothing.
        '\'' => {
            !prev.is_some_and(|p| p.is_alphanumeric() || matches!(p, '.' | ',' | '!' | '?'))
                && n.is_alphabetic()
        }
        _ => false,
    }
}

fn closes(mark: char, c: char, next: Option<char>) -> bool {
    match mark {
        '"' | '\u{201c}' => matches!(c, '"' | '\u{201d}'),
        '\u{201e}' => matches!(c, '"' | '\u{201d}' | '\u{201c}'),
        '\u{ab}' => c == '\u{bb}',
        '\u{2018}' => c == '\u{2019}' && !next.is_some_and(char::is_alphanumeric),
        '\'' => c == '\'' && !next.is_some_and(char::is_alphanumeric),
        _ => false,
    }
}

struct Open {
    mark: char,
    span: (usize, usize),
    piece_start: usize,
    pieces: Vec<(usize, usize)>,
}

/// For the content of an unclosed quote, where an attribution inside it
/// begins: right after a comma followed by a cue verb (`, said Mensah`) or by
/// up to four capitalised words and a cue verb (`, Mensah said`).
fn cut_at_attribution(text: &str, start: usize, end: usize) -> usize {
    let piece = &text[start..end];
    for (i, _) in piece.match_indices(", ") {
        let rest = &piece[i + 2..];
        let mut words = rest.split(|c: char| c.is_whitespace() || c == ',' || c == '.');
        for k in 0..5 {
            let Some(word) = words.next() else { break };
            if matches!(
                word,
                "said" | "says" | "told" | "added" | "asked" | "warned" | "insisted" | "stressed"
            ) {
                return start + i + 1;
            }
            let capital = word.chars().next().is_some_and(char::is_uppercase);
            if !capital || k == 4 {
                break;
            }
        }
    }
    end
}

/// Finds quote spans in the content paragraphs. Never fails: a mark that
/// cannot be paired is dropped or its quote runs to the paragraph end.
fn find_quotes(text: &str, paras: &[(usize, usize)]) -> Vec<RawQuote> {
    let mut out = Vec::new();
    let mut carry: Option<(Open, usize)> = None;
    let finish = |o: Open, close: Option<(usize, usize)>, end: usize, out: &mut Vec<RawQuote>| {
        // An unclosed quote stops where its attribution starts
        // (`"Words, said Kwame Mensah, ...`).
        let end = if close.is_none() {
            cut_at_attribution(text, o.piece_start, end)
        } else {
            end
        };
        let mut pieces = o.pieces;
        if let Some(p) = trim_span(text, o.piece_start, end) {
            pieces.push(p);
        }
        if !pieces.is_empty() {
            out.push(RawQuote {
                open: o.span,
                close,
                multi_paragraph: pieces.len() > 1,
                pieces,
            });
        }
    };
    for &(ps, pe) in paras {
        let para = &text[ps..pe];
        let mut open: Option<Open> = None;
        if let Some((mut o, prev_end)) = carry.take() {
            let first = if para.starts_with("''") {
                Some('"')
            } else {
                para.chars().next()
            };
            let same_family = first.is_some_and(|c| {
                if o.mark == '\u{2018}' || o.mark == '\'' {
                    c == o.mark
                } else {
                    is_double_opener(c)
                }
            });
            // An attribution inside the unclosed part means the mark was a
            // typo, not the start of a multi-paragraph quote.
            let attributed = cut_at_attribution(text, o.piece_start, prev_end) < prev_end;
            if same_family && !attributed {
                // A multi-paragraph quote: the new paragraph reopens it.
                if let Some(p) = trim_span(text, o.piece_start, prev_end) {
                    o.pieces.push(p);
                }
                let mark_len = if para.starts_with("''") {
                    2
                } else {
                    first.map_or(1, char::len_utf8)
                };
                o.piece_start = ps + mark_len;
                open = Some(o);
            } else {
                finish(o, None, prev_end, &mut out);
            }
        }
        let skip_first = open.is_some();
        let mut from = 0;
        loop {
            let i = find_byte(
                para.as_bytes(),
                from,
                may_hold_quote_mark,
                may_start_quote_mark,
            );
            if i == para.len() {
                break;
            }
            let mut c = char_at(para, i);
            let mut clen = c.len_utf8();
            // Two straight apostrophes are one double quote mark in typeset
            // and archive copy (''We will not yield,'' she said): read the
            // pair as `"`, two bytes wide.
            if c == '\'' && para.as_bytes().get(i + 1) == Some(&b'\'') {
                c = '"';
                clen = 2;
            }
            from = i + clen;
            if !(is_quote_char(c) || c == '\'') || (skip_first && i == 0) {
                continue;
            }
            let abs = ps + i;
            let prev = para[..i].chars().next_back();
            let next = para[i + clen..].chars().next();
            match open.take() {
                None => {
                    if opens(c, prev, next) {
                        open = Some(Open {
                            mark: c,
                            span: (abs, abs + clen),
                            piece_start: abs + clen,
                            pieces: Vec::new(),
                        });
                    }
                }
                Some(o) => {
                    if closes(o.mark, c, next) {
                        finish(o, Some((abs, abs + clen)), abs, &mut out);
                    } else if o.mark != '"'
                        && o.mark != '\u{2018}'
                        && o.mark != '\''
                        && matches!(c, '\u{201c}' | '\u{ab}' | '\u{201e}')
                        && opens(c, prev, next)
                    {
                        // A new opener while one is open: the first was never
                        // closed; end it here and start again.
                        finish(o, None, abs, &mut out);
                        open = Some(Open {
                            mark: c,
                            span: (abs, abs + clen),
                            piece_start: abs + clen,
                            pieces: Vec::new(),
                        });
                    } else {
                        open = Some(o);
                    }
                }
            }
        }
        if let Some(o) = open {
            carry = Some((o, pe));
        }
    }
    if let Some((o, end)) = carry {
        finish(o, None, end, &mut out);
    }
    out
}

/// Screen for [`find_byte`]: whether eight bytes may hold the start of a
/// quote mark.
fn may_hold_quote_mark(block: u64) -> bool {
    block_has(block, b'"') || block_has(block, b'\'') || block_has_non_ascii(block)
}

// ---- step 2: sentences (see `sentences::split`) ------------------------

// ---- steps 3 and 4: attribution and targets -----------------------------

struct Attrib {
    speaker: Option<Speaker>,
    cue: Option<String>,
    channel: Option<String>,
}

/// The attribution, if there is one and it found a speaker.
fn attributed(a: &Option<Attrib>) -> Option<&Attrib> {
    a.as_ref().filter(|a| a.speaker.is_some())
}

fn is_title_case(s: &str) -> bool {
    let words: Vec<&str> = s.split_whitespace().collect();
    words.len() >= 2
        && !s.ends_with(['.', ',', '!', '?'])
        && words
            .iter()
            .all(|w| w.chars().count() <= 3 || w.chars().next().is_some_and(|c| !c.is_lowercase()))
}

/// Extracts all quotes of an article, in text order.
pub fn extract(article: &Article, dict: &PartyDict) -> Vec<Quote> {
    let text = article.text.as_str();
    let paras: Vec<(usize, usize)> = article.content().map(|p| (p.start, p.end)).collect();
    let raw = find_quotes(text, &paras);

    // Party and person mentions, outside noise only.
    let toks = tokenize(text);
    let (mut mentions, mut people) = dict.scan_tokens(text, &toks);
    // Captions are never quoted, but they describe people (see
    // `Resolver::new`): their mentions are kept for that.
    let captions: Vec<(usize, usize)> = article
        .paragraphs
        .iter()
        .filter(|p| p.kind == crate::article::ParagraphKind::Caption)
        .map(|p| (p.start, p.end))
        .collect();
    if captions.is_empty() {
        article.retain_content(&mut mentions, |m| m.start);
        article.retain_content(&mut people, |m| m.start);
    } else {
        let keep = |at: usize| {
            !article.is_noise_at(at) || captions.iter().any(|&(s, e)| s <= at && at < e)
        };
        mentions.retain(|m| keep(m.start));
        people.retain(|m| keep(m.start));
    }
    crate::speakers::keep_tied_people(text, dict, &toks, &mut people);
    let mut doc = Doc {
        text,
        dict,
        date: article.date.as_deref(),
        toks,
        tok_quote: Vec::new(),
        tok_mention: Vec::new(),
        tok_person: Vec::new(),
        ctoks: Vec::new(),
        facts: Vec::new(),
        placeholder_facts: Default::default(),
        next_window: Default::default(),
        mentions,
        people,
    };
    let spans: Vec<(usize, usize)> = raw.iter().map(|q| (q.open.0, q.outer_end())).collect();
    doc.index(&spans);

    let mut sents: Vec<(usize, usize)> = Vec::new();
    let mut qi = 0;
    for &(ps, pe) in &paras {
        sentences::split(text, ps, pe, &raw, &mut qi, &mut sents);
    }

    let mut resolver = Resolver::new(&doc, &paras, &captions);
    // Most quote marks make a quote.
    let mut out: Vec<Quote> = Vec::with_capacity(raw.len());
    let mut done = vec![false; raw.len()];
    // Sentence index, speaker (an index into the resolver's history) and
    // channel of the last attributed quote.
    let mut last: Option<(usize, usize, Option<String>)> = None;
    let mut prev: Option<NamedParties> = None;
    // Per-sentence lists, emptied for each sentence rather than made anew.
    let mut placeholders: Vec<usize> = Vec::new();
    let mut partials: Vec<(usize, usize)> = Vec::new();
    let mut sentence_quotes: Vec<(usize, usize, Option<Attrib>, QuoteKind)> = Vec::new();

    for (si, &(ss, se)) in sents.iter().enumerate() {
        let here = NamedParties::new(doc.window(ss, se));
        let w: &[CTok] = &here.w;
        // Only sentences with quotes need their cues linked up.
        let cues = std::cell::OnceCell::new();
        placeholders.clear();
        placeholders.extend((0..w.len()).filter(|&i| w[i].quote.is_some()));
        let mut has_direct = false;
        partials.clear();
        for (pk, &pi) in placeholders.iter().enumerate() {
            let q = w[pi].quote.map_or(0, |q| q as usize);
            if done[q] || raw[q].outer_end() > se.max(w[pi].end) {
                continue;
            }
            done[q] = true;
            let rq = &raw[q];
            let kind = quote_kind(text, rq, &paras);
            if kind == QuoteKind::Direct {
                has_direct = true;
            }
            let (lo, hi) = if kind == QuoteKind::Direct {
                (
                    if pk > 0 { placeholders[pk - 1] + 1 } else { 0 },
                    placeholders.get(pk + 1).copied().unwrap_or(w.len()),
                )
            } else {
                (0, w.len())
            };
            let partial = kind == QuoteKind::Partial;
            let cues = cues.get_or_init(|| Cues::new(&doc, w));
            let attrib = attribute(&mut resolver, w, cues, pi, lo, hi, partial);
            sentence_quotes.push((q, pi, attrib, kind));
        }
        // Unattributed quotes borrow from another quote of the sentence, then
        // from the quote just before.
        // Copied only for a sentence that has such a quote (few have).
        let shared = sentence_quotes
            .iter()
            .any(|(_, _, a, _)| attributed(a).is_none())
            .then(|| {
                sentence_quotes.iter().find_map(|(_, _, a, _)| {
                    attributed(a).map(|a| (a.speaker.clone(), a.channel.clone()))
                })
            })
            .flatten();
        for (q, pi, attrib, kind) in sentence_quotes.drain(..) {
            let rq = &raw[q];
            let (speaker, cue, channel) = match attrib {
                Some(a) if a.speaker.is_some() => (a.speaker, a.cue, a.channel),
                other => {
                    let cue = other.as_ref().and_then(|a| a.cue.clone());
                    let chan = other.and_then(|a| a.channel);
                    let colon = || {
                        let p = prev.as_ref()?;
                        introduced_by_colon(&mut resolver, &p.w)
                    };
                    if let Some((s, c)) = shared.clone() {
                        (s, cue, chan.or(c))
                    } else if let Some(s) = (kind == QuoteKind::Direct).then(colon).flatten() {
                        (Some(s), Some(":".to_string()), chan)
                    } else if let Some((lsi, s, c)) = last.as_ref().filter(|l| {
                        // A title or slogan ("Taipei First") continues
                        // nobody's speech; a quote with a cue of its own
                        // ("..., said 9/11 widow Terry Strand") has a
                        // speaker we could not read, not the last one.
                        si <= l.0 + 1
                            && kind == QuoteKind::Direct
                            && !skip_partial(text, rq)
                            && cue.is_none()
                    }) {
                        let _ = lsi;
                        (Some(resolver.history[*s].clone()), None, chan.or(c.clone()))
                    } else {
                        (None, cue, chan)
                    }
                }
            };
            if kind == QuoteKind::Partial && (speaker.is_none() || skip_partial(text, rq)) {
                continue;
            }
            // Titles and slogans (`"Lines in the Jungle"`) with nobody saying
            // them are not speech either.
            if kind == QuoteKind::Direct
                && speaker.is_none()
                && !rq.multi_paragraph
                && skip_partial(text, rq)
            {
                continue;
            }
            if kind == QuoteKind::Partial {
                partials.push((rq.open.0, rq.outer_end()));
            }
            if let Some(s) = &speaker {
                resolver.history.push(s.clone());
                last = Some((si, resolver.history.len() - 1, channel.clone()));
            }
            let (mut start, mut end) = (rq.pieces[0].0, rq.pieces[rq.pieces.len() - 1].1);
            // A few quoted words are a speech act only with the clause that
            // reports them: "called the plan "a dangerous gamble"" says
            // nothing of the plan in "a dangerous gamble" alone. The record
            // is that clause, quote marks and all; several quoted pieces of
            // one clause make one record.
            if kind == QuoteKind::Partial {
                if let Some((a, b)) = reporting_clause(&doc, w, pi, cue.as_deref()) {
                    if out
                        .last()
                        .is_some_and(|l: &Quote| (l.start, l.end) == (a, b))
                    {
                        continue;
                    }
                    (start, end) = (a, b);
                }
            }
            let qtext = match rq.pieces.as_slice() {
                _ if kind == QuoteKind::Partial => text[start..end].to_string(),
                [(a, b)] => text[*a..*b].to_string(),
                pieces => pieces
                    .iter()
                    .map(|&(a, b)| &text[a..b])
                    .collect::<Vec<_>>()
                    .join(" "),
            };
            let sp = speaker.as_ref().and_then(|s| s.party);
            let mut targets = targets(&doc, &resolver, start, end, sp, &here, prev.as_ref());
            if kind == QuoteKind::Partial {
                // A few quoted words take their targets from the sentence
                // ("branded Beijing a "decisive enabler" of Moscow's offensive").
                // Within the reach of a reporting clause: the rest of a
                // run-on line is other speech, and reading it all for every
                // quote would be quadratic.
                let reach = crate::speakers::clause_reach(pi, w.len());
                add_sentence_targets(&doc, &resolver, &w[reach], sp, &mut targets);
            }
            out.push(make_quote(
                dict, start, end, qtext, kind, speaker, cue, channel, targets,
            ));
        }
        if !has_direct {
            // A reported clause around partial quotes is represented by the
            // partial quotes themselves.
            let found = indirect(&mut resolver, w)
                .or_else(|| reported_clause(&mut resolver, w))
                .filter(|(s, e, _, _)| !partials.iter().any(|&(a, b)| *s <= a && b <= *e));
            if let Some((start, end, found, speaker)) = found {
                if let Some(s) = &speaker {
                    resolver.history.push(s.clone());
                    last = Some((si, resolver.history.len() - 1, found.channel.clone()));
                }
                let targets = targets(
                    &doc,
                    &resolver,
                    start,
                    end,
                    speaker.as_ref().and_then(|s| s.party),
                    &here,
                    prev.as_ref(),
                );
                out.push(make_quote(
                    dict,
                    start,
                    end,
                    text[start..end].to_string(),
                    QuoteKind::Indirect,
                    speaker,
                    Some(found.cue),
                    found.channel,
                    targets,
                ));
            }
        }
        prev = Some(here);
    }
    // The speaker is known only now for quotes that borrowed it; no
    // quote is about its own speaker's party.
    for q in &mut out {
        if let Some(own) = &q.speaker_party {
            q.targets.retain(|t| &t.party != own);
        }
    }
    out.sort_by_key(|q| (q.start, q.end));
    out
}

#[allow(clippy::too_many_arguments)]
fn make_quote(
    dict: &PartyDict,
    start: usize,
    end: usize,
    text: String,
    kind: QuoteKind,
    speaker: Option<Speaker>,
    cue: Option<String>,
    channel: Option<String>,
    targets: Vec<Target>,
) -> Quote {
    Quote {
        text,
        start,
        end,
        kind,
        speaker_party: speaker
            .as_ref()
            .and_then(|s| s.party)
            .map(|p| dict.party(p).name.clone()),
        speaker: speaker.and_then(|s| s.name),
        cue,
        channel,
        scored: (),
        targets,
    }
}

fn quote_kind(text: &str, q: &RawQuote, paras: &[(usize, usize)]) -> QuoteKind {
    if q.multi_paragraph || q.close.is_none() {
        return QuoteKind::Direct;
    }
    let (cs, ce) = q.pieces[0];
    let content = &text[cs..ce];
    let pi = paras.partition_point(|p| p.1 <= q.open.0);
    let ps = paras.get(pi).map_or(0, |p| p.0);
    let before = text[ps.min(q.open.0)..q.open.0]
        .trim_end()
        .chars()
        .next_back();
    let boundary_before = before.is_none_or(|c| {
        matches!(
            c,
            '.' | '!' | '?' | ':' | ',' | '(' | '[' | '\u{2014}' | '\u{2013}' | '-' | ';'
        ) || is_quote_char(c)
    });
    let first_up = content
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_numeric() || c == '.' || c == '\u{2026}');
    let ends_punct = content.ends_with(['.', ',', '!', '?', '\u{2026}', '\u{2014}', ';', ':']);
    let words = content.split_whitespace().count();
    if (boundary_before && (first_up || words >= 4)) || (first_up && ends_punct && words >= 3) {
        QuoteKind::Direct
    } else {
        QuoteKind::Partial
    }
}

/// Partial quotes that are not speech: titles and names ("Operation Iron
/// Wall", book titles). Scare quotes without a speaker never get here.
fn skip_partial(text: &str, q: &RawQuote) -> bool {
    let (cs, ce) = q.pieces[0];
    is_title_case(&text[cs..ce])
}

/// The cue words of a sentence window (outside quotes), by position, so
/// each quote finds the cues around it by binary search without rescanning
/// the sentence: a sentence of thousands of quote marks stays linear.
struct Cues {
    /// Window positions of the cue words, ascending.
    at: Vec<usize>,
    /// Length of the window.
    len: usize,
    /// [`reporting_outlet`] by range: partial quotes all ask for the whole
    /// sentence.
    outlets: std::cell::RefCell<FastMap<(usize, usize), Option<String>>>,
}

impl Cues {
    fn new(doc: &Doc, w: &[CTok]) -> Cues {
        let at = (0..w.len())
            .filter(|&i| w[i].quote.is_none() && doc.cue(&w[i]).is_some())
            .collect();
        Cues {
            at,
            len: w.len(),
            outlets: Default::default(),
        }
    }

    /// Cues at `from` and after, in order.
    fn from(&self, from: usize) -> impl Iterator<Item = usize> + '_ {
        let k = self.at.partition_point(|&c| c < from);
        self.at[k..].iter().copied()
    }

    /// The outlet named as the subject of a reporting cue in `from..to`.
    fn outlet(&self, doc: &Doc, w: &[CTok], from: usize, to: usize) -> Option<String> {
        self.outlets
            .borrow_mut()
            .entry((from, to))
            .or_insert_with(|| reporting_outlet(doc, w, from, to, self.from(from)))
            .clone()
    }

    /// Cues in `lo..from`, nearest first (none when `from` is past the
    /// window).
    fn before(&self, from: usize, lo: usize) -> impl Iterator<Item = usize> + '_ {
        let k = if from < self.len {
            self.at.partition_point(|&c| c < from)
        } else {
            0
        };
        self.at[..k]
            .iter()
            .rev()
            .copied()
            .take_while(move |&i| i >= lo)
    }

    /// Cues in `from + 1..hi`, nearest first (none when `from` is past the
    /// window).
    fn after(&self, from: usize, hi: usize) -> impl Iterator<Item = usize> + '_ {
        let k = if from < self.len {
            self.at.partition_point(|&c| c <= from)
        } else {
            self.at.len()
        };
        self.at[k..].iter().copied().take_while(move |&i| i < hi)
    }
}

/// At most this many cues are tried for one quote.
const MAX_CUES: usize = 6;

/// Attribution of the quote at window index `qi`, looking for cues in
/// `lo..hi`, nearest first.
fn attribute(
    r: &mut Resolver,
    w: &[CTok],
    cues: &Cues,
    qi: usize,
    lo: usize,
    hi: usize,
    partial: bool,
) -> Option<Attrib> {
    let doc = r.doc;
    let before = cues.before(qi, lo).next();
    let after = cues.after(qi, hi).next();
    let nearest = match (before, after) {
        (Some(b), Some(a)) if qi - b <= a - qi => [Some(b), Some(a)],
        (Some(b), Some(a)) => [Some(a), Some(b)],
        (b, a) => [b.or(a), None],
    };
    // Further cues in either direction, nearest first, as fallbacks.
    let order = nearest
        .into_iter()
        .flatten()
        .chain(cues.before(qi, lo).skip(1).take(MAX_CUES))
        .chain(cues.after(qi, hi).skip(1).take(MAX_CUES));
    // A quote signed with a dash: `"..." - Commissioner Ana Pires`.
    if let Some(dash) = w.get(qi + 1).filter(|t| is_dash(t.text)) {
        // The signature is all that follows the dash: a dash inside a
        // sentence ("- and left") signs nothing.
        let signed =
            |np: &crate::speakers::Np| np.end >= hi || matches!(w[np.end].text, "." | "," | ";");
        if let Some(np) = np_fwd(doc, w, qi + 2, hi).filter(signed) {
            if let Some(speaker) = r.resolve(&np, dash.start) {
                return Some(Attrib {
                    speaker: Some(speaker),
                    cue: Some(dash.text.to_string()),
                    channel: None,
                });
            }
        }
    }
    let mut fallback_channel = None;
    for c in order.take(MAX_CUES) {
        let (clo, chi) = if c < qi { (lo, qi) } else { (qi + 1, hi) };
        if let Some(found) = around_cue(doc, w, c, clo, chi, partial) {
            let pos = w[c].start;
            let speaker = r.resolve(&found.np, pos);
            if speaker.is_none() {
                continue;
            }
            let channel = found
                .channel
                .clone()
                .or_else(|| cues.outlet(doc, w, lo, hi))
                .or(fallback_channel.take());
            return Some(Attrib {
                speaker,
                cue: Some(found.cue),
                channel,
            });
        }
        if fallback_channel.is_none() {
            fallback_channel = cues.outlet(doc, w, c.min(qi), c.max(qi + 1).min(hi));
        }
    }
    // A cue right after the quote (`"...," said 9/11 widow Kari Strand`)
    // says the quote has a speaker of its own, even one we cannot read: the
    // caller must not give it the last speaker's.
    let own_cue = after
        .filter(|&c| c == qi + 1 || (c == qi + 2 && w[qi + 1].text == ","))
        .map(|c| w[c].text.to_lowercase());
    (own_cue.is_some() || fallback_channel.is_some()).then_some(Attrib {
        speaker: None,
        cue: own_cue,
        channel: fallback_channel,
    })
}

/// The byte span of the clause that reports the partial quote at window
/// index `pi`, marks included: what follows the cue ("said (that) ...",
/// "called the plan ...") up to the end of the sentence or to the next
/// reporting clause ("... and Li said ..."), or for a trailing attribution
/// ("..., she said.") what precedes the comma before it. None when the cue
/// is not in the sentence or the clause would not hold the quote.
///
/// A clause is at most [`crate::speakers::CLAUSE_REACH`] tokens on either side of the quote:
/// news sentences are far shorter, and the bound keeps a run-on line of
/// many quotes linear rather than giving each quote the rest of the line.
fn reporting_clause(doc: &Doc, w: &[CTok], pi: usize, cue: Option<&str>) -> Option<(usize, usize)> {
    let cue_word = cue?.split_whitespace().last()?;
    if cue == Some("according to") {
        return None;
    }
    let is_cue = |k: usize| w[k].quote.is_none() && w[k].text.eq_ignore_ascii_case(cue_word);
    let punct = |t: &CTok| t.quote.is_none() && doc.toks[t.tok].kind == TokenKind::Punct;
    let std::ops::Range { start: lo, end: hi } = crate::speakers::clause_reach(pi, w.len());
    if let Some(c) = (lo..pi).rev().find(|&k| is_cue(k)) {
        let mut a = c + 1;
        if let Some(t) = (a..pi).take(10).find(|&k| w[k].text == "that") {
            a = t + 1;
        }
        // The clause ends before the next reporting verb's clause: at the
        // last comma, semicolon or conjunction before that verb. A verb with
        // no such boundary before it is inside this clause ("a "decisive
        // enabler" of Moscow's offensive which it has never condemned").
        let next_cue = (pi + 1..hi).find(|&k| w[k].quote.is_none() && doc.cue(&w[k]).is_some());
        let boundary = next_cue.and_then(|k| {
            (pi + 1..k).rev().find(|&j| {
                w[j].quote.is_none() && matches!(w[j].text, "," | ";" | "and" | "but" | "while")
            })
        });
        let mut last = boundary.unwrap_or(hi);
        while last > pi + 1 && punct(&w[last - 1]) {
            last -= 1;
        }
        return (a <= pi).then(|| (w[a].start, w[last - 1].end));
    }
    let c = (pi + 1..hi).find(|&k| is_cue(k))?;
    let comma = (pi + 1..c).rev().find(|&k| w[k].text == ",")?;
    let mut a = lo;
    while a < pi && punct(&w[a]) {
        a += 1;
    }
    Some((w[a].start, w[comma - 1].end))
}

/// The speaker a sentence of the form "NP VERB:" introduces for the quote
/// after it ("Caddell continued:", "The Times reports:", "The minister
/// told reporters:"), whatever the verb.
fn introduced_by_colon(r: &mut Resolver, w: &[CTok]) -> Option<Speaker> {
    let n = w.len();
    if n < 3 || w[n - 1].text != ":" || w[n - 2].quote.is_some() {
        return None;
    }
    let mut verb = n - 2;
    // "told reporters:", "said in a statement:": the verb may take a short
    // object or phrase.
    while verb > 0 && r.doc.cue(&w[verb]).is_none() && n - 2 - verb < 4 {
        verb -= 1;
    }
    if r.doc.cue(&w[verb]).is_none() {
        verb = n - 2;
    }
    let np = crate::speakers::np_back(r.doc, w, verb, 0)?;
    // The sentence is only the introduction.
    if np.first > 1 {
        return None;
    }
    r.resolve(&np, w[verb].start)
}

fn is_dash(s: &str) -> bool {
    matches!(s, "-" | "\u{2013}" | "\u{2014}" | "\u{2015}")
}

/// Reported speech in a sentence without direct quotes: returns the byte
/// span of the reported clause, the cue found and the speaker.
fn indirect(r: &mut Resolver, w: &[CTok]) -> Option<(usize, usize, Found, Option<Speaker>)> {
    let doc = r.doc;
    let n = w.len();
    if n < 4 {
        return None;
    }
    let last = sentence_end(doc, w);
    for c in 0..last {
        if w[c].quote.is_some() {
            continue;
        }
        let Some(cue) = doc.cue(&w[c]) else {
            continue;
        };
        match cue {
            Cue::According => {
                if c + 1 >= last || w[c + 1].text != "to" {
                    continue;
                }
                let Some(np) = np_fwd(doc, w, c + 2, last) else {
                    continue;
                };
                if matches!(np.kind, NpKind::Outlet { .. }) {
                    continue;
                }
                let (a, b) = if c == 0 && np.end < last && w[np.end].text == "," {
                    (np.end + 1, last)
                } else if c >= 2 && w[c - 1].text == "," && np.end >= last {
                    (0, c - 1)
                } else {
                    continue;
                };
                if words_in(doc, w, a, b) < 3 {
                    continue;
                }
                let speaker = r.resolve(&np, w[c].start);
                let found = Found {
                    np,
                    cue: "according to".into(),
                    channel: None,
                };
                return Some((w[a].start, w[b - 1].end, found, speaker));
            }
            Cue::Speech { strong } => {
                let Some(found) = around_cue(doc, w, c, 0, last, false) else {
                    continue;
                };
                // Reported clause after the cue: "said (on Monday) that ...",
                // "told RIA that ...", "said Russia ...".
                let mut k = c + 1;
                if matches!(w[c].text, "told" | "tells") {
                    if let Some(obj) = np_fwd(doc, w, k, last) {
                        k = obj.end;
                    } else if k < last && w[k].text.chars().all(char::is_lowercase) {
                        k += 1;
                    }
                }
                let inverted = found.np.first > c;
                if inverted {
                    k = found.np.end;
                }
                let mut clause = None;
                if !inverted && k < last {
                    let first = w[k].text;
                    let starts_clause = strong
                        && (first == "that"
                            || is_clause_opener(doc, &w[k])
                            || (k == c + 1 && first == "the")
                            || subject_then_verb(doc, w, k, last));
                    if first == "that" {
                        clause = Some(k + 1);
                    } else if starts_clause {
                        clause = Some(k);
                    } else {
                        // Skip a short prepositional phrase to a "that".
                        let mut j = k;
                        while j < last.min(k + 10) && w[j].text != "," && w[j].quote.is_none() {
                            if w[j].text == "that" {
                                clause = Some(j + 1);
                                break;
                            }
                            j += 1;
                        }
                    }
                }
                if let Some(a) = clause {
                    if words_in(doc, w, a, last) >= 3 {
                        let speaker = r.resolve(&found.np, w[c].start);
                        if speaker.is_some() {
                            return Some((w[a].start, w[last - 1].end, found, speaker));
                        }
                    }
                    continue;
                }
                // Post-posed attribution: "CLAUSE, Wang told RIA."
                let subj_first = if inverted { c } else { found.np.first };
                if subj_first >= 2 && w[subj_first - 1].text == "," {
                    let b = subj_first - 1;
                    if words_in(doc, w, 0, b) >= 3
                        && !(0..b).any(|i| w[i].text == "that" && i + 1 == b)
                    {
                        let speaker = r.resolve(&found.np, w[c].start);
                        if speaker.is_some() {
                            // An attribution inside the sentence: "Too
                            // often, Mr. Clarke said, the debate ...": the
                            // report runs on after it.
                            let after = found.np.end.max(c + 1);
                            let end = if after < last
                                && w[after].text == ","
                                && words_in(doc, w, after + 1, last) >= 3
                            {
                                last
                            } else {
                                b
                            };
                            return Some((w[0].start, w[end - 1].end, found, speaker));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_read_back_as_they_were_written() {
        let target = |party: &str, mention: &str| Target {
            party: party.into(),
            mention: mention.into(),
            start: 3,
            end: 1234567,
            via: Via::Reference,
            scored: (),
        };
        let quote = |kind, some: bool| Quote {
            text: "\"Tab\there\", back\\slash \u{1} \u{201c}curly\u{201d} \u{65e5}".into(),
            start: 0,
            end: 42,
            kind,
            speaker: some.then(|| "Wang Yi".into()),
            speaker_party: some.then(|| "China".into()),
            cue: some.then(|| "said".into()),
            channel: some.then(|| "RIA \"Novosti\"".into()),
            scored: (),
            targets: if some {
                vec![target("Russia", "Moscow"), target("United States", "US\n")]
            } else {
                Vec::new()
            },
        };
        let records = [
            ArticleQuotes {
                article: "a/b.txt".into(),
                date: Some("2025-04-01".into()),
                quotes: vec![
                    quote(QuoteKind::Direct, true),
                    quote(QuoteKind::Partial, false),
                    quote(QuoteKind::Indirect, true),
                ],
                error: None,
            },
            ArticleQuotes {
                article: String::new(),
                date: None,
                quotes: Vec::new(),
                error: None,
            },
            ArticleQuotes::failed("bad\u{7f}\r.txt", "not UTF-8: \"x\""),
        ];
        for r in &records {
            let ours = serde_json::to_string(r).unwrap();
            let back: ArticleQuotes = serde_json::from_str(&ours).unwrap();
            assert_eq!(back.quotes, r.quotes);
            assert_eq!(
                (back.article, back.error),
                (r.article.clone(), r.error.clone())
            );
        }
    }
}
