//! Who a noun phrase is: the article's register of the people it introduces
//! (with the party their description gives), and the resolution of names,
//! surnames, pronouns and role nouns to them.

use super::lexicon::*;
use super::*;

/// A resolved speaker.
#[derive(Debug, Clone)]
pub(crate) struct Speaker {
    pub name: Option<String>,
    pub party: Option<usize>,
    pub gender: Option<Gender>,
    pub is_person: bool,
    pub role: Option<String>,
}

impl Speaker {
    /// A source that is no person: an outlet, a document, a body.
    pub(crate) fn source(name: String, party: Option<usize>) -> Speaker {
        Speaker {
            name: Some(name),
            party,
            gender: None,
            is_person: false,
            role: None,
        }
    }

    /// A person of the party dictionary, as the dictionary describes them.
    fn known(p: &crate::parties::Person) -> Speaker {
        Speaker {
            name: Some(p.name.clone()),
            party: Some(p.party),
            gender: p.gender,
            is_person: true,
            role: Some(p.role.to_lowercase()),
        }
    }
}

/// Somebody introduced in the article ("Chinese Foreign Minister Wang Yi").
#[derive(Debug, Clone)]
struct PersonInfo {
    pos: usize,
    name: String,
    party: Option<usize>,
    gender: Option<Gender>,
    role: Option<String>,
}

pub(crate) struct Resolver<'d, 'a> {
    pub doc: &'d Doc<'a>,
    persons: Vec<PersonInfo>,
    /// Name word -> indices into `persons` (ascending position).
    by_word: FastMap<String, Vec<usize>>,
    /// Speakers attributed so far, in text order.
    pub history: Vec<Speaker>,
}

impl<'d, 'a> Resolver<'d, 'a> {
    /// Builds the registry of people introduced in the content paragraphs.
    /// Photo captions ("South Africa's Foreign Minister Sipho Ndlovu.(AFP)")
    /// are never quoted, but they describe people: a caption gives the
    /// party of somebody the content names without one.
    pub fn new(
        doc: &'d Doc<'a>,
        paragraphs: &[(usize, usize)],
        captions: &[(usize, usize)],
    ) -> Self {
        let mut r = Resolver {
            doc,
            persons: Vec::new(),
            by_word: FastMap::default(),
            history: Vec::new(),
        };
        for &(ps, pe) in paragraphs {
            scan_people(doc, ps, pe, &mut |p| {
                r.register(p.np, p.name, p.known, p.described, p.pos)
            });
        }
        for &(ps, pe) in captions {
            scan_people(doc, ps, pe, &mut |c| {
                let shown = c.known.map_or(c.name, |k| doc.dict.person(k).name.as_str());
                if let Some(p) = r.persons.iter_mut().find(|p| p.name == shown) {
                    p.party = p.party.or(c.described);
                }
            });
        }
        r
    }

    /// `known` is the dictionary's [`PartyDict::person_by_name`] for `name`,
    /// which the caller has already looked up.
    /// `described` is the party the article's description of the person
    /// names, which wins over the dictionary's.
    fn register(
        &mut self,
        np: &Np,
        name: &str,
        known: Option<usize>,
        described: Option<usize>,
        pos: usize,
    ) {
        let dict = self.doc.dict;
        let known = known.map(|k| dict.person(dict.person_on(k, self.doc.date)));
        // Most mentions repeat somebody already registered: the strings are
        // made only once that is ruled out.
        let shown = known.map_or(name, |p| p.name.as_str());
        // Somebody met again: a later description may say what the first
        // did not.
        if let Some(p) = self
            .persons
            .iter_mut()
            .rev()
            .take(50)
            .find(|p| p.name == shown)
        {
            p.party = p.party.or(described);
            return;
        }
        let (name, party, gender, role) = match known {
            Some(p) => (
                p.name.clone(),
                described.or(Some(p.party)),
                p.gender,
                Some(p.role.to_lowercase()),
            ),
            None => (
                name.to_string(),
                described.or(np.party),
                np.gender,
                np.role.clone(),
            ),
        };
        let idx = self.persons.len();
        for word in name.split_whitespace() {
            // Allocate a key only for a word not seen before.
            match self.by_word.get_mut(word) {
                Some(v) => v.push(idx),
                None => {
                    self.by_word.insert(word.to_string(), vec![idx]);
                }
            }
        }
        self.persons.push(PersonInfo {
            pos,
            name,
            party,
            gender,
            role,
        });
    }

