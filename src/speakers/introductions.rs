//! What the article itself says about the people in it: which party a
//! person speaks for, read from the description that introduces them, and
//! which dictionary people a bare surname really refers to.
//!
//! News English names a speaker's party where it first introduces them:
//! in a pre-modifier ("Hungarian Foreign Minister Lena Varga", "South
//! Africa's Foreign Minister Sipho Ndlovu"), an "of" or "at" phrase ("Lena
//! Varga of Hungary"), an appositive ("Ali Khan, Pakistan's foreign
//! minister,", "Tomas Ruud, a state secretary at Norway's foreign
//! ministry") or a relative clause ("Ana Pires, who heads the African Union
//! Commission"). What the article says wins over the dictionary: people
//! change jobs, and the dictionary does not know most speakers.
//!
//! A portfolio is not an affiliation: after "for", "to", "in" or "on" a
//! description says what the person works on or where ("Britain's special
//! envoy for Yemen", "the ambassador to the UN"), except after words that
//! say whom one speaks or works for ("a spokesman for the RSF", "an adviser
//! to the Ukrainian president").

use super::{is_cap, is_non_name, role_head, CTok, Doc, TokFacts};
use crate::parties::{PartyDict, PersonMention};
use crate::text::{Token, TokenKind};

/// Words after which "for" or "to" names the party one speaks for.
const SPEAKS_FOR: &[&str] = &[
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "spokespeople",
    "spokesmen",
    "spokeswomen",
    "adviser",
    "advisor",
    "advisers",
    "advisors",
    "aide",
    "aides",
    "official",
    "officials",
    "negotiator",
    "representative",
    "delegate",
    "lawmaker",
    "spokes",
];

/// Prepositions that start a portfolio or a place rather than an
/// affiliation ("envoy for Yemen", "ambassador to the UN", "a diplomat in
/// Brussels").
const PORTFOLIO: &[&str] = &[
    "for", "to", "in", "on", "over", "against", "toward", "towards", "into", "about", "between",
];

/// Bodies news copy names once with their party ("Azerbaijan's foreign
/// ministry", "the Philippine Coast Guard", "Ethiopia's prime minister") and
/// then only as "the ministry", "the coast guard", "the prime minister's
/// office". The word after "the" is looked up.
const BODIES: &[&str] = &[
    "ministry",
    "coast",
    "army",
    "military",
    "navy",
    "government",
    "presidency",
    "embassy",
    "cabinet",
    "foreign",
    "interior",
    "defence",
    "defense",
    "prime",
    "president",
    "presidential",
    "junta",
];

/// How far back, in tokens, a body's earlier naming is looked for: far
/// enough for any news article, and a bound on the work for a hostile one.
const BODY_REACH: usize = 3000;

/// The party of a body a phrase (window tokens `a..b`) names only as "the
/// BODY" ("the ministry's spokesman"): the party named within a few words
/// before the same word where the article last named that body
/// ("Azerbaijan's foreign ministry said ..."), if it did.
pub(crate) fn body_antecedent(doc: &Doc, w: &[CTok], a: usize, b: usize) -> Option<usize> {
    let k = (a..b.saturating_sub(1)).find(|&k| {
        matches!(w[k].text, "the" | "The")
            && w[k + 1].quote.is_none()
            && BODIES.contains(&body_word(w[k + 1].text).as_str())
    })?;
    let key = body_word(w[k + 1].text);
    let at = w[k].tok;
    (at.saturating_sub(BODY_REACH)..at).rev().find_map(|i| {
        if body_word(doc.toks[i].text) != key {
            return None;
        }
        // "Azerbaijan's foreign ministry": the party a few words before.
        (i.saturating_sub(4)..i)
            .rev()
            .find_map(|j| doc.mention_at(j).map(|m| m.party))
    })
}

/// A body word lower-cased, without a possessive ("ministry's").
fn body_word(s: &str) -> String {
    super::strip_possessive(s).to_lowercase()
}

/// The party a description around a personal name gives: the name ends
/// just before window index `end`, and the noun phrase holding it (titles
/// and possessives included) starts at `first`.
///
/// Only an office speaks for a party: a description without a title or
/// role word ("a Nigerian farmer") names where somebody is from, not whom
/// they speak for.
pub(crate) fn described_party(doc: &Doc, w: &[CTok], first: usize, end: usize) -> Option<usize> {
    let office = w[first..end].iter().any(|t| is_office_word(doc, t));
    let before = w[first..end]
        .iter()
        .find_map(|t| doc.mention_of(t).map(|m| m.party))
        .or_else(|| body_antecedent(doc, w, first, end))
        .filter(|_| office);
    before.or_else(|| description_after(doc, w, end))
}

