//! Speaker attribution: cue verbs, the noun phrases around them (names,
//! titles, appositives, pronouns, role nouns, institutions), outlets that are
//! channels rather than speakers, and resolution of surnames, pronouns and
//! role nouns to the people introduced earlier in the article.
//!
//! Everything here works on short token windows (one sentence at most), so
//! the cost per article stays linear in its length.

mod introductions;
mod lexicon;
mod outlets;
mod reported;
mod resolver;
mod sources;

use lexicon::*;
pub(crate) use lexicon::{is_cap, is_non_name, strip_possessive, Cue, TokFacts};
use outlets::*;
pub(crate) use reported::{
    is_clause_opener, reported_clause, sentence_end, subject_then_verb, words_in,
};
pub(crate) use resolver::{Resolver, Speaker};
use sources::{source_between_quote_and_cue, source_opening_sentence};

use std::borrow::Cow;

use crate::parties::{Gender, Mention, PartyDict, PersonMention};
pub(crate) use introductions::keep_tied_people;

use crate::text::{FastMap, Token, TokenKind};

const NONE: u32 = u32::MAX;

/// The article as seen by attribution: tokens with the quote, party mention
/// and person mention each token belongs to.
pub(crate) struct Doc<'a> {
    pub text: &'a str,
    pub dict: &'a PartyDict,
    pub date: Option<&'a str>,
    pub toks: Vec<Token<'a>>,
    /// Quote (index into the quote list) covering each token, marks included.
    pub tok_quote: Vec<u32>,
    /// Party mention covering the start of each token.
    pub tok_mention: Vec<u32>,
    /// Known-person mention covering the start of each token.
    pub tok_person: Vec<u32>,
    /// The whole article as one window (see [`Doc::window`]): sentence and
    /// paragraph windows are slices of it.
    pub ctoks: Vec<CTok<'a>>,
    /// Lexicon facts of each token outside quotes (defaults inside), worked
    /// out when first asked for: [`UNKNOWN_FACTS`] until then. Most words
    /// are only ever asked whether they are a cue, which [`Doc::cue`]
    /// usually answers from the word's shape alone.
    pub facts: Vec<std::cell::Cell<TokFacts>>,
    /// Lexicon facts of a quote placeholder (`"`).
    pub placeholder_facts: TokFacts,
    /// Where the last window borrowed from `ctoks` ended.
    pub next_window: std::cell::Cell<usize>,
    pub mentions: Vec<Mention>,
    pub people: Vec<PersonMention>,
}

/// A token of a sentence window. A whole quote (marks included) is one
/// placeholder token whose `quote` is set.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CTok<'a> {
    pub text: &'a str,
    pub start: usize,
    pub end: usize,
    pub tok: usize,
    /// A u32 rather than a usize: with it this struct takes 48 bytes
    /// instead of 56, and there is one per token of the article.
    pub quote: Option<u32>,
}

impl<'a> Doc<'a> {
    /// Fills the per-token lookup tables; `quote_spans` are (mark start,
    /// mark end) byte spans sorted by start and not overlapping.
    pub fn index(&mut self, quote_spans: &[(usize, usize)]) {
        let n = self.toks.len();
        // Quotes, party mentions and person mentions are each a few sorted,
        // non-overlapping spans: marking the tokens each span covers costs
        // a search per span, where a merge costs a step per token.
        let mut tok_quote = vec![NONE; n];
        let mut tok_mention = vec![NONE; n];
        let mut tok_person = vec![NONE; n];
        mark_spans(&self.toks, quote_spans.iter().copied(), &mut tok_quote);
        mark_spans(
            &self.toks,
            self.mentions.iter().map(|m| (m.start, m.end)),
            &mut tok_mention,
        );
        mark_spans(
            &self.toks,
            self.people.iter().map(|m| (m.start, m.end)),
            &mut tok_person,
        );
        let mut facts = vec![std::cell::Cell::new(TokFacts::default()); n];
        let mut ctoks: Vec<CTok<'a>> = Vec::with_capacity(n);
        let mut prev_quote = NONE;
        for (i, t) in self.toks.iter().enumerate() {
            let quote = tok_quote[i];
            // The article-wide window (see `collapse`): a quote's tokens,
            // which are consecutive, make one placeholder.
            if quote == NONE {
                // A token inside a quote is only ever seen as part of its
                // quote's placeholder (see `facts`), so its own facts are
                // never asked for. Only words are in the lexicons; their
                // facts are worked out on first use.
                if t.kind == TokenKind::Word {
                    facts[i] = std::cell::Cell::new(UNKNOWN_FACTS);
                }
                ctoks.push(CTok {
                    text: t.text,
                    start: t.start,
                    end: t.end,
                    tok: i,
                    quote: None,
                });
            } else {
                match ctoks.last_mut() {
                    Some(c) if prev_quote == quote => c.end = t.end,
                    _ => ctoks.push(CTok {
                        text: "\"",
                        start: t.start,
                        end: t.end,
                        tok: i,
                        quote: Some(quote),
                    }),
                }
            }
            prev_quote = quote;
        }
        self.tok_quote = tok_quote;
        self.tok_mention = tok_mention;
        self.tok_person = tok_person;
        self.facts = facts;
        self.ctoks = ctoks;
        self.placeholder_facts = TokFacts::of("\"", TokenKind::Punct);
        debug_assert!({
            let whole = self.collapse(0, usize::MAX);
            let key = |c: &CTok<'a>| (c.text, c.start, c.end, c.tok, c.quote);
            whole.len() == self.ctoks.len()
                && whole.iter().zip(&self.ctoks).all(|(a, b)| key(a) == key(b))
        });
    }