    /// The party of a known-person mention; a bare surname goes to whoever
    /// the article introduced with it ("Castillo" after "Rommel Castillo"),
    /// which may be nobody known.
    pub fn person_party(&self, m: &PersonMention) -> Option<usize> {
        let dict = self.doc.dict;
        let person = dict.person(dict.person_on(m.person, self.doc.date));
        let surface = &self.doc.text[m.start..m.end];
        if !person.is_written_in_full(surface) {
            if let Some(p) = self.introduced(surface, m.start) {
                if p.name != person.name {
                    return p.party;
                }
            }
        }
        Some(person.party)
    }

    /// The latest person introduced before `pos` with `word` in their name.
    fn introduced(&self, word: &str, pos: usize) -> Option<&PersonInfo> {
        let v = self.by_word.get(word)?;
        let k = v.partition_point(|&i| self.persons[i].pos < pos);
        if k > 0 {
            return Some(&self.persons[v[k - 1]]);
        }
        // A name used before its full form (headlines, leads): take the
        // first full form if it is the only one.
        (v.len() == 1).then(|| &self.persons[v[0]])
    }

    /// The party of somebody introduced before `pos` whose name contains
    /// `word` ("Wang" after "Wang Yi").
    pub fn party_of_name(&self, word: &str, pos: usize) -> Option<usize> {
        let v = self.by_word.get(word)?;
        let k = v.partition_point(|&i| self.persons[i].pos <= pos);
        (k > 0).then(|| self.persons[v[k - 1]].party).flatten()
    }

    /// Turns a noun phrase into a speaker; None for outlets and for phrases
    /// that cannot speak.
    pub fn resolve(&mut self, np: &Np, pos: usize) -> Option<Speaker> {
        let doc = self.doc;
        let dict = doc.dict;
        match &np.kind {
            NpKind::Outlet { .. } => None,
            NpKind::Person { name } => {
                // What the article said of this person wins over the
                // dictionary.
                if let Some(p) = name
                    .split_whitespace()
                    .last()
                    .and_then(|last| self.introduced(last, pos))
                    .filter(|p| p.name == *name && p.party.is_some())
                {
                    return Some(Speaker {
                        name: Some(p.name.clone()),
                        party: p.party,
                        gender: p.gender.or(np.gender),
                        is_person: true,
                        role: p.role.clone().or(np.role.clone()),
                    });
                }
                if let Some(k) = dict.person_by_name(name) {
                    let p = dict.person(dict.person_on(k, doc.date));
                    return Some(Speaker::known(p));
                }
                let single = !name.contains(' ');
                if single {
                    if let Some(p) = self.introduced(name, pos) {
                        return Some(Speaker {
                            name: Some(p.name.clone()),
                            party: p.party.or(np.party),
                            gender: p.gender.or(np.gender),
                            is_person: true,
                            role: p.role.clone().or(np.role.clone()),
                        });
                    }
                    if let Some(k) = dict.lookup_person(name, doc.date) {
                        let p = dict.person(k);
                        return Some(Speaker::known(p));
                    }
                } else if let Some(p) = self.introduced(name.split_whitespace().last()?, pos) {
                    if p.name == *name {
                        return Some(Speaker {
                            name: Some(p.name.clone()),
                            party: np.party.or(p.party),
                            gender: p.gender.or(np.gender),
                            is_person: true,
                            role: np.role.clone().or(p.role.clone()),
                        });
                    }
                }
                Some(Speaker {
                    name: Some(name.clone()),
                    party: np.party,
                    gender: np.gender,
                    is_person: true,
                    role: np.role.clone(),
                })
            }
            NpKind::Pronoun(g) => self
                .history
                .iter()
                .rev()
                .take(30)
                .find(|s| s.is_person && s.name.is_some() && compatible(s.gender, *g))
                .cloned(),
            // Only the source just before, in this or the last sentences:
            // "it" reaches no further back in news copy.
            NpKind::NonPersonPronoun => self
                .history
                .last()
                .filter(|s| !s.is_person && s.name.is_some())
                .cloned(),
            NpKind::Institution { surface } => Some(Speaker {
                name: Some(surface.clone()),
                party: np.party,
                gender: None,
                is_person: false,
                role: None,
            }),
            NpKind::Role {
                head,
                class,
                phrase,
            } => match class {
                // "officials", "Russian diplomats": the phrase is the
                // source, with the party it names.
                RoleClass::Group => Some(Speaker {
                    name: Some(phrase.clone()),
                    party: np.party,
                    gender: None,
                    is_person: false,
                    role: None,
                }),
                RoleClass::Institution => Some(Speaker {
                    name: Some(phrase.clone()),
                    party: np.party,
                    gender: None,
                    is_person: false,
                    role: None,
                }),
                RoleClass::Person => self.resolve_role(np, head, phrase, pos),
            },
        }
    }

