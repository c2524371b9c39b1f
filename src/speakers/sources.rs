//! Unnamed sources: a plain noun phrase where only a source can stand ("the
//! letter reads", "said the report", "Experts on North Korea said") is who
//! the article says is speaking, whatever its head.

use super::lexicon::*;
use super::{introductions, join_tokens, CTok, Doc, Np, NpKind};
use crate::text::TokenKind;

/// A source named by a plain noun phrase in the place only a source can
/// stand: between a quote and its cue (`"...," the letter reads`), or after
/// an inverted cue that ends the sentence (`"...," said the report.`).
/// Whatever its head ("the report", "officials", "a narrator in the ad"),
/// such a phrase is who the article says is speaking.
pub(super) fn source_between_quote_and_cue(
    doc: &Doc,
    w: &[CTok],
    c: usize,
    lo: usize,
    hi: usize,
) -> Option<Np> {
    let plain = |k: usize| {
        let t = &w[k];
        t.quote.is_none()
            && doc.toks[t.tok].kind == TokenKind::Word
            && doc.cue(t).is_none()
            && !doc.facts(t).adverb_or_aux()
            && !matches!(
                t.text,
                "but" | "and" | "or" | "then" | "also" | "not" | "to" | "But" | "And" | "Then"
            )
            && !matches!(
                t.text,
                "he" | "she"
                    | "it"
                    | "they"
                    | "He"
                    | "She"
                    | "It"
                    | "They"
                    | "who"
                    | "which"
                    | "that"
                    | "I"
                    | "we"
                    | "We"
                    | "you"
                    | "You"
            )
    };
    // Right after a whole statement: a quote ending in a comma or a full
    // stop inside its marks, or followed by a comma. A quoted word inside
    // a sentence (`so-called "reciprocal" tariffs announced`) is no
    // statement, and the words after it no source.
    let statement = |q: &CTok| {
        let inner = doc.text[q.start..q.end].trim_end_matches(|c: char| {
            !c.is_alphanumeric() && !matches!(c, ',' | '.' | '!' | '?')
        });
        inner.ends_with([',', '.', '!', '?'])
    };
    let after_quote = |k: usize| {
        k >= 1
            && ((w[k - 1].quote.is_some() && statement(&w[k - 1]))
                || (w[k - 1].text == "," && k >= 2 && w[k - 2].quote.is_some()))
    };
    // Back from the cue to the quote.
    let mut a = c;
    while a > lo && c - a < 8 && plain(a - 1) {
        a -= 1;
    }
    let (a, b) = if a < c && after_quote(a) {
        (a, c)
    } else if after_quote(c) {
        // Forward from an inverted cue to the end of the sentence.
        let mut b = c + 1;
        while b < hi && b - c <= 8 && plain(b) {
            b += 1;
        }
        let ends = b == hi || matches!(w[b].text, "." | "!" | "?");
        if b == c + 1 || !ends {
            return None;
        }
        (c + 1, b)
    } else {
        return None;
    };
    source_phrase(doc, w, a, b)
}

/// The unnamed source at window tokens `a..b` as a noun phrase: the words
/// without a leading determiner, and the party they speak for.
pub(super) fn source_phrase(doc: &Doc, w: &[CTok], a: usize, b: usize) -> Option<Np> {
    let mut first = a;
    while first < b && doc.facts(&w[first]).det() {
        first += 1;
    }
    if first == b {
        return None;
    }
    Some(Np {
        kind: NpKind::Role {
            head: w[b - 1].text.to_lowercase(),
            class: RoleClass::Institution,
            phrase: join_tokens(doc.text, &w[first..b]),
        },
        party: introductions::affiliation_in(doc, w, first, b),
        role: None,
        first: a,
        end: b,
        gender: None,
    })
}

/// A source named by a plain noun phrase that opens the sentence and is
/// the subject of the cue: "The campaign says ...", "Analysts warned ...".
pub(super) fn source_opening_sentence(doc: &Doc, w: &[CTok], c: usize, lo: usize) -> Option<Np> {
    if lo != 0 {
        return None;
    }
    let mut end = c;
    while end > 0 && doc.facts(&w[end - 1]).adverb_or_aux() {
        end -= 1;
    }
    if end == 0 || end > 10 || !is_cap(w[0].text) {
        return None;
    }
    // "Experts on North Korea said", "Nearly eight of 10 voters say": words,
    // numbers and the prepositions that tie a noun phrase together.
    let plain = (0..end).all(|k| {
        let t = &w[k];
        let kind = doc.toks[t.tok].kind;
        t.quote.is_none()
            && (kind == TokenKind::Word || (kind == TokenKind::Number && k > 0))
            && doc.cue(t).is_none()
            && !matches!(
                t.text,
                "It" | "This" | "That" | "There" | "What" | "But" | "And" | "If" | "When" | "As"
            )
    });
    // A past form inside is a verb of the phrase's own: "The fleet sailed
    // from ports in coastal states that ..." is a clause, not a source.
    let has_verb = w
        .get(1..end.saturating_sub(1))
        .unwrap_or_default()
        .iter()
        .any(|t| t.text.len() > 3 && t.text.ends_with("ed") && !is_cap(t.text));
    if !plain || has_verb {
        return None;
    }
    source_phrase(doc, w, 0, end)
}
