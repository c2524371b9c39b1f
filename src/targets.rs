//! Targets: which parties a quote is about. The stage between `quotes` and
//! `speakers` (which find the quote and who said it) and `features` (which
//! read the quote toward each target).
//!
//! A quote's targets are the parties it names (mentions, people the article
//! introduced, their surnames), and for a first-person phrase ("our two
//! countries", "we ... together") the counterpart named around it; a partial
//! quote also takes the parties its sentence names outside quotes.

use serde::{Deserialize, Serialize};

use crate::json;
use crate::speakers::{is_cap, CTok, Doc, Resolver};
use crate::text::strip_possessive;

json::named_enum! {
    /// How a quote refers to a target party.
    pub enum Via {
        /// By a name, alias, demonym or capital of the party ("Russia",
        /// "Russian", "Moscow").
        Name => "name",
        /// By a phrase that points to the party unambiguously without naming
        /// it: a leader's name ("Putin"), "our two countries", "the two
        /// leaders".
        Reference => "reference",
    }
}

/// A party a quote refers to. Offsets as the quote's (bytes in the library,
/// characters in the record, see [`crate::quotes::Quote`]); for a party
/// resolved from "our countries", "the two leaders" etc. the span of that
/// phrase. Never the speaker's own party: a stance toward oneself is no
/// dyad, and "our two countries" said by a Chinese minister is about
/// Russia, not China. `T` is what a later stage adds (`predict`: the
/// stance toward the party), written in place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target<T = ()> {
    pub party: String,
    pub mention: String,
    pub start: usize,
    pub end: usize,
    pub via: Via,
    #[serde(flatten)]
    pub scored: T,
}

impl Target {
    /// The target `party` (its dictionary name) mentioned at
    /// `start..end` of the document.
    fn at(doc: &Doc, party: usize, start: usize, end: usize, via: Via) -> Target {
        Target {
            party: doc.dict.party(party).name.clone(),
            mention: doc.text[start..end].to_string(),
            start,
            end,
            via,
            scored: (),
        }
    }

    /// The target with what a later stage adds to it.
    pub fn scored<T>(self, scored: T) -> Target<T> {
        let Target {
            party,
            mention,
            start,
            end,
            via,
            scored: (),
        } = self;
        Target {
            party,
            mention,
            start,
            end,
            via,
            scored,
        }
    }
}

const DUAL_NOUNS: &[&str] = &[
    "countries",
    "nations",
    "states",
    "sides",
    "peoples",
    "relationship",
    "relations",
    "ties",
    "partnership",
    "cooperation",
    "governments",
    "leaders",
];

/// A sentence window and, once asked for, the parties it names outside its
/// quotes. Only a quote with a first-person phrase ("our two countries")
/// asks, for its own sentence or the one before: most sentences never do.
/// The answer does not depend on when it is asked: the resolver's registry
/// of people is complete before the first sentence is read.
pub(crate) struct NamedParties<'d, 'a> {
    pub(crate) w: std::borrow::Cow<'d, [CTok<'a>]>,
    parties: std::cell::OnceCell<Vec<usize>>,
}

impl<'d, 'a> NamedParties<'d, 'a> {
    pub(crate) fn new(w: std::borrow::Cow<'d, [CTok<'a>]>) -> Self {
        NamedParties {
            w,
            parties: std::cell::OnceCell::new(),
        }
    }

    fn get(&self, doc: &Doc, r: &Resolver) -> &[usize] {
        self.parties
            .get_or_init(|| parties_outside_quotes(doc, r, &self.w))
    }
}

/// Parties named in a sentence outside its quotes (mentions and people).
fn parties_outside_quotes(doc: &Doc, r: &Resolver, w: &[CTok]) -> Vec<usize> {
    let mut out = Vec::new();
    let (Some(first), Some(last)) = (w.first(), w.last()) else {
        return out;
    };
    let (s, e) = (first.start, last.end);
    let inside = |pos: usize| {
        let i = w.partition_point(|t| t.end <= pos);
        w.get(i)
            .is_some_and(|t| t.quote.is_some() && t.start <= pos)
    };
    let mi = doc.mentions.partition_point(|m| m.start < s);
    for m in doc.mentions[mi..].iter().take_while(|m| m.start < e) {
        if !inside(m.start) && !out.contains(&m.party) {
            out.push(m.party);
        }
    }
    let pi = doc.people.partition_point(|m| m.start < s);
    for m in doc.people[pi..].iter().take_while(|m| m.start < e) {
        let Some(party) = r.person_party(m) else {
            continue;
        };
        if !inside(m.start) && !out.contains(&party) {
            out.push(party);
        }
    }
    // Surnames of people introduced earlier ("Wang" -> Wang Yi -> China).
    for t in w {
        if t.quote.is_none() && is_cap(t.text) {
            let word = strip_possessive(t.text);
            if let Some(p) = r.party_of_name(word, t.start) {
                if !out.contains(&p) {
                    out.push(p);
                }
            }
        }
    }
    out
}