    fn resolve_role(&self, np: &Np, head: &str, phrase: &str, pos: usize) -> Option<Speaker> {
        let dict = self.doc.dict;
        let role = np.role.clone().unwrap_or_else(|| head.to_string());
        let gender = np.gender.or(match head {
            "spokeswoman" | "queen" | "chairwoman" => Some(Gender::F),
            "spokesman" | "king" | "prince" | "chairman" | "emir" => Some(Gender::M),
            _ => None,
        });
        let fits = |s: &Speaker| {
            s.is_person
                && s.name.is_some()
                && compatible(s.gender, gender)
                && np.party.is_none_or(|p| s.party == Some(p))
                && s.role.as_deref().is_some_and(|r| r.contains(head))
        };
        // The most recent speaker in that role.
        if let Some(s) = self.history.iter().rev().take(30).find(|s| fits(s)) {
            return Some(s.clone());
        }
        // Somebody introduced earlier with that party and role.
        if let Some(p) = self.persons.iter().rev().find(|p| {
            p.pos < pos
                && np.party.is_some()
                && p.party == np.party
                && p.role.as_deref().is_some_and(|r| r.contains(head))
        }) {
            return Some(Speaker {
                name: Some(p.name.clone()),
                party: p.party,
                gender: p.gender,
                is_person: true,
                role: p.role.clone(),
            });
        }
        if let Some(party) = np.party {
            if let Some(k) = dict
                .person_with_role(party, &role, self.doc.date)
                .or_else(|| dict.person_with_role(party, head, self.doc.date))
            {
                let p = dict.person(k);
                return Some(Speaker::known(p));
            }
            // "a Kremlin spokesman": unnamed, but the party is known.
            return Some(Speaker {
                name: Some(phrase.to_string()),
                party: Some(party),
                gender,
                is_person: false,
                role: Some(role),
            });
        }
        // "the minister": the latest speaker who fits, ignoring role words;
        // with nobody before, the role itself is the unnamed source.
        self.history
            .iter()
            .rev()
            .take(30)
            .find(|s| s.is_person && s.name.is_some() && compatible(s.gender, gender))
            .cloned()
            .or_else(|| {
                Some(Speaker {
                    name: Some(phrase.to_string()),
                    party: None,
                    gender,
                    is_person: false,
                    role: Some(role),
                })
            })
    }
}

fn compatible(a: Option<Gender>, b: Option<Gender>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    }
}

/// A person named in full (or known to the dictionary) somewhere in the
/// article.
struct Introduced<'n> {
    np: &'n Np,
    name: &'n str,
    /// The dictionary's person of that name.
    known: Option<usize>,
    /// The party the description around the name gives.
    described: Option<usize>,
    pos: usize,
}

/// Calls `found` for every person named in full (or known to the
/// dictionary) in the byte range `ps..pe`.
fn scan_people(doc: &Doc, ps: usize, pe: usize, found: &mut dyn FnMut(Introduced)) {
    let w = doc.window(ps, pe);
    let mut i = 0;
    while i < w.len() {
        // The cheap test first.
        if !is_cap(w[i].text) || !np_token(doc, &w, i) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < w.len() && np_token(doc, &w, j) && j - i < 12 {
            j += 1;
        }
        // Only runs that can hold a full name are worth classifying: a
        // known person, or two adjacent capitalised non-party words.
        let plain_cap = |k: usize| {
            is_cap(w[k].text) && doc.mention_of(&w[k]).is_none() && !is_acronym(w[k].text)
        };
        let worth = (i..j).any(|k| doc.person_of(&w[k]).is_some())
            || (i..j).filter(|&k| plain_cap(k)).take(2).count() >= 2;
        if worth {
            if let Some(np) = classify(doc, &w, i, j) {
                if let NpKind::Person { name } = &np.kind {
                    let known = doc.dict.person_by_name(name);
                    if name.contains(' ') || known.is_some() {
                        let described = introductions::described_party(doc, &w, np.first, j);
                        found(Introduced {
                            np: &np,
                            name,
                            known,
                            described,
                            pos: w[np.first].start,
                        });
                    }
                }
            }
        }
        i = j;
    }
}