    /// Index of the first token starting at or after `byte`.
    pub fn tok_at(&self, byte: usize) -> usize {
        self.toks.partition_point(|t| t.start < byte)
    }

    /// The tokens of a byte range, each quote collapsed to one placeholder.
    ///
    /// Borrowed from the article-wide window built by [`Doc::index`], except
    /// when the range starts inside a quote (a paragraph continuing a
    /// multi-paragraph quote): the placeholder then starts at the range's
    /// first token, so that window is built on its own.
    pub fn window(&self, start: usize, end: usize) -> Cow<'_, [CTok<'a>]> {
        let from = self.first_ctok_at(start);
        // The range starts inside a quote when the placeholder before
        // `from` has a token starting at or after `start`.
        if let Some(before) = from.checked_sub(1).map(|k| &self.ctoks[k]) {
            let last = self.ctoks.get(from).map_or(self.toks.len(), |c| c.tok) - 1;
            if before.quote.is_some() && self.toks[last].start >= start {
                return Cow::Owned(self.collapse(self.tok_at(start), end));
            }
        }
        // A window is a sentence or a paragraph: walking to its end is
        // cheaper than a binary search over the rest of the article.
        let len = self.ctoks[from..]
            .iter()
            .position(|c| c.start >= end)
            .unwrap_or(self.ctoks.len() - from);
        self.next_window.set(from + len);
        Cow::Borrowed(&self.ctoks[from..from + len])
    }

    /// Index of the first element of `ctoks` starting at or after `start`.
    /// Windows are mostly asked for in text order, each starting right
    /// after the one before: looking a few elements ahead of where the last
    /// one ended avoids a binary search (and its cache misses) over the
    /// whole article.
    fn first_ctok_at(&self, start: usize) -> usize {
        let hint = self.next_window.get().min(self.ctoks.len());
        if hint > 0 && self.ctoks[hint - 1].start >= start {
            return self.ctoks[..hint].partition_point(|c| c.start < start);
        }
        let rest = &self.ctoks[hint..];
        hint + match rest.iter().take(16).position(|c| c.start >= start) {
            Some(k) => k,
            None => rest.partition_point(|c| c.start < start),
        }
    }

    /// The window of the tokens from index `i` up to byte `end`, a quote
    /// running on past `end` included whole.
    fn collapse(&self, mut i: usize, end: usize) -> Vec<CTok<'a>> {
        let tokens_before_end =
            self.toks[i.min(self.toks.len())..].partition_point(|t| t.start < end);
        let mut out = Vec::with_capacity(tokens_before_end);
        while i < self.toks.len() && self.toks[i].start < end {
            let t = self.toks[i];
            let q = self.tok_quote[i];
            if q != NONE {
                let first = i;
                while i + 1 < self.toks.len() && self.tok_quote[i + 1] == q {
                    i += 1;
                }
                out.push(CTok {
                    text: "\"",
                    start: self.toks[first].start,
                    end: self.toks[i].end,
                    tok: first,
                    quote: Some(q),
                });
            } else {
                out.push(CTok {
                    text: t.text,
                    start: t.start,
                    end: t.end,
                    tok: i,
                    quote: None,
                });
            }
            i += 1;
        }
        out
    }

    /// Lexicon facts of a window token.
    #[inline]
    pub fn facts(&self, c: &CTok) -> TokFacts {
        if c.quote.is_some() {
            self.placeholder_facts
        } else {
            self.tok_facts(c.tok)
        }
    }

    /// Lexicon facts of token `i`, outside quotes.
    #[inline]
    fn tok_facts(&self, i: usize) -> TokFacts {
        let known = self.facts[i].get();
        if known != UNKNOWN_FACTS {
            return known;
        }
        let t = &self.toks[i];
        let f = TokFacts::of(t.text, t.kind);
        self.facts[i].set(f);
        f
    }

    /// The cue a window token is: `self.facts(c).cue()`, without working
    /// out the other facts of a word no cue word has the shape of.
    #[inline]
    pub fn cue(&self, c: &CTok) -> Option<Cue> {
        if c.quote.is_none()
            && self.facts[c.tok].get() == UNKNOWN_FACTS
            && !may_be_cue(self.toks[c.tok].text)
        {
            return None;
        }
        self.facts(c).cue()
    }

    fn mention_of(&self, c: &CTok) -> Option<&Mention> {
        if c.quote.is_some() {
            return None;
        }
        let m = self.tok_mention[c.tok];
        (m != NONE).then(|| &self.mentions[m as usize])
    }

    /// The party mention covering the start of token `i`, quotes included.
    fn mention_at(&self, i: usize) -> Option<&Mention> {
        let m = self.tok_mention[i];
        (m != NONE).then(|| &self.mentions[m as usize])
    }

    fn person_of(&self, c: &CTok) -> Option<&PersonMention> {
        if c.quote.is_some() {
            return None;
        }
        let m = self.tok_person[c.tok];
        (m != NONE).then(|| &self.people[m as usize])
    }
}