/// Adds the parties named in the sentence outside quotes, other than the
/// speaker's own party.
pub(crate) fn add_sentence_targets(
    doc: &Doc,
    r: &Resolver,
    w: &[CTok],
    speaker_party: Option<usize>,
    targets: &mut Vec<Target>,
) {
    let (Some(first), Some(last)) = (w.first(), w.last()) else {
        return;
    };
    let mi = doc.mentions.partition_point(|m| m.start < first.start);
    for m in doc.mentions[mi..].iter().take_while(|m| m.start < last.end) {
        if Some(m.party) == speaker_party {
            continue;
        }
        let name = &doc.dict.party(m.party).name;
        if targets.iter().any(|t| &t.party == name) {
            continue;
        }
        let i = w.partition_point(|t| t.end <= m.start);
        if w.get(i)
            .is_some_and(|t| t.quote.is_some() && t.start <= m.start)
        {
            continue;
        }
        targets.push(Target::at(doc, m.party, m.start, m.end, Via::Name));
    }
    let pi = doc.people.partition_point(|m| m.start < first.start);
    for m in doc.people[pi..].iter().take_while(|m| m.start < last.end) {
        let Some(party) = r.person_party(m) else {
            continue;
        };
        let name = &doc.dict.party(party).name;
        if Some(party) == speaker_party || targets.iter().any(|t| &t.party == name) {
            continue;
        }
        targets.push(Target::at(doc, party, m.start, m.end, Via::Reference));
    }
}

/// Parties a quote refers to: mentions inside it, people inside it, and
/// first-person phrases resolved through the speaker's party and the
/// counterpart named around it.
pub(crate) fn targets(
    doc: &Doc,
    r: &Resolver,
    start: usize,
    end: usize,
    speaker_party: Option<usize>,
    sentence: &NamedParties,
    prev_sentence: Option<&NamedParties>,
) -> Vec<Target> {
    let dict = doc.dict;
    // party, start, end, how
    let mut found: Vec<(usize, usize, usize, Via)> = Vec::new();
    let mi = doc.mentions.partition_point(|m| m.start < start);
    for m in doc.mentions[mi..].iter().take_while(|m| m.end <= end) {
        found.push((m.party, m.start, m.end, Via::Name));
    }
    let pi = doc.people.partition_point(|m| m.start < start);
    for m in doc.people[pi..].iter().take_while(|m| m.end <= end) {
        if let Some(party) = r.person_party(m) {
            found.push((party, m.start, m.end, Via::Reference));
        }
    }
    // Surnames of people the article introduced ("Wang" -> Wang Yi).
    let ti = doc.tok_at(start);
    for t in doc.toks[ti..].iter().take_while(|t| t.end <= end) {
        if is_cap(t.text) && !crate::speakers::is_non_name(t.text) {
            let word = strip_possessive(t.text);
            let known = doc
                .people
                .binary_search_by_key(&t.start, |m| m.start)
                .is_ok();
            if !known {
                if let Some(p) = r.party_of_name(word, t.start) {
                    found.push((p, t.start, t.start + word.len(), Via::Reference));
                }
            }
        }
    }
    // First-person phrases.
    let mut first_person: Option<(usize, usize)> = None;
    let mut dual: Option<(usize, usize)> = None;
    let mut together = false;
    let toks = &doc.toks;
    let mut i = ti;
    while i < toks.len() && toks[i].end <= end {
        let t = toks[i].text;
        match t {
            "we" | "We" | "us" | "our" | "Our" | "ours" | "ourselves" | "WE"
                if first_person.is_none() =>
            {
                first_person = Some((toks[i].start, toks[i].end));
            }
            "together" | "jointly" | "bilateral" | "Bilateral" => together = true,
            _ => {}
        }
        // The word lower-cased if it is one of these, without allocating.
        // Comparing ASCII case-insensitively finds the same words as
        // `to_lowercase` would: the only non-ASCII character that lowers to
        // ASCII is the Kelvin sign ('k'), in none of them.
        let lower = ["our", "both", "two", "bilateral", "each"]
            .into_iter()
            .find(|w| t.eq_ignore_ascii_case(w));
        if let (Some(lower), None) = (lower, dual) {
            let mut j = i + 1;
            if j < toks.len() && matches!(toks[j].text, "two" | "great" | "close") {
                j += 1;
            }
            if j < toks.len() && toks[j].end <= end {
                let nx = toks[j].text;
                let is_dual = DUAL_NOUNS.contains(&nx)
                    && (lower != "two" || i > ti && toks[i - 1].text == "the")
                    || (lower == "each" && nx == "other");
                if is_dual {
                    let s0 = if lower == "two" && i > ti {
                        toks[i - 1].start
                    } else {
                        toks[i].start
                    };
                    dual = Some((s0, toks[j].end));
                }
            }
        }
        i += 1;
    }
    // "our two countries", "we ... together": the speaker's party and a
    // counterpart named nearby; the counterpart is the target.
    if let Some(sp) = speaker_party {
        let phrase = dual.or(first_person);
        if let Some((a, b)) = phrase {
            if dual.is_some() || together {
                let counterpart = sentence.get(doc, r).iter().find(|&&p| p != sp).or_else(|| {
                    prev_sentence
                        .map_or(&[][..], |s| s.get(doc, r))
                        .iter()
                        .find(|&&p| p != sp)
                });
                if let Some(&cp) = counterpart {
                    found.push((cp, a, b, Via::Reference));
                }
            }
        }
    }
    // In text order; a party named and referred to is named.
    found.sort_by_key(|f| (f.1, f.3 != Via::Name));
    let mut out: Vec<Target> = Vec::new();
    for (party, s, e, via) in found {
        let name = &dict.party(party).name;
        match out.iter_mut().find(|t| &t.party == name) {
            Some(t) if t.via == Via::Reference && via == Via::Name => {
                *t = Target::at(doc, party, s, e, via)
            }
            Some(_) => {}
            None => out.push(Target::at(doc, party, s, e, via)),
        }
    }
    out
}