/// A title ("minister") or a role noun ("spokesman", "ministry").
fn is_office_word(doc: &Doc, t: &CTok) -> bool {
    doc.facts(t).title() || role_head(&t.text.to_lowercase()).is_some()
}

/// The party a source phrase speaks for (window tokens `a..b`): its first
/// party mention before any portfolio preposition ("Experts on North Korea"
/// speak for nobody; "Russian diplomats in Geneva" for Russia).
pub(crate) fn affiliation_in(doc: &Doc, w: &[CTok], a: usize, b: usize) -> Option<usize> {
    for t in &w[a..b] {
        if let Some(m) = doc.mention_of(t) {
            return Some(m.party);
        }
        if PORTFOLIO.contains(&t.text.to_lowercase().as_str()) {
            return None;
        }
    }
    body_antecedent(doc, w, a.saturating_sub(1), b)
}

/// The party named by an "of"/"at" phrase, appositive or relative clause
/// right after window index `end`.
fn description_after(doc: &Doc, w: &[CTok], end: usize) -> Option<usize> {
    let mut k = end;
    match w.get(k)?.text {
        // "Lena Varga of Hungary", "Ruud at Norway's foreign ministry".
        "of" | "at" => {
            k += 1;
            if w.get(k).is_some_and(|t| doc.facts(t).det()) {
                k += 1;
            }
            return w.get(k).and_then(|t| doc.mention_of(t)).map(|m| m.party);
        }
        "," => k += 1,
        _ => return None,
    }
    let mut blocked = false;
    let mut office = false;
    let mut found = None;
    let mut prev = String::new();
    let mut stop = k;
    // Where the words that can name whom one speaks for end: at the first
    // portfolio preposition, or with the description.
    let mut open_end = usize::MAX;
    for t in w.iter().skip(k).take(20) {
        stop += 1;
        if t.quote.is_some()
            || matches!(
                t.text,
                "," | ";" | "." | ":" | "(" | ")" | "-" | "\u{2014}" | "\u{2013}"
            )
            || doc.cue(t).is_some()
        {
            break;
        }
        office |= is_office_word(doc, t);
        if let Some(m) = doc.mention_of(t) {
            if !blocked && found.is_none() {
                found = Some(m.party);
            }
            continue;
        }
        let lower = t.text.to_lowercase();
        if PORTFOLIO.contains(&lower.as_str())
            && !(matches!(lower.as_str(), "for" | "to") && SPEAKS_FOR.contains(&prev.as_str()))
        {
            if !blocked {
                open_end = stop - 1;
            }
            blocked = true;
        }
        prev = lower;
    }
    // "Hasanov, the ministry's spokesman,": the ministry named earlier.
    if found.is_none() {
        found = body_antecedent(doc, w, k, open_end.min(stop).min(w.len()));
    }
    found.filter(|_| office)
}

/// Drops the mentions of dictionary people that are a bare word of their
/// name ("Ali", "Ibrahim") standing inside another name ("Hassan Ali",
/// "Musa Ibrahim Bello"): that word belongs to somebody else. A bare surname
/// standing alone stays a mention of its one dictionary person, unless the
/// article introduces someone else by it (see `Resolver::introduced`).
pub(crate) fn keep_tied_people(
    text: &str,
    dict: &PartyDict,
    toks: &[Token],
    people: &mut Vec<PersonMention>,
) {
    let full = |m: &PersonMention| {
        dict.person(m.person)
            .is_written_in_full(&text[m.start..m.end])
    };
    people.retain(|m| {
        if full(m) {
            return true;
        }
        // "He" (He Lifeng) opening "He listens" is a pronoun.
        if is_non_name(&text[m.start..m.end]) {
            return false;
        }
        // The party scan splits hyphenated tokens, so a mention may
        // start or end inside one: the neighbours are the tokens wholly
        // before and after it.
        let i = toks.partition_point(|t| t.end <= m.start);
        let j = toks.partition_point(|t| t.start < m.end);
        let name_word = |t: Option<&Token>, gap: &str| {
            t.is_some_and(|t| {
                t.kind == TokenKind::Word
                    && gap == " "
                    && is_cap(t.text)
                    && !is_non_name(t.text)
                    && !TokFacts::of(t.text, t.kind).title()
            })
        };
        let prev = i.checked_sub(1).map(|k| &toks[k]);
        let next = toks.get(j);
        let gap_before = prev.map_or("", |p| &text[p.end..m.start]);
        let gap_after = next.map_or("", |n| &text[m.end..n.start]);
        !(name_word(prev, gap_before) || name_word(next, gap_after))
    });
}