/// Sets `marks[i]` to `k` for every token `i` starting inside the `k`th of
/// `spans` (byte ranges sorted by start and not overlapping): what a merge
/// of tokens and spans finds, the span covering each token's start.
fn mark_spans(toks: &[Token], spans: impl Iterator<Item = (usize, usize)>, marks: &mut [u32]) {
    let mut j = 0;
    let mut prev_end = 0;
    for (k, (s, e)) in spans.enumerate() {
        debug_assert!(s >= prev_end, "spans overlap or are out of order");
        prev_end = e;
        j += toks[j..].partition_point(|t| t.start < s);
        while j < toks.len() && toks[j].start < e {
            marks[j] = k as u32;
            j += 1;
        }
    }
}

// ---- noun phrases ------------------------------------------------------

#[derive(Debug, Clone)]
pub(crate) enum NpKind {
    Person {
        name: String,
    },
    Pronoun(Option<Gender>),
    /// "it" or "they" before a cue: the last source that is not a person
    /// ("the ministry said ... It added that ...").
    NonPersonPronoun,
    Institution {
        surface: String,
    },
    Role {
        head: String,
        class: RoleClass,
        phrase: String,
    },
    Outlet {
        name: String,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct Np {
    pub kind: NpKind,
    /// Party named inside the phrase or its appositive ("China's", "Russian").
    pub party: Option<usize>,
    /// Lower-case role words ("foreign minister").
    pub role: Option<String>,
    /// Window index of the first token of the phrase.
    pub first: usize,
    /// Window index one past the last token of the phrase (or appositive).
    pub end: usize,
    pub gender: Option<Gender>,
}

/// Whether window token `i` can be part of a speaker noun phrase.
fn np_token(doc: &Doc, w: &[CTok], i: usize) -> bool {
    let t = &w[i];
    if t.quote.is_some() {
        return false;
    }
    let s = t.text;
    if doc.mention_of(t).is_some() || doc.person_of(t).is_some() {
        return true;
    }
    let kind = doc.toks[t.tok].kind;
    if kind == TokenKind::Punct {
        // Dots of initials ("J. D. Vance"), joined to the previous letter
        // and followed by another name word.
        // ... and the dot of an abbreviated title ("Rep. Gwen Moore",
        // "Mr. McGinley"), followed by a name word.
        return s == "."
            && i > 0
            && w[i - 1].end == t.start
            && (w[i - 1].text.chars().count() == 1 || is_abbreviated_title(doc, &w[i - 1]))
            && w.get(i + 1)
                .is_some_and(|n| n.quote.is_none() && is_cap(n.text));
    }
    kind == TokenKind::Word
        && (doc.tok_facts(t.tok).np_word()
            || (s == "of" && i > 0 && i + 1 < w.len() && is_cap(w[i + 1].text)))
}

/// Whether a dictionary person's mention is a bare word of their name
/// ("Putin") rather than their name or an alias.
fn is_bare_surname(doc: &Doc, p: &PersonMention) -> bool {
    !doc.dict
        .person(p.person)
        .is_written_in_full(&doc.text[p.start..p.end])
}

/// A capitalised title of at most four letters, which news copy abbreviates
/// with a dot: "Rep.", "Sen.", "Gov.", "Mr.", "Dr.", "Lt.".
fn is_abbreviated_title(doc: &Doc, t: &CTok) -> bool {
    t.text.len() <= 4 && is_cap(t.text) && doc.facts(t).title()
}

/// The window index of the "(" opening the parenthetical that ends just
/// before `end` ("Rep. Gwen Moore (D-Wis.) said"), if there is one of at
/// most eight tokens.
fn parenthetical_before(w: &[CTok], end: usize, lo: usize) -> Option<usize> {
    if end <= lo || w[end - 1].text != ")" {
        return None;
    }
    (lo..end - 1)
        .rev()
        .take(8)
        .take_while(|&k| w[k].quote.is_none() && w[k].text != ")")
        .find(|&k| w[k].text == "(")
}

/// The window index just after the parenthetical starting at `start`
/// ("Jason Chaffetz (R-Utah), the panel's chairman"), if there is one.
fn parenthetical_after(w: &[CTok], start: usize, hi: usize) -> Option<usize> {
    if w.get(start)?.text != "(" {
        return None;
    }
    (start + 1..hi)
        .take(8)
        .take_while(|&k| w[k].quote.is_none() && w[k].text != "(")
        .find(|&k| w[k].text == ")")
        .map(|k| k + 1)
}

/// Classifies window tokens `a..b` (candidate noun phrase) by its tail.
pub(crate) fn classify(doc: &Doc, w: &[CTok], a: usize, b: usize) -> Option<Np> {
    if a >= b {
        return None;
    }
    let a0 = a;
    let mut a = a;
    // "a State Department spokeswoman": an unnamed source, never resolved
    // to a person.
    let indefinite = a < b && matches!(w[a].text, "a" | "an" | "A" | "An");
    while a < b && doc.facts(&w[a]).det() && doc.mention_of(&w[a]).is_none() {
        a += 1;
    }
    if a >= b {
        return None;
    }
    // The phrase's words and which of them are party mentions, on the stack
    // for any phrase the callers make (at most about 25 tokens): classify
    // runs for every candidate phrase, and two small vectors were two
    // allocations each time.
    const ON_STACK: usize = 32;
    let n = b - a;
    let (mut words_stack, mut flags_stack) = ([""; ON_STACK], [false; ON_STACK]);
    let (mut words_heap, mut flags_heap) = (Vec::new(), Vec::new());
    let (words, mention_flags): (&mut [&str], &mut [bool]) = if n <= ON_STACK {
        (&mut words_stack[..n], &mut flags_stack[..n])
    } else {
        words_heap.resize(n, "");
        flags_heap.resize(n, false);
        (&mut words_heap, &mut flags_heap)
    };
    for (k, t) in w[a..b].iter().enumerate() {
        words[k] = t.text;
        mention_flags[k] = doc.mention_of(t).is_some();
    }
    let (words, mention_flags): (&[&str], &[bool]) = (words, mention_flags);
    let party = w[a..b]
        .iter()
        .find_map(|t| doc.mention_of(t).map(|m| m.party))
        .or_else(|| {
            // A bare surname says nothing of the party until the resolver
            // knows whose it is in this article.
            w[a..b].iter().find_map(|t| {
                doc.person_of(t)
                    .filter(|p| !is_bare_surname(doc, p))
                    .map(|p| doc.dict.person(p.person).party)
            })
        })
        .or_else(|| introductions::body_antecedent(doc, w, a0, b));
    let gender = words.iter().find_map(|x| match x.trim_end_matches('.') {
        "Mr" | "He" | "Mister" => Some(Gender::M),
        "Ms" | "Mrs" | "Miss" | "Madam" => Some(Gender::F),
        _ => None,
    });
    if let Some((name, at_end)) = outlet_name(words, mention_flags) {
        // "Russia's RIA state news agency", "Russian state media" — unless the
        // phrase ends in a personal name ("RIA reporter Ivan Petrov").
        if at_end {
            return Some(Np {
                kind: NpKind::Outlet { name },
                party,
                role: None,
                first: a,
                end: b,
                gender: None,
            });
        }
    }
    // Known person named in full ("Wang Yi"): everything before is the title.
    if let Some(p) = doc
        .person_of(&w[b - 1])
        .filter(|p| !is_bare_surname(doc, p))
    {
        let first = (a..b)
            .find(|&i| doc.person_of(&w[i]).is_some_and(|q| q.start == p.start))
            .unwrap_or(b - 1);
        let person = doc.dict.person(doc.dict.person_on(p.person, doc.date));
        return Some(Np {
            kind: NpKind::Person {
                name: person.name.clone(),
            },
            party: Some(person.party),
            role: role_words(doc, &w[a..first]),
            first: a,
            end: b,
            gender: person.gender.or(gender),
        });
    }
    // Name: trailing capitalised words that are not titles or parties.
    let mut n = b;
    while n > a {
        let t = &w[n - 1];
        let s = t.text;
        let f = doc.facts(t);
        let is_name = doc.mention_of(t).is_none()
            && ((is_cap(s) && !f.title() && !is_non_name(s) && !is_acronym(s))
                || (f.particle() && n - 1 > a && n < b)
                || (s == "." && n - 1 > a && !f_title_before(doc, w, n - 1)));
        if !is_name {
            break;
        }
        n -= 1;
    }
    if n < b && b - n <= 4 {
        let name_toks = &w[n..b];
        let name = join_tokens(doc.text, name_toks);
        return Some(Np {
            kind: NpKind::Person { name },
            party,
            role: role_words(doc, &w[a..n]),
            first: a,
            end: b,
            gender,
        });
    }
    let last = w[b - 1].text;
    let lower = strip_possessive(last).to_lowercase();
    if let Some(mut class) = role_head(&lower) {
        if indefinite && class == RoleClass::Person {
            class = RoleClass::Institution;
        }
        let phrase = join_tokens(doc.text, &w[a..b]);
        return Some(Np {
            kind: NpKind::Role {
                head: lower,
                class,
                phrase,
            },
            party,
            role: role_words(doc, &w[a..b]),
            first: a,
            end: b,
            gender,
        });
    }
    if let Some(m) = doc.mention_of(&w[b - 1]) {
        if m.kind != crate::parties::SurfaceKind::Demonym {
            let surface = &doc.text[m.start..m.end];
            let surface = surface
                .strip_prefix("the ")
                .or_else(|| surface.strip_prefix("The "))
                .unwrap_or(surface);
            // Organisations speak under their canonical name ("WHO" ->
            // "World Health Organization"); states through the institution
            // written ("Kremlin", "State Department").
            let party = doc.dict.party(m.party);
            let surface = if party.kind == crate::parties::PartyKind::Organisation
                && matches!(
                    m.kind,
                    crate::parties::SurfaceKind::Alias | crate::parties::SurfaceKind::Name
                )
                && surface.to_lowercase() != party.name.to_lowercase()
            {
                party.name.as_str()
            } else {
                surface
            };
            return Some(Np {
                kind: NpKind::Institution {
                    surface: surface.to_string(),
                },
                party: Some(m.party),
                role: None,
                first: a,
                end: b,
                gender: None,
            });
        }
    }
    None
}

/// Whether the token before window index `i` is a title ("Rep" of
/// "Rep."), so that the dot at `i` ends the title, not a name's initial.
fn f_title_before(doc: &Doc, w: &[CTok], i: usize) -> bool {
    i > 0 && doc.facts(&w[i - 1]).title()
}

fn join_tokens(text: &str, toks: &[CTok]) -> String {
    match (toks.first(), toks.last()) {
        (Some(f), Some(l)) => {
            let s = strip_possessive(&text[f.start..l.end]);
            // Names are nearly always ASCII words one space apart, which
            // joined by single spaces are the text itself: one pass over
            // the bytes instead of splitting and copying word by word.
            if is_single_spaced(s) {
                return s.to_string();
            }
            // The words joined by single spaces.
            let mut out = String::with_capacity(s.len());
            for word in s.split_whitespace() {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(word);
            }
            out
        }
        _ => String::new(),
    }
}

/// Whether `s` is non-empty ASCII whose whitespace is single spaces
/// between other characters, so that `split_whitespace` would give its
/// words back exactly as they are spaced.
fn is_single_spaced(s: &str) -> bool {
    // A leading space is caught as if a space came before it.
    let mut after_space = true;
    for &c in s.as_bytes() {
        if c == b' ' {
            if after_space {
                return false;
            }
            after_space = true;
        } else if !c.is_ascii() || c.is_ascii_whitespace() || c == 0x0B {
            // Other whitespace, or a character that may be some.
            return false;
        } else {
            after_space = false;
        }
    }
    !after_space
}

/// Lower-case title words of a phrase ("Foreign Minister" -> "foreign minister").
fn role_words(doc: &Doc, toks: &[CTok]) -> Option<String> {
    let mut out = String::new();
    for t in toks.iter().filter(|t| doc.facts(t).title()) {
        // ASCII words are lowered straight into `out`, without a string of
        // their own.
        let word = if t.text.is_ascii() {
            Cow::Borrowed(t.text)
        } else {
            Cow::Owned(t.text.to_lowercase())
        };
        if ["mr", "mrs", "ms", "dr", "top"]
            .iter()
            .any(|w| word.eq_ignore_ascii_case(w))
        {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        let from = out.len();
        out.push_str(&word);
        out[from..].make_ascii_lowercase();
    }
    (!out.is_empty()).then_some(out)
}

/// The noun phrase ending just before window index `end` (exclusive),
/// not reaching before `lo`. Skips adverbs and auxiliaries, handles
/// pronouns and appositives (`Wang, China's foreign minister, said`).
pub(crate) fn np_back(doc: &Doc, w: &[CTok], end: usize, lo: usize) -> Option<Np> {
    let mut j = end;
    while j > lo {
        let s = w[j - 1].text;
        let f = doc.facts(&w[j - 1]);
        if f.adverb_or_aux() && s != "told" {
            j -= 1;
        } else if f.weekday() && j >= 2 && j - 2 >= lo && w[j - 2].text == "on" {
            j -= 2;
        } else {
            break;
        }
    }
    if let Some(open) = parenthetical_before(w, j, lo) {
        j = open;
    }
    if j <= lo {
        return None;
    }
    let t = w[j - 1].text;
    match t {
        "it" | "It" | "they" | "They" => {
            return Some(Np {
                kind: NpKind::NonPersonPronoun,
                ..pronoun(j - 1, None)
            })
        }
        "he" | "He" => return Some(pronoun(j - 1, Some(Gender::M))),
        "she" | "She" => return Some(pronoun(j - 1, Some(Gender::F))),
        "," => {
            // Appositive or relative clause between commas.
            let mut k = j - 1;
            let floor = lo.max(j.saturating_sub(25));
            while k > floor && w[k - 1].text != "," {
                k -= 1;
            }
            if k > floor && w[k - 1].text == "," {
                let comma = k - 1;
                // "Rep. Jim Jordan (R-Ohio), a panel member, said": the
                // name ends before its parenthetical.
                let name_end = parenthetical_before(w, comma, lo).unwrap_or(comma);
                let mut np = np_back_plain(doc, w, name_end, lo)?;
                // Only a plain noun phrase is an appositive; a relative
                // clause ("who was speaking ...") adds nothing.
                let (a0, a1) = (comma + 1, j - 1);
                let plain =
                    a1 > a0 && (a0..a1).all(|i| np_token(doc, w, i) || doc.facts(&w[i]).det());
                if plain {
                    if let Some(ap) = classify(doc, w, a0, a1) {
                        match (&np.kind, &ap.kind) {
                            // "Venezuela's defence minister, General Rafael
                            // Medina, said": the name is the speaker.
                            (
                                NpKind::Role {
                                    class: RoleClass::Person,
                                    ..
                                },
                                NpKind::Person { .. },
                            ) => {
                                let (party, role) = (np.party, np.role.take());
                                let first = np.first;
                                np = ap;
                                np.party = np.party.or(party);
                                np.role = np.role.or(role);
                                np.first = first;
                            }
                            _ => {
                                np.party = np.party.or(ap.party);
                                np.role = np.role.or(ap.role);
                                np.gender = np.gender.or(ap.gender);
                            }
                        }
                    }
                }
                np.end = j;
                return Some(np);
            }
            return None;
        }
        _ => {}
    }
    np_back_plain(doc, w, j, lo)
}

fn pronoun(i: usize, g: Option<Gender>) -> Np {
    Np {
        kind: NpKind::Pronoun(g),
        party: None,
        role: None,
        first: i,
        end: i + 1,
        gender: g,
    }
}

/// Heads of capitalised organisation names.
fn is_org_head(w: &str) -> bool {
    matches!(
        w,
        "Ministry"
            | "Department"
            | "Office"
            | "Association"
            | "Institute"
            | "Organization"
            | "Organisation"
            | "Commission"
            | "Council"
            | "Agency"
            | "Service"
            | "Guard"
            | "Union"
            | "Bank"
            | "Fund"
            | "Court"
            | "Party"
            | "Federation"
            | "Embassy"
            | "Foundation"
            | "Committee"
            | "Chamber"
            | "Authority"
            | "Army"
            | "Navy"
            | "Forces"
            | "Force"
            | "Secretariat"
            | "Board"
            | "Bureau"
            | "Group"
            | "Front"
            | "Movement"
            | "Alliance"
            | "Coalition"
            | "Corporation"
            | "Company"
            | "Centre"
            | "Center"
            | "Command"
            | "Administration"
            | "Mission"
            | "Representative"
            | "Programme"
            | "Program"
            | "Parliament"
            | "Assembly"
            | "Senate"
            | "Cabinet"
            | "Presidency"
            | "Services"
            | "Affairs"
            | "Network"
            | "Observatory"
            | "Watch"
    )
}

/// A capitalised organisation name ending just before `end`: "India's
/// Ministry of External Affairs", "the Office of the US Trade
/// Representative", "American Institute in Taiwan".
fn org_back(doc: &Doc, w: &[CTok], end: usize, lo: usize) -> Option<Np> {
    let capital = |i: usize| {
        w[i].quote.is_none()
            && (is_cap(w[i].text) || doc.mention_of(&w[i]).is_some())
            && !is_non_name_opener(w[i].text)
    };
    if end == lo || !capital(end - 1) {
        return None;
    }
    let mut a = end - 1;
    while a > lo && end - a < 14 {
        let prev = a - 1;
        if capital(prev) {
            a = prev;
        } else if matches!(w[prev].text, "of" | "and" | "for" | "in" | "on" | "&")
            && prev > lo
            && capital(prev - 1)
        {
            a = prev - 1;
        } else if w[prev].text == "the" && prev > lo && w[prev - 1].text == "of" {
            a = prev;
        } else {
            break;
        }
    }
    if !(a..end).any(|i| is_org_head(w[i].text)) || end - a < 2 {
        return None;
    }
    // Single mention + head ("US Senate") is fine; a bare person name is not.
    let surface = join_tokens(doc.text, &w[a..end]);
    let party = (a..end).find_map(|i| doc.mention_of(&w[i]).map(|m| m.party));
    Some(Np {
        kind: NpKind::Institution { surface },
        party,
        role: None,
        first: a,
        end,
        gender: None,
    })
}

fn is_non_name_opener(w: &str) -> bool {
    matches!(
        w,
        "The"
            | "A"
            | "An"
            | "In"
            | "On"
            | "At"
            | "But"
            | "And"
            | "It"
            | "He"
            | "She"
            | "They"
            | "We"
    )
}

fn np_back_plain(doc: &Doc, w: &[CTok], end: usize, lo: usize) -> Option<Np> {
    if let Some(np) = org_back(doc, w, end, lo) {
        return Some(np);
    }
    let mut a = end;
    while a > lo && np_token(doc, w, a - 1) && end - a < 12 {
        a -= 1;
    }
    if a > lo && doc.facts(&w[a - 1]).det() {
        a -= 1;
    }
    if a == end {
        return None;
    }
    classify(doc, w, a, end)
}

/// The noun phrase starting at window index `start`, not reaching `hi`;
/// takes a following appositive (`said Wang Yi, China's foreign minister`).
pub(crate) fn np_fwd(doc: &Doc, w: &[CTok], start: usize, hi: usize) -> Option<Np> {
    if start >= hi {
        return None;
    }
    match w[start].text {
        "he" | "He" | "him" => return Some(pronoun(start, Some(Gender::M))),
        "she" | "She" | "her" => return Some(pronoun(start, Some(Gender::F))),
        _ => {}
    }
    let mut b = start;
    if doc.facts(&w[b]).det() {
        b += 1;
    }
    while b < hi && np_token(doc, w, b) && b - start < 12 {
        b += 1;
    }
    let mut np = classify(doc, w, start, b)?;
    if let Some(after) = parenthetical_after(w, b, hi) {
        np.end = after;
        b = after;
    }
    if b + 1 < hi && w[b].text == "," {
        let mut e = b + 1;
        if e < hi && doc.facts(&w[e]).det() {
            e += 1;
        }
        while e < hi && np_token(doc, w, e) && e - b < 12 {
            e += 1;
        }
        if let Some(ap) = classify(doc, w, b + 1, e) {
            if matches!(ap.kind, NpKind::Role { .. }) {
                np.party = np.party.or(ap.party);
                np.role = np.role.or(ap.role);
                np.end = e;
            }
        }
    }
    Some(np)
}

/// Where a clause containing window index `c` starts (after the last clause
/// boundary before it), for coordinated verbs ("China ... and says"). A
/// clause is taken to reach at most [`CLAUSE_REACH`] tokens back: news
/// clauses are far shorter, and an unbounded search made a run-on line
/// without commas quadratic (each cue searched back to the line's start).
pub(crate) fn clause_start(w: &[CTok], c: usize, lo: usize) -> usize {
    let lo = lo.max(c.saturating_sub(CLAUSE_REACH));
    let mut k = c;
    while k > lo {
        let s = w[k - 1].text;
        if matches!(
            s,
            "," | ";"
                | ":"
                | "while"
                | "whereas"
                | "but"
                | "But"
                | "as"
                | "because"
                | "although"
                | "after"
                | "when"
                | "—"
                | "--"
        ) {
            return k;
        }
        k -= 1;
    }
    lo
}

/// How far, in tokens, a clause is taken to reach from a word in it: the
/// bound on [`clause_start`]'s search and on a partial quote's reporting
/// clause (`quotes::reporting_clause`). News clauses are far shorter; the
/// bound keeps run-on lines linear.
pub(crate) const CLAUSE_REACH: usize = 80;

/// The window indices within [`CLAUSE_REACH`] of index `i` of a window of
/// `len` tokens, `i` included.
pub(crate) fn clause_reach(i: usize, len: usize) -> std::ops::Range<usize> {
    i.saturating_sub(CLAUSE_REACH)..len.min(i + 1 + CLAUSE_REACH)
}

/// An outlet named after a preposition or as the object of "told" in
/// window `from..to`.
pub(crate) fn channel_in(doc: &Doc, w: &[CTok], from: usize, to: usize) -> Option<String> {
    let to = to.min(w.len()).min(from + 16);
    let mut k = from;
    while k < to {
        let s = w[k].text;
        let starts_np = k == from
            || matches!(
                w[k - 1].text,
                "told" | "to" | "with" | "on" | "by" | "via" | "in" | "tells"
            );
        if starts_np && w[k].quote.is_none() {
            if let Some(np) = np_fwd(doc, w, k, to) {
                if let NpKind::Outlet { name } = np.kind {
                    return Some(name);
                }
            }
        }
        if s == "that" || w[k].quote.is_some() {
            break;
        }
        k += 1;
    }
    None
}

/// A subject of "reported"/"cited" that is an outlet, anywhere in `from..to`.
///
/// `cues` are the window positions in `from..to` holding a cue word, in
/// order (only those can introduce an outlet).
pub(crate) fn reporting_outlet(
    doc: &Doc,
    w: &[CTok],
    from: usize,
    to: usize,
    cues: impl Iterator<Item = usize>,
) -> Option<String> {
    for c in cues.take_while(|&c| c < to.min(w.len())) {
        if matches!(
            doc.cue(&w[c]),
            Some(Cue::Report | Cue::Cite) | Some(Cue::Speech { .. })
        ) {
            if let Some(np) = np_back_plain(doc, w, c, from) {
                if let NpKind::Outlet { name } = np.kind {
                    return Some(name);
                }
            }
        }
        if w[c].text == "according" && c + 2 < to && w[c + 1].text == "to" {
            if let Some(np) = np_fwd(doc, w, c + 2, to) {
                if let NpKind::Outlet { name } = np.kind {
                    return Some(name);
                }
            }
        }
    }
    None
}

/// What the attribution of a quote found.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub np: Np,
    pub cue: String,
    pub channel: Option<String>,
}

/// Tries to read an attribution around the cue at window index `c`,
/// staying within `lo..hi`.
pub(crate) fn around_cue(
    doc: &Doc,
    w: &[CTok],
    c: usize,
    lo: usize,
    hi: usize,
    allow_eval: bool,
) -> Option<Found> {
    let word = w[c].text;
    let cue = doc.cue(&w[c])?;
    let speaking = |np: &Np| !matches!(np.kind, NpKind::Outlet { .. });
    match cue {
        Cue::Eval if !allow_eval => None,
        Cue::Report => None,
        Cue::According => {
            if c + 1 >= hi || w[c + 1].text != "to" {
                return None;
            }
            let np = np_fwd(doc, w, c + 2, hi)?;
            if !speaking(&np) {
                return None;
            }
            Some(Found {
                np,
                cue: "according to".into(),
                channel: None,
            })
        }
        Cue::Cite => {
            // Passive: "Wang was quoted by RIA as saying".
            if c > lo && matches!(w[c - 1].text, "was" | "were" | "been" | "is") {
                let np = np_back(doc, w, c - 1, lo)?;
                let channel = if c + 1 < hi && w[c + 1].text == "by" {
                    np_fwd(doc, w, c + 2, hi).and_then(|n| match n.kind {
                        NpKind::Outlet { name } => Some(name),
                        _ => None,
                    })
                } else {
                    None
                };
                return speaking(&np).then(|| Found {
                    np,
                    cue: word.to_lowercase(),
                    channel,
                });
            }
            let np = np_fwd(doc, w, c + 1, hi)?;
            if !speaking(&np) {
                return None;
            }
            let channel = np_back_plain(doc, w, c, lo).and_then(|n| match n.kind {
                NpKind::Outlet { name } => Some(name),
                _ => None,
            });
            Some(Found {
                np,
                cue: word.to_lowercase(),
                channel,
            })
        }
        Cue::Speech { .. } | Cue::Eval => {
            let mut np = np_back(doc, w, c, lo);
            if np.is_none() {
                // "and said", "but warned": the subject of the clause.
                let mut j = c;
                while j > lo && doc.facts(&w[j - 1]).adverb_or_aux() {
                    j -= 1;
                }
                if j > lo && matches!(w[j - 1].text, "and" | "but") {
                    let cs = clause_start(w, j - 1, lo);
                    np = np_fwd(doc, w, cs, j - 1).filter(|n| n.end < j);
                }
            }
            // A participle after a comma speaks for the subject of its
            // sentence ("Clinton chimed in on Twitter, saying that city
            // officials should ..."); it never inverts, so the noun phrase
            // after it is the reported clause's subject, not the source.
            let participle = word.ends_with("ing");
            if np.is_none() && participle && c > lo + 1 && w[c - 1].text == "," {
                np = np_fwd(doc, w, lo, c - 1).filter(|n| n.end < c - 1);
            }
            if np.is_none()
                && !participle
                && (c == lo || w[c - 1].quote.is_some() || w[c - 1].text == ",")
            {
                // Inversion: `"...," said Wang`.
                np = np_fwd(doc, w, c + 1, hi);
            }
            if np.is_none() {
                np = source_between_quote_and_cue(doc, w, c, lo, hi)
                    .or_else(|| source_opening_sentence(doc, w, c, lo));
            }
            let np = np?;
            if !speaking(&np) {
                return None;
            }
            // Coordinated subjects ("China and Russia declared") are not one
            // speaker.
            if np.first > lo + 1 && matches!(w[np.first - 1].text, "and" | "&") {
                if let Some(other) = np_back_plain(doc, w, np.first - 1, lo) {
                    if clause_start(w, other.first, lo) == other.first {
                        return None;
                    }
                }
            }
            let channel = channel_in(doc, w, c + 1, hi);
            Some(Found {
                np,
                cue: word.to_lowercase(),
                channel,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_spaced_text_is_what_joining_its_words_gives() {
        for s in [
            "Wang Yi",
            "Wang",
            "",
            " Wang",
            "Wang ",
            "Wang  Yi",
            "Wang\tYi",
            "Wang\x0bYi",
            "Wang\u{a0}Yi",
            "Müller Hans",
            "J. D. Vance",
            "Wang\x1fYi",
        ] {
            let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
            if is_single_spaced(s) {
                assert_eq!(joined, s, "{s:?}");
            }
        }
        assert!(is_single_spaced("J. D. Vance"));
    }
}
