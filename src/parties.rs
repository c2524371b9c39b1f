//! The party dictionary: states, organisations and groups with their names,
//! aliases, demonyms and metonyms, and the people who speak for them.
//!
//! The dictionary is human-edited TOML (`models/parties.toml`, embedded in
//! the binary; replaceable with `--parties FILE`). Surface forms are matched
//! as whole words, case-sensitively as written, longest first, through a
//! table keyed by the first token of each form, so matching is linear in the
//! length of the text whatever the size of the dictionary.

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::text::{tokenize, FastMap, Token, TokenKind};
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PartyKind {
    State,
    #[serde(alias = "organization")]
    Organisation,
    Group,
}

#[derive(Debug, Clone, Serialize)]
pub struct Party {
    /// Canonical plain-English short name ("United States").
    pub name: String,
    /// ISO 3166 alpha-3 for states, a short code for organisations.
    pub code: String,
    pub kind: PartyKind,
    pub aliases: Vec<String>,
    pub demonyms: Vec<String>,
    /// Capitals and institutions standing for the party ("Kremlin").
    pub metonyms: Vec<String>,
    /// Canonical names of member parties (for organisations).
    pub members: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Gender {
    #[serde(alias = "M")]
    M,
    #[serde(alias = "F")]
    F,
}

#[derive(Debug, Clone, Serialize)]
pub struct Person {
    pub name: String,
    /// Index of the person's party.
    pub party: usize,
    pub role: String,
    pub gender: Option<Gender>,
    /// ISO dates (inclusive) between which the role applies.
    pub from: Option<String>,
    pub to: Option<String>,
    pub aliases: Vec<String>,
}

impl Person {
    /// Whether the person held the role on `date` (ISO); unknown dates and
    /// open ranges count as active.
    pub fn active_on(&self, date: Option<&str>) -> bool {
        let Some(d) = date else { return true };
        self.from.as_deref().is_none_or(|f| f <= d) && self.to.as_deref().is_none_or(|t| d <= t)
    }

    /// Whether `surface` is the person's full name or one of its aliases,
    /// rather than a bare word of the name ("Putin").
    pub fn is_written_in_full(&self, surface: &str) -> bool {
        surface == self.name || self.aliases.iter().any(|a| a == surface)
    }

    /// The last word of the name ("Putin"), used to resolve surnames.
    pub fn surname(&self) -> &str {
        self.name.split_whitespace().last().unwrap_or(&self.name)
    }
}

/// Which kind of surface form matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SurfaceKind {
    Name,
    Alias,
    Demonym,
    Metonym,
}

/// A party mentioned in a text: byte span of the surface form (without a
/// possessive `'s`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Mention {
    pub party: usize,
    pub start: usize,
    pub end: usize,
    pub kind: SurfaceKind,
}

/// A known person mentioned by full name or alias.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PersonMention {
    pub person: usize,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Copy)]
enum EntryTarget {
    Party(usize, SurfaceKind),
    Person(usize),
}

#[derive(Debug, Clone)]
struct Entry {
    /// Tokens after the first one (the first is the table key).
    rest: Vec<String>,
    target: EntryTarget,
}

#[derive(Debug, Default)]
pub struct PartyDict {
    parties: Vec<Party>,
    people: Vec<Person>,
    /// First token -> forms starting with it, longest first.
    index: FastMap<String, Vec<Entry>>,
    /// The shapes of the keys of `index`, so that the scan can pass over
    /// most tokens of a text without hashing them: for each first byte, a
    /// bit per key length in bytes (lengths of 63 and more share the last
    /// bit). Empty until the index is built.
    key_shapes: Vec<u64>,
    party_by_name: FastMap<String, usize>,
    /// Full name or alias -> every entry (one per role held).
    person_by_name: FastMap<String, Vec<usize>>,
    by_surname: FastMap<String, Vec<usize>>,
    /// Problems that did not stop loading (duplicate aliases, empty forms).
    pub warnings: Vec<String>,
}

// ---- TOML schema -------------------------------------------------------

#[derive(Deserialize)]
struct RawDict {
    #[serde(default)]
    party: Vec<RawParty>,
    #[serde(default)]
    person: Vec<RawPerson>,
    #[serde(flatten)]
    extra: HashMap<String, toml::Value>,
}

#[derive(Deserialize)]
struct RawParty {
    name: String,
    #[serde(default)]
    code: String,
    kind: PartyKind,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    demonyms: Vec<String>,
    #[serde(default)]
    metonyms: Vec<String>,
    #[serde(default)]
    members: Vec<String>,
    #[serde(flatten)]
    extra: HashMap<String, toml::Value>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawDate {
    Text(String),
    Date(toml::value::Datetime),
}

#[derive(Deserialize)]
struct RawPerson {
    name: String,
    party: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    gender: Option<Gender>,
    #[serde(default)]
    from: Option<RawDate>,
    #[serde(default)]
    to: Option<RawDate>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(flatten)]
    extra: HashMap<String, toml::Value>,
}

fn date_string(
    d: Option<RawDate>,
    what: impl Fn() -> String,
    warnings: &mut Vec<String>,
) -> Option<String> {
    let s = match d? {
        RawDate::Text(s) => s,
        RawDate::Date(d) => d.to_string(),
    };
    let valid = s.len() == 10
        && s.bytes().enumerate().all(|(i, c)| match i {
            4 | 7 => c == b'-',
            _ => c.is_ascii_digit(),
        });
    if valid {
        Some(s)
    } else {
        warnings.push(format!("{}: date {s:?} is not YYYY-MM-DD; ignored", what()));
        None
    }
}

/// Whether `role`, lower-cased, contains `lower` (itself lower-cased). Every
/// role of a party was lower-cased into a new string each time a speaker's
/// role was looked up; an ASCII role (nearly all) is compared in place.
fn role_contains(role: &str, lower: &str) -> bool {
    if !role.is_ascii() {
        return role.to_lowercase().contains(lower);
    }
    // Lower-casing an ASCII role changes only A-Z, and `lower` has no A-Z, so
    // ignoring ASCII case byte by byte matches the lower-cased role.
    let (hay, needle) = (role.as_bytes(), lower.as_bytes());
    needle.is_empty()
        || hay
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

/// Tokens used for dictionary lookup: words split at inner hyphens (the
/// hyphen becomes its own token) and stripped of a possessive `'s`, so
/// "US-Ukrainian" finds "US" and "Ukrainian" and "Russia's" finds "Russia".
pub(crate) fn lookup_tokens(text: &str) -> Vec<(usize, usize)> {
    LookupTokens::new(text, &tokenize(text)).collect()
}

/// The lookup tokens (see [`lookup_tokens`]) of tokens already made by
/// [`tokenize`], as byte spans, made one at a time: the scan of an article
/// passes over most tokens by their first byte (see
/// [`LookupTokens::skip_non_keys`]) without making them into lookup tokens
/// at all. Almost no word is hyphenated, so a word is usually one lookup
/// token. Cloning the iterator is how the scan looks ahead for the further
/// words of a multi-word form.
#[derive(Clone)]
struct LookupTokens<'t, 'a> {
    text: &'a [u8],
    tokens: std::slice::Iter<'t, Token<'a>>,
    /// The hyphenated word being split, if any.
    split: Option<HyphenSplit>,
}

/// Where splitting a hyphenated word has got to.
#[derive(Clone, Copy)]
struct HyphenSplit {
    /// Start of the word: a hyphen there is part of the first piece.
    word: usize,
    /// Start of the next piece.
    at: usize,
    /// End of the word, without a possessive.
    end: usize,
}

impl<'t, 'a> LookupTokens<'t, 'a> {
    fn new(text: &'a str, tokens: &'t [Token<'a>]) -> Self {
        LookupTokens {
            text: text.as_bytes(),
            tokens: tokens.iter(),
            split: None,
        }
    }

    /// Passes over the tokens that make one lookup token each and start
    /// with a byte no key of the index starts with (`can_start_key`): the
    /// scan rules out most tokens by that alone, before making them into
    /// lookup tokens.
    fn skip_non_keys(&mut self, can_start_key: impl Fn(u8) -> bool) {
        if self.split.is_some() {
            return;
        }
        let rest = self.tokens.as_slice();
        let n = rest
            .iter()
            .position(|t| t.hyphenated || can_start_key(self.text[t.start]))
            .unwrap_or(rest.len());
        self.tokens = rest[n..].iter();
    }

    /// The next piece of the hyphenated word being split. Out of line:
    /// almost no word is hyphenated.
    #[cold]
    #[inline(never)]
    fn next_piece(&mut self) -> Option<(usize, usize)> {
        let split = self.split.as_mut()?;
        let HyphenSplit { word, at, end } = *split;
        if at >= end {
            self.split = None;
            return None;
        }
        // '-' is one byte and never part of another character's encoding.
        if self.text[at] == b'-' && at > word {
            split.at = at + 1;
            return Some((at, at + 1));
        }
        let from = at.max(word + 1);
        let piece_end = self.text[from..end]
            .iter()
            .position(|&c| c == b'-')
            .map_or(end, |k| from + k);
        split.at = piece_end;
        Some((at, piece_end))
    }
}

/// The end of a word without a possessive `'s` or `’s`.
fn without_possessive(t: &Token) -> usize {
    t.end - (t.text.len() - crate::text::strip_possessive(t.text).len())
}

impl Iterator for LookupTokens<'_, '_> {
    type Item = (usize, usize);

    // Called once per token of an article: a call (saving registers)
    // cost as much as the work.
    #[inline(always)]
    fn next(&mut self) -> Option<(usize, usize)> {
        if self.split.is_some() {
            if let Some(piece) = self.next_piece() {
                return Some(piece);
            }
        }
        loop {
            let t = self.tokens.next()?;
            if t.kind == TokenKind::Punct {
                return Some((t.start, t.end));
            }
            let end = without_possessive(t);
            // A possessive ending holds no hyphen: a hyphenated token's
            // hyphens are all before `end`.
            if t.hyphenated {
                self.split = Some(HyphenSplit {
                    word: t.start,
                    at: t.start,
                    end,
                });
                return self.next_piece();
            }
            if end > t.start {
                return Some((t.start, end));
            }
        }
    }
}

impl PartyDict {
    /// The dictionary shipped in the binary (`models/parties.toml`), parsed
    /// once.
    pub fn embedded() -> &'static PartyDict {
        static DICT: OnceLock<PartyDict> = OnceLock::new();
        DICT.get_or_init(|| {
            let origin = "models/parties.toml";
            // Empty when the build step could not convert the file; then
            // the TOML itself is parsed.
            let json = include_str!(concat!(env!("OUT_DIR"), "/parties.json"));
            if json.is_empty() {
                PartyDict::from_toml_str(include_str!("../models/parties.toml"), origin)
            } else {
                PartyDict::from_json_str(json, origin)
            }
            .expect("the embedded party dictionary is valid (checked by tests)")
        })
    }

    /// Loads a dictionary file; errors name the file.
    pub fn load(path: &Path) -> Result<PartyDict> {
        let src = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        PartyDict::from_toml_str(&src, &path.display().to_string())
    }

    /// Parses a dictionary. Type errors, missing fields and duplicate party
    /// names are errors; empty forms, unknown keys, duplicate aliases across
    /// parties and people with an unknown party are warnings.
    pub fn from_toml_str(src: &str, origin: &str) -> Result<PartyDict> {
        let raw: RawDict = toml::from_str(src).map_err(|e| {
            let line = e
                .span()
                .map(|s| src[..s.start.min(src.len())].matches('\n').count() + 1);
            let msg = e.message().to_string();
            match line {
                Some(l) => Error::record(origin, l, msg),
                None => Error::input(origin, msg),
            }
        })?;
        PartyDict::from_raw(raw, origin)
    }

    /// The dictionary from the JSON form of a TOML dictionary (what the
    /// build step makes of the shipped one: serde_json reads it several
    /// times faster than the TOML parser, which was most of start-up).
    fn from_json_str(src: &str, origin: &str) -> Result<PartyDict> {
        let raw: RawDict =
            serde_json::from_str(src).map_err(|e| Error::input(origin, e.to_string()))?;
        PartyDict::from_raw(raw, origin)
    }

    fn from_raw(raw: RawDict, origin: &str) -> Result<PartyDict> {
        let mut dict = PartyDict::default();
        let w = &mut dict.warnings;
        for k in raw.extra.keys() {
            w.push(format!("{origin}: unknown top-level key {k:?} ignored"));
        }
        for (i, p) in raw.party.into_iter().enumerate() {
            let name = p.name.trim().to_string();
            if name.is_empty() {
                return Err(Error::input(
                    origin,
                    format!("party #{} has an empty name", i + 1),
                ));
            }
            if dict.party_by_name.contains_key(&name) {
                return Err(Error::input(
                    origin,
                    format!("duplicate party name {name:?}"),
                ));
            }
            for k in p.extra.keys() {
                w.push(format!(
                    "{origin}: party {name:?}: unknown key {k:?} ignored"
                ));
            }
            let clean = |v: Vec<String>, field: &str, w: &mut Vec<String>| -> Vec<String> {
                let mut out: Vec<String> = Vec::with_capacity(v.len());
                for a in v {
                    let a = a.trim().to_string();
                    if a.is_empty() {
                        w.push(format!(
                            "{origin}: party {name:?}: empty entry in {field} ignored"
                        ));
                    } else if !out.contains(&a) {
                        out.push(a);
                    }
                }
                out
            };
            let party = Party {
                code: p.code.trim().to_string(),
                kind: p.kind,
                aliases: clean(p.aliases, "aliases", w),
                demonyms: clean(p.demonyms, "demonyms", w),
                metonyms: clean(p.metonyms, "metonyms", w),
                members: clean(p.members, "members", w),
                name: name.clone(),
            };
            dict.party_by_name.insert(name, dict.parties.len());
            dict.parties.push(party);
        }
        for (pi, party) in dict.parties.iter().enumerate() {
            for m in &party.members {
                if !dict.party_by_name.contains_key(m) {
                    w.push(format!(
                        "{origin}: party {:?}: member {m:?} is not a party in the dictionary",
                        party.name
                    ));
                }
            }
            let _ = pi;
        }
        for p in raw.person {
            let name = p.name.trim().to_string();
            if name.is_empty() {
                w.push(format!("{origin}: a person with an empty name was ignored"));
                continue;
            }
            for k in p.extra.keys() {
                w.push(format!(
                    "{origin}: person {name:?}: unknown key {k:?} ignored"
                ));
            }
            let Some(&party) = dict.party_by_name.get(p.party.trim()) else {
                w.push(format!(
                    "{origin}: person {name:?}: unknown party {:?}; person ignored",
                    p.party
                ));
                continue;
            };
            // Only warnings name the person: formatting this for every entry
            // of the dictionary was a good part of its start-up cost.
            let what = || format!("{origin}: person {name:?}");
            let from = date_string(p.from, what, w);
            let to = date_string(p.to, what, w);
            let mut aliases = Vec::new();
            for a in p.aliases {
                let a = a.trim().to_string();
                if a.is_empty() {
                    w.push(format!("{}: empty alias ignored", what()));
                } else if !aliases.contains(&a) {
                    aliases.push(a);
                }
            }
            dict.people.push(Person {
                name,
                party,
                role: p.role.trim().to_string(),
                gender: p.gender,
                from,
                to,
                aliases,
            });
        }
        dict.build_index(origin);
        Ok(dict)
    }

    fn build_index(&mut self, origin: &str) {
        // Surface form -> owner, to report duplicates across parties.
        // Start-up cost: the keyed hash of std's maps was most of the cost of
        // these look-ups. Only looked up, never iterated, so the hasher
        // cannot change the output.
        let mut seen: FastMap<String, EntryTarget> = FastMap::default();
        let mut forms: Vec<(String, EntryTarget)> = Vec::new();
        for (i, p) in self.parties.iter().enumerate() {
            forms.push((p.name.clone(), EntryTarget::Party(i, SurfaceKind::Name)));
            for a in &p.aliases {
                forms.push((a.clone(), EntryTarget::Party(i, SurfaceKind::Alias)));
            }
            for a in &p.demonyms {
                forms.push((a.clone(), EntryTarget::Party(i, SurfaceKind::Demonym)));
            }
            for a in &p.metonyms {
                forms.push((a.clone(), EntryTarget::Party(i, SurfaceKind::Metonym)));
            }
        }
        for (i, p) in self.people.iter().enumerate() {
            forms.push((p.name.clone(), EntryTarget::Person(i)));
            for a in &p.aliases {
                forms.push((a.clone(), EntryTarget::Person(i)));
            }
            self.person_by_name
                .entry(p.name.clone())
                .or_default()
                .push(i);
            for a in &p.aliases {
                let v = self.person_by_name.entry(a.clone()).or_default();
                if !v.contains(&i) {
                    v.push(i);
                }
            }
            self.by_surname
                .entry(p.surname().to_string())
                .or_default()
                .push(i);
        }
        for (form, target) in forms {
            let owner_name = |t: EntryTarget, d: &PartyDict| match t {
                EntryTarget::Party(i, _) => format!("party {:?}", d.parties[i].name),
                EntryTarget::Person(i) => format!("person {:?}", d.people[i].name),
            };
            if let Some(&prev) = seen.get(&form) {
                let same = match (prev, target) {
                    (EntryTarget::Party(a, _), EntryTarget::Party(b, _)) => a == b,
                    // One person may have several entries (one per role).
                    (EntryTarget::Person(a), EntryTarget::Person(b)) => {
                        a == b || self.people[a].name == self.people[b].name
                    }
                    _ => false,
                };
                if !same {
                    let msg = format!(
                        "{origin}: {form:?} is listed for {} and {}; the first is used",
                        owner_name(prev, self),
                        owner_name(target, self)
                    );
                    self.warnings.push(msg);
                }
                continue;
            }
            let spans = lookup_tokens(&form);
            if spans.is_empty() {
                let msg = format!("{origin}: {form:?} has no words; ignored");
                self.warnings.push(msg);
                continue;
            }
            seen.insert(form.clone(), target);
            let toks: Vec<String> = spans.iter().map(|&(s, e)| form[s..e].to_string()).collect();
            self.index.entry(toks[0].clone()).or_default().push(Entry {
                rest: toks[1..].to_vec(),
                target,
            });
        }
        self.index_surnames(&seen);
        for v in self.index.values_mut() {
            v.sort_by_key(|e| std::cmp::Reverse(e.rest.len()));
        }
        self.key_shapes = vec![0; 256];
        for key in self.index.keys() {
            if let Some(&b) = key.as_bytes().first() {
                self.key_shapes[b as usize] |= 1 << key.len().min(63);
            }
        }
    }

    /// Whether a key of the index can start with byte `b` (false means
    /// certainly not).
    fn may_start_key(&self, b: u8) -> bool {
        self.key_shapes
            .get(b as usize)
            .is_none_or(|&shapes| shapes != 0)
    }

    /// Whether a text token can be a key of the index (false means it is
    /// certainly not one).
    fn may_be_key(&self, token: &[u8]) -> bool {
        match (self.key_shapes.is_empty(), token.first()) {
            (false, Some(&b)) => self.key_shapes[b as usize] >> token.len().min(63) & 1 == 1,
            _ => true,
        }
    }

    /// Makes bare surnames findable ("Putin", and "Xi" for family-name-first
    /// names) when exactly one person in the dictionary has them and they are
    /// not already a form of something else.
    fn index_surnames(&mut self, seen: &FastMap<String, EntryTarget>) {
        const FAMILY_FIRST: &[&str] = &[
            "CHN", "TWN", "PRK", "KOR", "VNM", "HKG", "MAC", "SGP", "MNG",
        ];
        // Iterated below, but each key adds at most one index entry of its
        // own, so the visiting order does not show in the index.
        let mut cands: FastMap<String, Vec<usize>> = FastMap::default();
        for (i, p) in self.people.iter().enumerate() {
            let words: Vec<&str> = p.name.split_whitespace().collect();
            if words.len() < 2 {
                continue;
            }
            let code = self.parties[p.party].code.as_str();
            let key = if FAMILY_FIRST.contains(&code) {
                words[0]
            } else {
                words[words.len() - 1]
            };
            cands.entry(key.to_string()).or_default().push(i);
        }
        for (key, ids) in cands {
            let first = ids[0];
            let one_person = ids
                .iter()
                .all(|&i| self.people[i].name == self.people[first].name);
            let plain = key.chars().count() >= 2
                && key.chars().any(char::is_lowercase)
                && key.chars().next().is_some_and(char::is_uppercase)
                && !seen.contains_key(&key)
                && !matches!(
                    key.as_str(),
                    "May"
                        | "March"
                        | "June"
                        | "July"
                        | "August"
                        | "Young"
                        | "King"
                        | "Price"
                        | "Bill"
                        | "Rice"
                        | "Hope"
                        | "Rich"
                        | "Long"
                        | "Little"
                        | "Little's"
                );
            if one_person && plain && lookup_tokens(&key).len() == 1 {
                self.index.entry(key).or_default().push(Entry {
                    rest: Vec::new(),
                    target: EntryTarget::Person(first),
                });
            }
        }
    }

    pub fn parties(&self) -> &[Party] {
        &self.parties
    }

    pub fn people(&self) -> &[Person] {
        &self.people
    }

    pub fn party(&self, idx: usize) -> &Party {
        &self.parties[idx]
    }

    pub fn person(&self, idx: usize) -> &Person {
        &self.people[idx]
    }

    /// Index of a party by canonical name.
    pub fn party_index(&self, name: &str) -> Option<usize> {
        self.party_by_name.get(name).copied()
    }

    /// A person by full name or alias (the first entry if the person held
    /// several roles; see [`PartyDict::person_on`]).
    pub fn person_by_name(&self, name: &str) -> Option<usize> {
        self.person_by_name
            .get(name)
            .and_then(|v| v.first().copied())
    }

    /// Among the entries of the same person as `idx` (one per role), the one
    /// active on `date`, else `idx` itself.
    pub fn person_on(&self, idx: usize, date: Option<&str>) -> usize {
        let name = &self.people[idx].name;
        if self.people[idx].active_on(date) {
            return idx;
        }
        self.person_by_name
            .get(name)
            .and_then(|v| {
                v.iter()
                    .copied()
                    .find(|&i| self.people[i].name == *name && self.people[i].active_on(date))
            })
            .unwrap_or(idx)
    }

    /// People whose name ends with `surname`.
    pub fn persons_by_surname(&self, surname: &str) -> &[usize] {
        self.by_surname.get(surname).map_or(&[], Vec::as_slice)
    }

    /// The one person active on `date` known by this name, full name, alias
    /// or surname; None if unknown or ambiguous.
    pub fn lookup_person(&self, name: &str, date: Option<&str>) -> Option<usize> {
        if let Some(i) = self.person_by_name(name) {
            return Some(self.person_on(i, date));
        }
        let mut found = self
            .persons_by_surname(name)
            .iter()
            .copied()
            .filter(|&i| self.people[i].active_on(date));
        let first = found.next()?;
        // Several entries of one person (one per role) are not ambiguous.
        found
            .all(|i| self.people[i].name == self.people[first].name)
            .then_some(first)
    }

    /// A person holding a role for a party on a date ("foreign minister" of
    /// China), if exactly one matches.
    pub fn person_with_role(
        &self,
        party: usize,
        role_word: &str,
        date: Option<&str>,
    ) -> Option<usize> {
        let role_word = role_word.to_lowercase();
        let mut found = self.people.iter().enumerate().filter(|(_, p)| {
            p.party == party && p.active_on(date) && role_contains(&p.role, &role_word)
        });
        let (first, _) = found.next()?;
        found.next().is_none().then_some(first)
    }

    /// The party a single surface form stands for ("Kremlin" -> Russia).
    pub fn party_of_surface(&self, form: &str) -> Option<usize> {
        let spans = lookup_tokens(form);
        let first = spans.first()?;
        let entries = self.index.get(&form[first.0..first.1])?;
        entries.iter().find_map(|e| match e.target {
            EntryTarget::Party(p, _)
                if e.rest.len() + 1 == spans.len()
                    && e.rest
                        .iter()
                        .zip(&spans[1..])
                        .all(|(t, &(s, en))| t == &form[s..en]) =>
            {
                Some(p)
            }
            _ => None,
        })
    }

    /// Party mentions in `text`, in order, longest form first at each place.
    pub fn find_mentions(&self, text: &str) -> Vec<Mention> {
        self.scan(text).0
    }

    /// Mentions of known people (full names and aliases) in `text`.
    pub fn find_people(&self, text: &str) -> Vec<PersonMention> {
        self.scan(text).1
    }

    /// One pass over the text finding party and person mentions.
    pub fn scan(&self, text: &str) -> (Vec<Mention>, Vec<PersonMention>) {
        self.scan_tokens(text, &tokenize(text))
    }

    /// [`PartyDict::scan`] over tokens already made by [`tokenize`].
    pub fn scan_tokens(&self, text: &str, tokens: &[Token]) -> (Vec<Mention>, Vec<PersonMention>) {
        let mut parties = Vec::new();
        let mut people = Vec::new();
        let mut toks = LookupTokens::new(text, tokens);
        loop {
            toks.skip_non_keys(|b| self.may_start_key(b));
            let Some((s, e)) = toks.next() else { break };
            if !self.may_be_key(&text.as_bytes()[s..e]) {
                continue;
            }
            let Some(entries) = self.index.get(&text[s..e]) else {
                continue;
            };
            let Some((target, end, rest)) = Self::match_form(text, entries, e, &toks) else {
                continue;
            };
            record_found(target, s, end, &mut parties, &mut people);
            toks = rest;
        }
        (parties, people)
    }

    /// The first of `entries` (the forms starting with a word that ends at
    /// `end`) whose further words come next in `toks`: its target, the end
    /// of the form and the tokens after it.
    fn match_form<'t, 'a>(
        text: &str,
        entries: &[Entry],
        end: usize,
        toks: &LookupTokens<'t, 'a>,
    ) -> Option<(EntryTarget, usize, LookupTokens<'t, 'a>)> {
        // The word after the first is the same for every form: it is made
        // once, and most forms stop at it.
        let mut after_second = toks.clone();
        let second = after_second.next();
        entries.iter().find_map(|entry| {
            let Some((want, rest)) = entry.rest.split_first() else {
                return Some((entry.target, end, toks.clone()));
            };
            let (_, mut end) = second.filter(|&w| follows(text, end, w, want))?;
            let mut toks = after_second.clone();
            for want in rest {
                (_, end) = toks.next().filter(|&w| follows(text, end, w, want))?;
            }
            Some((entry.target, end, toks))
        })
    }
}

/// Adds a form found at `start..end` to the party or the person mentions.
fn record_found(
    target: EntryTarget,
    start: usize,
    end: usize,
    parties: &mut Vec<Mention>,
    people: &mut Vec<PersonMention>,
) {
    match target {
        EntryTarget::Party(party, kind) => parties.push(Mention {
            party,
            start,
            end,
            kind,
        }),
        EntryTarget::Person(person) => people.push(PersonMention { person, start, end }),
    }
}

/// Whether the word at `start..end` of `text` is `want` and follows a word
/// ending at `prev_end` in one form: only whitespace may separate them.
fn follows(text: &str, prev_end: usize, (start, end): (usize, usize), want: &str) -> bool {
    &text[start..end] == want && text[prev_end..start].trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_contains_matches_lowercasing_the_role() {
        let roles = [
            "Foreign Minister",
            "PRIME MINISTER",
            "Président",
            "",
            "Ministre d'État",
        ];
        let words = [
            "minister",
            "foreign",
            "prime minister",
            "",
            "président",
            "état",
            "x",
            "ministerx",
        ];
        for r in roles {
            for w in words {
                let w = w.to_lowercase();
                assert_eq!(
                    role_contains(r, &w),
                    r.to_lowercase().contains(&w),
                    "{r:?} {w:?}"
                );
            }
        }
    }

    const SMALL: &str = r#"
[[party]]
name = "United States"
code = "USA"
kind = "state"
aliases = ["US", "U.S.", "USA"]
demonyms = ["American", "Americans"]
metonyms = ["Washington", "White House", "State Department"]

[[party]]
name = "South Korea"
code = "KOR"
kind = "state"
aliases = ["Republic of Korea"]
demonyms = ["South Korean"]
metonyms = ["Seoul"]

[[party]]
name = "Korea"
code = "KOR2"
kind = "group"

[[party]]
name = "Russia"
code = "RUS"
kind = "state"
demonyms = ["Russian"]
metonyms = ["Moscow", "Kremlin"]

[[person]]
name = "Vladimir Putin"
party = "Russia"
role = "president"
gender = "m"
from = 2000-05-07
aliases = ["Putin"]
"#;

    fn small() -> PartyDict {
        PartyDict::from_toml_str(SMALL, "small.toml").unwrap()
    }

    fn names(d: &PartyDict, text: &str) -> Vec<(String, String)> {
        d.find_mentions(text)
            .into_iter()
            .map(|m| {
                (
                    d.party(m.party).name.clone(),
                    text[m.start..m.end].to_string(),
                )
            })
            .collect()
    }

    /// The lookup tokens as first written, with a byte loop for hyphens.
    fn lookup_tokens_by_bytes(text: &str, tokens: &[Token]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for &t in tokens {
            if t.kind == TokenKind::Punct {
                out.push((t.start, t.end));
                continue;
            }
            let mut end = t.end;
            for suffix in ["'s", "\u{2019}s"] {
                if t.text.ends_with(suffix) && t.text.len() > suffix.len() {
                    end -= suffix.len();
                    break;
                }
            }
            let mut s = t.start;
            for (i, &c) in text.as_bytes()[t.start..end].iter().enumerate() {
                if c == b'-' && i > 0 {
                    let abs = t.start + i;
                    if abs > s {
                        out.push((s, abs));
                    }
                    out.push((abs, abs + 1));
                    s = abs + 1;
                }
            }
            if end > s {
                out.push((s, end));
            }
        }
        out
    }

    /// The scan as first written, over a vector of all the lookup tokens.
    fn scan_by_vector(d: &PartyDict, text: &str) -> (Vec<Mention>, Vec<PersonMention>) {
        let toks = lookup_tokens_by_bytes(text, &tokenize(text));
        let (mut parties, mut people) = (Vec::new(), Vec::new());
        let mut i = 0;
        while i < toks.len() {
            let (s, e) = toks[i];
            let Some(entries) = d.index.get(&text[s..e]) else {
                i += 1;
                continue;
            };
            let mut matched = None;
            for entry in entries {
                let n = entry.rest.len();
                if i + n >= toks.len() {
                    continue;
                }
                let mut ok = true;
                let mut prev_end = e;
                for (k, want) in entry.rest.iter().enumerate() {
                    let (ts, te) = toks[i + 1 + k];
                    if &text[ts..te] != want || !text[prev_end..ts].trim().is_empty() {
                        ok = false;
                        break;
                    }
                    prev_end = te;
                }
                if ok {
                    matched = Some((entry.target, n, prev_end));
                    break;
                }
            }
            let Some((target, n, end)) = matched else {
                i += 1;
                continue;
            };
            record_found(target, s, end, &mut parties, &mut people);
            i += n + 1;
        }
        (parties, people)
    }

    #[test]
    fn hyphens_are_found_wherever_they_sit_in_a_word() {
        for len in 1..=12 {
            for at in 0..len {
                let mut word = vec![b'a'; len];
                word[at] = b'-';
                let word = String::from_utf8(word).unwrap();
                for text in [
                    format!("x {word}"),
                    word.clone(),
                    format!("{word} and some more text"),
                    format!("{word}'s"),
                    format!("{word}\u{2019}s and more"),
                    format!("{word}-b"),
                    format!("{word}--b's c"),
                ] {
                    let toks = tokenize(&text);
                    assert_eq!(
                        LookupTokens::new(&text, &toks).collect::<Vec<_>>(),
                        lookup_tokens_by_bytes(&text, &toks),
                        "{text:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn scanning_token_by_token_finds_what_scanning_all_lookup_tokens_found() {
        let small = small();
        let tricky = [
            "US-Russia's talks, the White House\u{2019}s view and the White-House line",
            "State  Department, State\nDepartment, State - Department, State-Department",
            "Vladimir Putin's aide met Vladimir-Putin fans; Putin\u{2019}s -Russia Russia- US--Russia",
            "the Republic of Korea's envoy, South Korean-American ties, South-Korea",
            "U.S.-Russian, U.S.'s, US's, 's US-'s Kremlin's",
            "pro-Russia, ex-Kremlin\u{2019}s view, non-US-led, anti-White House, x-South Korea",
            "ends with South",
            "ends with the White House",
            "ends with Republic of",
            "",
            "-",
            "Russia",
        ];
        for d in [&small, PartyDict::embedded()] {
            for text in tricky {
                assert_eq!(d.scan(text), scan_by_vector(d, text), "{text:?}");
            }
        }
        for entry in std::fs::read_dir("tests/articles").unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            let d = PartyDict::embedded();
            assert_eq!(d.scan(&text), scan_by_vector(d, &text));
        }
    }

    #[test]
    fn longest_form_wins_and_case_matters() {
        let d = small();
        assert_eq!(
            names(&d, "South Korea and us, the US"),
            vec![
                ("South Korea".into(), "South Korea".into()),
                ("United States".into(), "US".into())
            ]
        );
    }

    #[test]
    fn possessives_and_hyphenated_compounds_are_found() {
        let d = small();
        assert_eq!(
            names(
                &d,
                "Russia's plan, a US-Russian deal, the Kremlin\u{2019}s view"
            ),
            vec![
                ("Russia".into(), "Russia".into()),
                ("United States".into(), "US".into()),
                ("Russia".into(), "Russian".into()),
                ("Russia".into(), "Kremlin".into())
            ]
        );
    }

    #[test]
    fn dotted_aliases_and_multiword_metonyms_match() {
        let d = small();
        assert_eq!(
            names(&d, "The U.S. State Department said."),
            vec![
                ("United States".into(), "U.S.".into()),
                ("United States".into(), "State Department".into())
            ]
        );
        assert!(names(&d, "Washingtonian Prussia").is_empty());
    }

    #[test]
    fn people_are_found_and_dated() {
        let d = small();
        let p = d.find_people("Vladimir Putin met Putin.");
        assert_eq!(p.len(), 2);
        assert_eq!(d.lookup_person("Putin", Some("2025-01-01")), Some(0));
        assert_eq!(d.lookup_person("Putin", Some("1990-01-01")), Some(0));
        assert!(!d.person(0).active_on(Some("1990-01-01")));
    }

    #[test]
    fn duplicate_party_name_is_an_error_naming_the_file() {
        let src = "[[party]]\nname = \"A\"\nkind = \"state\"\n[[party]]\nname = \"A\"\nkind = \"state\"\n";
        let err = PartyDict::from_toml_str(src, "dup.toml")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("dup.toml") && err.contains("duplicate"),
            "{err}"
        );
    }

    #[test]
    fn bad_kind_is_an_error_with_line_number() {
        let src = "[[party]]\nname = \"A\"\nkind = \"planet\"\n";
        let err = PartyDict::from_toml_str(src, "bad.toml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("bad.toml:"), "{err}");
    }

    #[test]
    fn duplicate_alias_across_parties_and_empty_alias_are_warnings() {
        let src = "[[party]]\nname = \"A\"\nkind = \"state\"\naliases = [\"X\", \"\"]\n[[party]]\nname = \"B\"\nkind = \"state\"\naliases = [\"X\"]\n[[person]]\nname = \"Q\"\nparty = \"Nowhere\"\n";
        let d = PartyDict::from_toml_str(src, "w.toml").unwrap();
        assert_eq!(d.warnings.len(), 3, "{:?}", d.warnings);
        assert_eq!(names(&d, "X"), vec![("A".into(), "X".into())]);
    }

    #[test]
    fn embedded_dictionary_loads() {
        let d = PartyDict::embedded();
        assert!(!d.parties().is_empty());
    }

    #[test]
    fn embedded_dictionary_is_the_one_the_toml_file_gives() {
        let from_toml = PartyDict::from_toml_str(
            include_str!("../models/parties.toml"),
            "models/parties.toml",
        )
        .unwrap();
        assert!(
            !include_str!(concat!(env!("OUT_DIR"), "/parties.json")).is_empty(),
            "the build step converts the shipped dictionary"
        );
        // The maps' iteration order depends on their insertion history, so
        // they are compared as sorted (key, value) lists.
        fn sorted<V: std::fmt::Debug>(m: &FastMap<String, V>) -> Vec<(String, String)> {
            let mut v: Vec<(String, String)> = m
                .iter()
                .map(|(k, v)| (k.clone(), format!("{v:?}")))
                .collect();
            v.sort();
            v
        }
        let canonical = |d: &PartyDict| {
            (
                format!(
                    "{:?} {:?} {:?} {:?}",
                    d.parties, d.people, d.key_shapes, d.warnings
                ),
                sorted(&d.index),
                sorted(&d.party_by_name),
                sorted(&d.person_by_name),
                sorted(&d.by_surname),
            )
        };
        assert!(canonical(PartyDict::embedded()) == canonical(&from_toml));
    }
}
