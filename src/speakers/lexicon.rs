//! The word lists attribution reads news English with (cue verbs, titles,
//! roles, determiners, particles), and the per-token facts looked up in
//! them once per article.

use std::borrow::Cow;
use std::sync::OnceLock;

use super::outlets::MEDIUM_WORDS;
use crate::text::{ascii_upper_bytes, block_has_non_ascii, TokenKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cue {
    /// A verb of saying; `strong` ones take a clause without "that".
    Speech { strong: bool },
    /// "cited X as saying", "quoted X as saying".
    Cite,
    /// Evaluative verbs that introduce partial quotes ("branded", "called").
    Eval,
    /// "according to".
    According,
    /// "reported": the subject is an outlet.
    Report,
}

/// Verbs of saying that take a reported clause without "that".
pub(super) const STRONG_SPEECH: &[&str] = &[
    "said",
    "says",
    "say",
    "told",
    "tells",
    "added",
    "adds",
    "adding",
    "stressed",
    "stresses",
    "warned",
    "warns",
    "reiterated",
    "reiterates",
    "insisted",
    "insists",
    "argued",
    "argues",
    "claimed",
    "claims",
    "noted",
    "notes",
    "emphasized",
    "emphasised",
    "emphasizes",
    "emphasises",
    "underlined",
    "underscored",
    "asserted",
    "asserts",
    "stated",
    "states",
    "saying",
    "telling",
    "insisting",
    "warning",
    "stressing",
    "noting",
    "arguing",
    "wrote",
    "writes",
    "believes",
    "maintained",
    "maintains",
    "affirmed",
    "reaffirmed",
    "explained",
    "explains",
    "declared",
    "declares",
    "cautioned",
    "contended",
    "predicted",
    "complained",
    "countered",
    "conceded",
    "acknowledged",
    "admitted",
    "remarked",
    "replied",
    "responded",
    "recalled",
    "observed",
    "concluded",
    "pointed",
    // Documents speak too: "the letter reads".
    "reads",
    "asked",
    "asks",
];

/// Verbs of saying that need "that" before a reported clause.
pub(super) const WEAK_SPEECH: &[&str] = &[
    "announced",
    "announces",
    "confirmed",
    "confirms",
    "suggested",
    "suggests",
    "denied",
    "denies",
    "alleged",
    "alleges",
    "vowed",
    "vows",
    "pledged",
    "promised",
    "signalled",
    "signaled",
    "indicated",
    "hinted",
    "asked",
    "asks",
    "urged",
    "urges",
    "posted",
    "tweeted",
    "commented",
    "continued",
];

pub(super) const CITE: &[&str] = &["cited", "quoted", "quoting", "citing"];

pub(super) const ACCORDING: &[&str] = &["according", "According"];

pub(super) const REPORT: &[&str] = &["reported", "reports"];

pub(super) const EVAL: &[&str] = &[
    "branded",
    "called",
    "calls",
    "described",
    "describes",
    "dubbed",
    "labelled",
    "labeled",
    "termed",
    "expressed",
    "expresses",
    "hailed",
    "praised",
    "criticised",
    "criticized",
    "condemned",
    "slammed",
    "denounced",
    "dismissed",
    "accused",
    "blasted",
    "lauded",
    "welcomed",
    "decried",
    "voiced",
    "spoke",
    "referred",
    "characterised",
    "characterized",
    "likened",
    "touted",
    "promoted",
    "mocked",
    "ridiculed",
    "rejected",
    "demanded",
];

/// Words between a subject and its cue verb ("Wang also said", "has repeatedly
/// warned").
pub(super) const ADVERBS_AND_AUX: &[&str] = &[
    "also",
    "later",
    "then",
    "further",
    "has",
    "had",
    "have",
    "was",
    "were",
    "is",
    "previously",
    "again",
    "earlier",
    "recently",
    "repeatedly",
    "once",
    "reportedly",
    "publicly",
    "separately",
    "still",
    "would",
    "will",
    "just",
    "today",
    "yesterday",
    "meanwhile",
    "however",
    "never",
    "often",
    "bluntly",
    "firmly",
    "flatly",
    "openly",
    "privately",
    "subsequently",
    "already",
    "once again",
    "had also",
    "has also",
    "angrily",
    "sharply",
    "explicitly",
    "directly",
    "curtly",
    "simply",
    "tersely",
    "told",
];

pub(super) const WEEKDAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

pub(super) const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Words that make up titles and roles ("Foreign Minister", "top diplomat"),
/// lower-case.
pub(super) const TITLE_WORDS: &[&str] = &[
    "president",
    "vice",
    "commodore",
    "brigadier",
    "marshal",
    "rear",
    "prime",
    "minister",
    "foreign",
    "defence",
    "defense",
    "secretary",
    "general",
    "secretary-general",
    "state",
    "chancellor",
    "premier",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "ambassador",
    "envoy",
    "special",
    "representative",
    "senator",
    "sen",
    "rep",
    "congressman",
    "congresswoman",
    "governor",
    "gov",
    "mayor",
    "king",
    "queen",
    "prince",
    "princess",
    "crown",
    "emir",
    "sultan",
    "supreme",
    "leader",
    "chairman",
    "chairwoman",
    "chair",
    "commissioner",
    "high",
    "chief",
    "commander",
    "gen",
    "admiral",
    "adm",
    "colonel",
    "col",
    "lieutenant",
    "lt",
    "major",
    "maj",
    "captain",
    "capt",
    "sergeant",
    "director",
    "deputy",
    "head",
    "speaker",
    "pope",
    "cardinal",
    "archbishop",
    "patriarch",
    "rev",
    "reverend",
    "rabbi",
    "imam",
    "pastor",
    "bishop",
    "sheikh",
    "ayatollah",
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "prof",
    "professor",
    "judge",
    "justice",
    "attorney",
    "economy",
    "finance",
    "interior",
    "trade",
    "energy",
    "health",
    "commerce",
    "treasury",
    "security",
    "national",
    "adviser",
    "advisor",
    "counselor",
    "counsellor",
    "top",
    "senior",
    "former",
    "acting",
    "interim",
    "opposition",
    "press",
    "affairs",
    "external",
    "home",
    "agriculture",
    "culture",
    "education",
    "labour",
    "labor",
    "environment",
    "transport",
    "development",
    "emergency",
    "president-elect",
    "diplomat",
    "official",
    "negotiator",
    "aide",
    "presidential",
    "first",
    "lady",
    "lord",
    "sir",
    "dame",
    "executive",
    "ceo",
    "founder",
    "military",
    "intelligence",
    "ex",
    "outgoing",
    "incoming",
    "veteran",
    "army",
    "navy",
    "staff",
    "cabinet",
    "white",
    "house",
    "chief-of-staff",
    "assistant",
    "undersecretary",
    "under-secretary",
    "permanent",
    "delegate",
    "delegation",
    "spy",
    "defence-minister",
    "elect",
    "mission",
    "un",
    "parliamentary",
    "lawmaker",
    "legislator",
    "member",
    "party",
    "state-run",
    "government",
    "ministry",
    "department",
    "office",
    "spokespeople",
    "de",
    "facto",
];

/// Heads of noun phrases that name one speaking person by role, lower-case.
pub(super) const PERSON_ROLES: &[&str] = &[
    "minister",
    "president",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "diplomat",
    "ambassador",
    "envoy",
    "official",
    "leader",
    "premier",
    "chancellor",
    "secretary",
    "chief",
    "commander",
    "general",
    "negotiator",
    "aide",
    "adviser",
    "advisor",
    "representative",
    "senator",
    "governor",
    "mayor",
    "king",
    "head",
    "director",
    "chairman",
    "chairwoman",
    "lawmaker",
    "legislator",
    "source",
    "officer",
    "prosecutor",
    "judge",
    "emir",
    "prince",
    "queen",
    "pope",
    "secretary-general",
    "commissioner",
    "counterpart",
    "deputy",
];

pub(super) const GROUP_ROLES: &[&str] = &[
    "officials",
    "members",
    "leaders",
    "diplomats",
    "sources",
    "authorities",
    "lawmakers",
    "allies",
    "ministers",
    "negotiators",
    "officers",
    "spokespeople",
    "representatives",
    "governments",
    "states",
    "nations",
    "countries",
];

pub(super) const INSTITUTION_ROLES: &[&str] = &[
    "ministry",
    "department",
    "office",
    "government",
    "embassy",
    "military",
    "army",
    "mission",
    "council",
    "commission",
    "parliament",
    "administration",
    "cabinet",
    "presidency",
    "service",
    "command",
    "committee",
    "secretariat",
    "court",
    "junta",
    "regime",
    "navy",
    "forces",
    "spokesperson's",
    "alliance",
    "bloc",
    "delegation",
];

/// Lower-case.
pub(super) const DETERMINERS: &[&str] = &[
    "the", "a", "an", "its", "his", "her", "their", "this", "that", "another",
];

/// Name particles ("Osama bin Laden", "Ursula von der Leyen").
pub(super) const PARTICLES: &[&str] = &[
    "bin", "al", "de", "da", "van", "von", "der", "di", "la", "le", "du", "ibn", "dos", "del", "el",
];

/// Lower-case words that, like titles, can stand inside a speaker phrase
/// ("state news agency", "government official").
pub(super) const PHRASE_WORDS: &[&str] = &[
    "state",
    "news",
    "public",
    "official",
    "government",
    "social",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RoleClass {
    Person,
    Group,
    Institution,
}

/// Which of the word lists above hold a word, exactly as written.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct WordFacts {
    pub(super) cue: Option<Cue>,
    pub(super) role: Option<RoleClass>,
    pub(super) adverb_or_aux: bool,
    pub(super) weekday: bool,
    pub(super) month: bool,
    pub(super) title: bool,
    pub(super) determiner: bool,
    pub(super) particle: bool,
    pub(super) phrase_word: bool,
    pub(super) medium: bool,
}

/// The word lists as one table, open addressing over a hash of the first
/// and last bytes of a word: cheaper than a general-purpose hash map for the
/// short words asked about here, and asked about every token of an article.
pub(super) struct Lexicon {
    /// By hash slot (0: empty), one more than an index into `entries` in
    /// the low 16 bits and a tag from the word's hash in the high ones. A
    /// power of two, less than half full, and small enough to stay in the
    /// fastest cache: most words asked about are in no list and, thanks to
    /// the tag, are turned away here without reading an entry.
    pub(super) slots: Vec<u32>,
    pub(super) entries: Vec<LexEntry>,
    /// For each first byte, a bit per length in bytes of the words starting
    /// with it (lengths of 31 and more share the last bit): many words of a
    /// text are in no list and are turned away without hashing.
    pub(super) shapes: [u32; 256],
}

pub(super) struct LexEntry {
    pub(super) word: &'static [u8],
    pub(super) key: (u64, u64),
    pub(super) facts: WordFacts,
}

/// The first and last (up to) eight bytes of a word, packed: for a word of
/// at most 16 bytes they hold all of it, so that equal keys and lengths mean
/// equal words.
pub(super) fn lex_key(w: &[u8]) -> (u64, u64) {
    let n = w.len();
    if n >= 8 {
        let head: [u8; 8] = w[..8].try_into().expect("8 bytes");
        let tail: [u8; 8] = w[n - 8..].try_into().expect("8 bytes");
        (u64::from_le_bytes(head), u64::from_le_bytes(tail))
    } else if n >= 4 {
        let head: [u8; 4] = w[..4].try_into().expect("4 bytes");
        let tail: [u8; 4] = w[n - 4..].try_into().expect("4 bytes");
        (
            u32::from_le_bytes(head) as u64,
            u32::from_le_bytes(tail) as u64,
        )
    } else {
        (w.iter().fold(0, |h, &b| h << 8 | b as u64), 0)
    }
}

impl Lexicon {
    pub(super) fn get() -> &'static Lexicon {
        static LEXICON: OnceLock<Lexicon> = OnceLock::new();
        LEXICON.get_or_init(Lexicon::build)
    }

    pub(super) fn build() -> Lexicon {
        let mut merged: Vec<(&'static str, WordFacts)> = Vec::new();
        let mut mark = |words: &[&'static str], set: &dyn Fn(&mut WordFacts)| {
            for &w in words {
                let i = match merged.iter().position(|(m, _)| *m == w) {
                    Some(i) => i,
                    None => {
                        merged.push((w, WordFacts::default()));
                        merged.len() - 1
                    }
                };
                set(&mut merged[i].1);
            }
        };
        let strong = Cue::Speech { strong: true };
        let weak = Cue::Speech { strong: false };
        // A word in two cue or role lists keeps the first.
        mark(STRONG_SPEECH, &|f| f.cue = f.cue.or(Some(strong)));
        mark(WEAK_SPEECH, &|f| f.cue = f.cue.or(Some(weak)));
        mark(CITE, &|f| f.cue = f.cue.or(Some(Cue::Cite)));
        mark(ACCORDING, &|f| f.cue = f.cue.or(Some(Cue::According)));
        mark(REPORT, &|f| f.cue = f.cue.or(Some(Cue::Report)));
        mark(EVAL, &|f| f.cue = f.cue.or(Some(Cue::Eval)));
        mark(PERSON_ROLES, &|f| {
            f.role = f.role.or(Some(RoleClass::Person))
        });
        mark(GROUP_ROLES, &|f| f.role = f.role.or(Some(RoleClass::Group)));
        mark(INSTITUTION_ROLES, &|f| {
            f.role = f.role.or(Some(RoleClass::Institution))
        });
        mark(ADVERBS_AND_AUX, &|f| f.adverb_or_aux = true);
        mark(WEEKDAYS, &|f| f.weekday = true);
        mark(MONTHS, &|f| f.month = true);
        mark(TITLE_WORDS, &|f| f.title = true);
        mark(DETERMINERS, &|f| f.determiner = true);
        mark(PARTICLES, &|f| f.particle = true);
        mark(PHRASE_WORDS, &|f| f.phrase_word = true);
        mark(MEDIUM_WORDS, &|f| f.medium = true);
        let size = (merged.len() * 2 + 1).next_power_of_two();
        let mut lexicon = Lexicon {
            slots: vec![0; size],
            entries: Vec::with_capacity(merged.len()),
            shapes: [0; 256],
        };
        for (w, facts) in merged {
            let w = w.as_bytes();
            let key = lex_key(w);
            let (slot, tag) = Lexicon::slot(w.len(), key);
            let mut i = slot & (size - 1);
            while lexicon.slots[i] != 0 {
                i = (i + 1) & (size - 1);
            }
            lexicon.entries.push(LexEntry {
                word: w,
                key,
                facts,
            });
            let index = u16::try_from(lexicon.entries.len()).expect("a few hundred words");
            lexicon.slots[i] = (tag as u32) << 16 | index as u32;
            lexicon.shapes[w[0] as usize] |= 1 << w.len().min(31);
        }
        lexicon
    }

    /// Where to start probing for a word, and its tag (other bits of the
    /// same hash).
    pub(super) fn slot(len: usize, (head, tail): (u64, u64)) -> (usize, u16) {
        let h = (head ^ tail.rotate_left(29) ^ len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        ((h >> 40) as usize, (h >> 24) as u16)
    }

    pub(super) fn lookup(&self, w: &[u8]) -> WordFacts {
        let listed = w
            .first()
            .is_some_and(|&b| self.shapes[b as usize] >> w.len().min(31) & 1 == 1);
        if !listed {
            return WordFacts::default();
        }
        let key = lex_key(w);
        let mask = self.slots.len() - 1;
        let (slot, tag) = Lexicon::slot(w.len(), key);
        let mut i = slot & mask;
        while self.slots[i] != 0 {
            if (self.slots[i] >> 16) as u16 == tag {
                let e = &self.entries[(self.slots[i] & 0xFFFF) as usize - 1];
                if e.key == key && e.word.len() == w.len() && (w.len() <= 16 || e.word == w) {
                    return e.facts;
                }
            }
            i = (i + 1) & mask;
        }
        WordFacts::default()
    }
}

/// Looks a word up in every list at once.
pub(super) fn word_facts(word: &str) -> WordFacts {
    Lexicon::get().lookup(word.as_bytes())
}

pub(super) fn role_head(lower: &str) -> Option<RoleClass> {
    word_facts(lower).role
}

/// Capitalised words that are not names (sentence openers, institutions,
/// places).
pub(crate) fn is_non_name(w: &str) -> bool {
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
            | "Or"
            | "If"
            | "As"
            | "It"
            | "He"
            | "She"
            | "They"
            | "We"
            | "I"
            | "This"
            | "That"
            | "These"
            | "Those"
            | "His"
            | "Her"
            | "Its"
            | "Their"
            | "Our"
            | "After"
            | "Before"
            | "While"
            | "When"
            | "Since"
            | "For"
            | "With"
            | "From"
            | "By"
            | "To"
            | "Of"
            | "Also"
            | "Council"
            | "Security"
            | "Ministry"
            | "Department"
            | "Agency"
            | "News"
            | "Union"
            | "Party"
            | "Republic"
            | "Organization"
            | "Organisation"
            | "Assembly"
            | "Parliament"
            | "Congress"
            | "Senate"
            | "House"
            | "Court"
            | "Bank"
            | "Fund"
            | "Forces"
            | "Army"
            | "Navy"
            | "Force"
            | "Command"
            | "Office"
            | "Committee"
            | "Commission"
            | "Summit"
            | "Forum"
            | "Day"
            | "War"
            | "World"
            | "Global"
            | "South"
            | "North"
            | "East"
            | "West"
            | "Western"
            | "Eastern"
            | "Northern"
            | "Southern"
            | "Central"
            | "International"
            | "National"
            | "United"
            | "States"
            | "Nations"
            | "Kingdom"
            | "Federation"
            | "State"
            | "Islamic"
            | "Democratic"
            | "Times"
            | "Post"
            | "Journal"
            | "Daily"
            | "Press"
            | "TV"
            | "Television"
            | "Radio"
            | "Group"
            | "Media"
            | "Novosti"
            | "Street"
            | "Square"
            | "Palace"
            | "Hall"
            | "University"
            | "Institute"
            | "Foundation"
            | "Program"
            | "Programme"
            | "Plan"
            | "Initiative"
            | "Operation"
            | "Treaty"
            | "Agreement"
            | "Accord"
            | "Deal"
            | "Conference"
            | "Talks"
            | "Strait"
            | "Sea"
            | "Ocean"
            | "River"
            | "Island"
            | "Islands"
            | "Gulf"
            | "Bay"
            | "Strip"
            | "Coast"
            | "Region"
            | "Province"
            | "City"
            | "County"
            | "District"
            | "Minister"
            | "There"
            | "Here"
            | "What"
            | "Why"
            | "How"
            | "Who"
            | "Officials"
            | "Analysts"
            | "Critics"
            | "Experts"
            | "Observers"
            | "Some"
            | "Many"
            | "Both"
            | "All"
            | "Neither"
            | "Such"
            | "Yet"
            | "So"
            | "Then"
            | "Now"
            | "Still"
            | "However"
            | "Meanwhile"
            | "Asked"
            | "Speaking"
            | "Despite"
            | "Earlier"
            | "Later"
            | "Last"
            | "Next"
            | "According"
            | "Russian"
            | "Chinese"
            | "One"
            | "Two"
            | "Three"
            | "Not"
            | "No"
            | "Yes"
            | "Global South"
            | "Affairs"
    )
}

/// Lower-case form of a word without allocating when it has no capitals.
pub(super) fn lower(w: &str) -> Cow<'_, str> {
    if w.chars().any(char::is_uppercase) {
        Cow::Owned(w.to_lowercase())
    } else {
        Cow::Borrowed(w)
    }
}

/// Whether a word is a determiner, in any case.
pub(super) fn is_det(w: &str) -> bool {
    w.len() <= 7 && word_facts(&lower(w)).determiner
}

/// What attribution asks about a token, again and again for the same token
/// (every noun phrase tried around every cue looks at it), worked out once
/// per article.
///
/// The lower-case lexicons (titles, roles, determiners) are consulted with
/// the token lowered by [`lower`]; some callers lowered with
/// `str::to_lowercase`, which differs only for words without capitals that
/// hold other lowercasable characters (titlecase digraphs): those lower to
/// non-ASCII either way and match no list entry, all of which are ASCII
/// (tests check both).
///
/// Packed in sixteen bits: a table of them per article is written once per
/// token, and a struct of eight fields is assembled and stored field by
/// field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct TokFacts(u16);

/// The low three bits of [`TokFacts`]: the cue, numbered as here (0: none).
pub(super) const CUES: [Option<Cue>; 8] = [
    None,
    Some(Cue::Speech { strong: true }),
    Some(Cue::Speech { strong: false }),
    Some(Cue::Cite),
    Some(Cue::Eval),
    Some(Cue::According),
    Some(Cue::Report),
    None,
];
pub(super) const CUE_BITS: u16 = 0b111;
/// Facts not worked out yet (see [`Doc::facts`]): no real facts set the top
/// bit.
pub(super) const UNKNOWN_FACTS: TokFacts = TokFacts(1 << 15);
pub(super) const NP_WORD: u16 = 1 << 3;
pub(super) const DET: u16 = 1 << 4;
pub(super) const ADVERB_OR_AUX: u16 = 1 << 5;
pub(super) const WEEKDAY: u16 = 1 << 6;
pub(super) const TITLE: u16 = 1 << 7;
pub(super) const PARTICLE: u16 = 1 << 8;

impl TokFacts {
    pub(crate) fn cue(self) -> Option<Cue> {
        CUES[(self.0 & CUE_BITS) as usize]
    }

    /// A word that can be part of a speaker noun phrase on its own account
    /// (capitalised and not a date, or a title, role or phrase word); see
    /// [`np_token`] for the rest.
    pub(super) fn np_word(self) -> bool {
        self.0 & NP_WORD != 0
    }

    /// A determiner, in any case (and at most 7 bytes, like [`is_det`]).
    pub(super) fn det(self) -> bool {
        self.0 & DET != 0
    }

    pub(super) fn adverb_or_aux(self) -> bool {
        self.0 & ADVERB_OR_AUX != 0
    }

    pub(super) fn weekday(self) -> bool {
        self.0 & WEEKDAY != 0
    }

    /// The lower-cased token is a title word.
    pub(super) fn title(self) -> bool {
        self.0 & TITLE != 0
    }

    pub(super) fn particle(self) -> bool {
        self.0 & PARTICLE != 0
    }

    #[inline(never)]
    pub(crate) fn of(text: &str, kind: TokenKind) -> TokFacts {
        // Every lexicon word starts with an ASCII letter (a test checks): no
        // punctuation or number token, lower-cased or not, is in a list.
        if kind != TokenKind::Word {
            return TokFacts::default();
        }
        FoldedLexicon::get()
            .facts(text.as_bytes())
            .unwrap_or_else(|| TokFacts::by_lookups(text))
    }

    /// [`TokFacts::of`] for any word, from a lookup of the word as written
    /// and one of it lowered: what the folded table answers in one probe,
    /// and what it is built from.
    #[cold]
    pub(super) fn by_lookups(text: &str) -> TokFacts {
        let lexicon = Lexicon::get();
        let b = text.as_bytes();
        let exact = lexicon.lookup(b);
        let (mut upper, mut all_bits) = (false, 0u8);
        for &c in b {
            upper |= c.is_ascii_uppercase();
            all_bits |= c;
        }
        // The facts of the word lowered as [`lower`] does; ASCII is lowered
        // on the stack.
        let mut buf = [0u8; 32];
        let low = if !all_bits.is_ascii() {
            word_facts(&lower(text))
        } else if !upper {
            exact
        } else if let Some(low) = buf.get_mut(..b.len()) {
            low.copy_from_slice(b);
            low.make_ascii_lowercase();
            lexicon.lookup(low)
        } else {
            word_facts(&text.to_ascii_lowercase())
        };
        TokFacts::combine(exact, low, is_cap(text), text.len())
    }

    /// The facts of a token of `len` bytes from those of the token as
    /// written (`exact`) and lowered (`low`).
    pub(super) fn combine(
        exact: WordFacts,
        low: WordFacts,
        capitalised: bool,
        len: usize,
    ) -> TokFacts {
        let np_word = if capitalised {
            !exact.weekday && !exact.month
        } else {
            low.title || low.role.is_some() || exact.particle || exact.phrase_word || exact.medium
        };
        let cue = CUES
            .iter()
            .position(|&c| c == exact.cue)
            .expect("every cue has a number") as u16;
        let flag = |set: bool, bit: u16| if set { bit } else { 0 };
        TokFacts(
            cue | flag(np_word, NP_WORD)
                | flag(len <= 7 && low.determiner, DET)
                | flag(exact.adverb_or_aux, ADVERB_OR_AUX)
                | flag(exact.weekday, WEEKDAY)
                | flag(low.title, TITLE)
                | flag(exact.particle, PARTICLE),
        )
    }
}

/// The lexicon keyed by words lowered, holding finished [`TokFacts`]: every
/// word of an article outside quotes is asked about, and a capitalised one
/// needs the facts of its written and of its lowered form. This table gives
/// both in one probe, with the word lowered eight bytes at a time, instead of
/// two lookups and the combining after them.
pub(super) struct FoldedLexicon {
    /// As [`Lexicon::slots`].
    pub(super) slots: Vec<u32>,
    pub(super) entries: Vec<FoldedEntry>,
}

pub(super) struct FoldedEntry {
    /// The lowered word, zero-padded to 16 bytes.
    pub(super) key: [u64; 2],
    pub(super) len: usize,
    /// Facts of the lowered word itself (a token without capitals).
    pub(super) lower: TokFacts,
    /// Facts of a token with capitals, the first letter among them, that
    /// is no listed form.
    pub(super) capitalised: TokFacts,
    /// Facts of a token with capitals after a lower-case first letter that
    /// is no listed form.
    pub(super) inner_capitals: TokFacts,
    /// Listed forms with capitals ("Monday", "TV") and their facts.
    pub(super) listed: Vec<(&'static [u8], TokFacts)>,
}

/// Longest word the folded table holds; longer ones (a few list words, and
/// no common word) take [`TokFacts::by_lookups`].
pub(super) const FOLDED_MAX: usize = 16;

/// A word of at most [`FOLDED_MAX`] bytes, zero-padded, as two little-endian
/// words. Loads overlapping pieces rather than copying the word to a
/// buffer: this runs for every word of an article, and a copy of variable
/// length is a call to `memcpy`.
pub(super) fn folded_key(w: &[u8]) -> [u64; 2] {
    let n = w.len();
    let u64_at = |i: usize| u64::from_le_bytes(w[i..i + 8].try_into().expect("8 bytes"));
    let u32_at = |i: usize| u32::from_le_bytes(w[i..i + 4].try_into().expect("4 bytes")) as u64;
    match n {
        // Bytes 8..n are the top of the last eight bytes.
        9..=16 => [u64_at(0), u64_at(n - 8) >> (8 * (16 - n))],
        8 => [u64_at(0), 0],
        // The last four bytes over the first four: the bytes they share
        // are equal.
        4..=7 => [u32_at(0) | u32_at(n - 4) << (8 * (n - 4)), 0],
        _ => [w.iter().rev().fold(0, |k, &b| k << 8 | b as u64), 0],
    }
}

impl FoldedLexicon {
    pub(super) fn get() -> &'static FoldedLexicon {
        static FOLDED: OnceLock<FoldedLexicon> = OnceLock::new();
        FOLDED.get_or_init(FoldedLexicon::build)
    }

    pub(super) fn build() -> FoldedLexicon {
        let lexicon = Lexicon::get();
        let mut folds: Vec<(Vec<u8>, Vec<&'static [u8]>)> = Vec::new();
        for e in &lexicon.entries {
            if e.word.len() > FOLDED_MAX {
                continue;
            }
            let fold = e.word.to_ascii_lowercase();
            let i = match folds.iter().position(|(f, _)| *f == fold) {
                Some(i) => i,
                None => {
                    folds.push((fold.clone(), Vec::new()));
                    folds.len() - 1
                }
            };
            if e.word != fold.as_slice() {
                folds[i].1.push(e.word);
            }
        }
        let size = (folds.len() * 2 + 1).next_power_of_two();
        let mut table = FoldedLexicon {
            slots: vec![0; size],
            entries: Vec::with_capacity(folds.len()),
        };
        for (fold, listed) in folds {
            let len = fold.len();
            let low = lexicon.lookup(&fold);
            let none = WordFacts::default();
            let listed = listed
                .into_iter()
                .map(|w| {
                    let capitalised = w[0].is_ascii_uppercase();
                    (
                        w,
                        TokFacts::combine(lexicon.lookup(w), low, capitalised, len),
                    )
                })
                .collect();
            let key = folded_key(&fold);
            let (slot, tag) = FoldedLexicon::slot(key, len);
            let mut i = slot & (size - 1);
            while table.slots[i] != 0 {
                i = (i + 1) & (size - 1);
            }
            table.entries.push(FoldedEntry {
                key,
                len,
                lower: TokFacts::combine(low, low, false, len),
                capitalised: TokFacts::combine(none, low, true, len),
                inner_capitals: TokFacts::combine(none, low, false, len),
                listed,
            });
            let index = u16::try_from(table.entries.len()).expect("a few hundred words");
            table.slots[i] = (tag as u32) << 16 | index as u32;
        }
        table
    }

    pub(super) fn slot([lo, hi]: [u64; 2], len: usize) -> (usize, u16) {
        let h = (lo ^ hi.rotate_left(29) ^ len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        ((h >> 40) as usize, (h >> 24) as u16)
    }

    /// The facts of an ASCII word of at most [`FOLDED_MAX`] bytes; None for
    /// other words.
    pub(super) fn facts(&self, w: &[u8]) -> Option<TokFacts> {
        if w.len() > FOLDED_MAX {
            return None;
        }
        let [lo, hi] = folded_key(w);
        if block_has_non_ascii(lo | hi) {
            return None;
        }
        let (upper_lo, upper_hi) = (ascii_upper_bytes(lo), ascii_upper_bytes(hi));
        // The high bit of an upper-case letter's byte, moved to 0x20, lowers it.
        let key = [lo | upper_lo >> 2, hi | upper_hi >> 2];
        let capitals = upper_lo | upper_hi != 0;
        let capitalised = upper_lo & 0x80 != 0;
        let mask = self.slots.len() - 1;
        let (slot, tag) = FoldedLexicon::slot(key, w.len());
        let mut i = slot & mask;
        while self.slots[i] != 0 {
            if (self.slots[i] >> 16) as u16 == tag {
                let e = &self.entries[(self.slots[i] & 0xFFFF) as usize - 1];
                if e.key == key && e.len == w.len() {
                    return Some(if !capitals {
                        e.lower
                    } else if let Some(&(_, f)) = e.listed.iter().find(|(l, _)| *l == w) {
                        f
                    } else if capitalised {
                        e.capitalised
                    } else {
                        e.inner_capitals
                    });
                }
            }
            i = (i + 1) & mask;
        }
        // In no list, as written or lowered.
        Some(TokFacts(if capitalised { NP_WORD } else { 0 }))
    }
}

/// For the first (`[0]`) and the last (`[1]`) byte of every cue word, a bit
/// per length in bytes (31 and more share the last bit).
pub(super) static CUE_SHAPES: [[u32; 256]; 2] = {
    let lists: [&[&str]; 6] = [STRONG_SPEECH, WEAK_SPEECH, CITE, ACCORDING, REPORT, EVAL];
    let mut shapes = [[0u32; 256]; 2];
    let mut l = 0;
    while l < lists.len() {
        let mut k = 0;
        while k < lists[l].len() {
            let w = lists[l][k].as_bytes();
            let bit = 1u32 << if w.len() < 31 { w.len() } else { 31 };
            shapes[0][w[0] as usize] |= bit;
            shapes[1][w[w.len() - 1] as usize] |= bit;
            k += 1;
        }
        l += 1;
    }
    shapes
};

/// False when no cue word has the first byte, last byte and length of `w`.
/// A token is a cue only when it is a word of the cue lists exactly as
/// written (the cue of [`TokFacts`] comes from the look-up of the token as
/// written), so such a word is no cue; a test checks this against
/// [`TokFacts::of`].
#[inline]
pub(super) fn may_be_cue(w: &str) -> bool {
    let b = w.as_bytes();
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return false;
    };
    let bit = 1u32 << b.len().min(31);
    CUE_SHAPES[0][first as usize] & bit != 0 && CUE_SHAPES[1][last as usize] & bit != 0
}

/// Whether a word starts with a capital letter.
pub(crate) fn is_cap(w: &str) -> bool {
    // Asked of most tokens, nearly all of them ASCII: no decoding for those.
    match w.as_bytes().first() {
        Some(b) if b.is_ascii() => b.is_ascii_uppercase(),
        _ => w.chars().next().is_some_and(char::is_uppercase),
    }
}

/// All-caps acronyms ("RIA", "NATO") are never personal names.
pub(super) fn is_acronym(w: &str) -> bool {
    // Asked of capitalised words, nearly all of which have a lower-case
    // letter near the start: one pass that stops there. An ASCII lower-case
    // letter rules the word out whatever the rest of it holds.
    let mut letters = 0;
    for &c in w.as_bytes() {
        if c.is_ascii_lowercase() {
            return false;
        }
        if !c.is_ascii() {
            return w.chars().filter(|c| c.is_alphabetic()).count() >= 2
                && !w.chars().any(char::is_lowercase);
        }
        letters += usize::from(c.is_ascii_alphabetic());
    }
    letters >= 2
}

// One possessive rule for every stage (text.rs).
pub(crate) use crate::text::strip_possessive;

#[cfg(test)]
mod tests {
    use super::*;

    /// Which lists hold a word, by searching them one by one.
    fn facts_by_search(w: &str) -> WordFacts {
        let cue = [
            (STRONG_SPEECH, Cue::Speech { strong: true }),
            (WEAK_SPEECH, Cue::Speech { strong: false }),
            (CITE, Cue::Cite),
            (ACCORDING, Cue::According),
            (REPORT, Cue::Report),
            (EVAL, Cue::Eval),
        ]
        .into_iter()
        .find(|(list, _)| list.contains(&w))
        .map(|(_, c)| c);
        let role = [
            (PERSON_ROLES, RoleClass::Person),
            (GROUP_ROLES, RoleClass::Group),
            (INSTITUTION_ROLES, RoleClass::Institution),
        ]
        .into_iter()
        .find(|(list, _)| list.contains(&w))
        .map(|(_, r)| r);
        WordFacts {
            cue,
            role,
            adverb_or_aux: ADVERBS_AND_AUX.contains(&w),
            weekday: WEEKDAYS.contains(&w),
            month: MONTHS.contains(&w),
            title: TITLE_WORDS.contains(&w),
            determiner: DETERMINERS.contains(&w),
            particle: PARTICLES.contains(&w),
            phrase_word: PHRASE_WORDS.contains(&w),
            medium: MEDIUM_WORDS.contains(&w),
        }
    }

    #[test]
    fn lowering_a_word_without_capitals_never_makes_it_ascii() {
        // What lets `lower` stand in for `str::to_lowercase` before a
        // lexicon lookup (see `TokFacts`).
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let low: String = c.to_lowercase().collect();
            if !c.is_uppercase() && low != c.to_string() {
                assert!(!low.is_ascii(), "{c:?}");
            }
        }
    }

    #[test]
    fn the_lexicon_table_agrees_with_searching_the_lists() {
        let lists = [
            STRONG_SPEECH,
            WEAK_SPEECH,
            CITE,
            ACCORDING,
            REPORT,
            EVAL,
            ADVERBS_AND_AUX,
            WEEKDAYS,
            MONTHS,
            TITLE_WORDS,
            PERSON_ROLES,
            GROUP_ROLES,
            INSTITUTION_ROLES,
            DETERMINERS,
            PARTICLES,
            PHRASE_WORDS,
            MEDIUM_WORDS,
        ];
        let mut words: Vec<String> = Vec::new();
        for w in lists.iter().flat_map(|l| l.iter()) {
            // The word, and near misses: other case, cut short, lengthened.
            words.push(w.to_string());
            words.push(w.to_uppercase());
            words.push(w[..w.len() - 1].to_string());
            words.push(format!("{w}s"));
            words.push(format!("x{w}"));
            words.push(format!("{w}{w}"));
        }
        words.extend(
            [
                "",
                "a",
                "I",
                "secretary-generals",
                "spokesperson\u{2019}s",
                "é",
            ]
            .map(String::from),
        );
        for w in lists.iter().flat_map(|l| l.iter()) {
            // What lets TokFacts skip punctuation and numbers.
            assert!(w.starts_with(|c: char| c.is_ascii_alphabetic()), "{w:?}");
        }
        for w in &words {
            let (got, want) = (word_facts(w), facts_by_search(w));
            assert_eq!(format!("{got:?}"), format!("{want:?}"), "{w:?}");
        }
    }

    #[test]
    fn folded_keys_are_the_word_zero_padded() {
        let text = b"abcdefghijklmnop";
        for n in 0..=FOLDED_MAX {
            let mut buf = [0u8; 16];
            buf[..n].copy_from_slice(&text[..n]);
            let want = [
                u64::from_le_bytes(buf[..8].try_into().unwrap()),
                u64::from_le_bytes(buf[8..].try_into().unwrap()),
            ];
            assert_eq!(folded_key(&text[..n]), want, "{n}");
        }
    }

    #[test]
    fn a_word_without_the_shape_of_a_cue_word_is_no_cue() {
        let mut words: Vec<String> = Vec::new();
        for e in &Lexicon::get().entries {
            let w = std::str::from_utf8(e.word).expect("lexicon words are text");
            let mut capitalised = w.to_lowercase();
            capitalised[..1].make_ascii_uppercase();
            words.extend([
                w.to_string(),
                w.to_lowercase(),
                w.to_uppercase(),
                capitalised,
                w[..w.len() - 1].to_string(),
                format!("{w}s"),
                format!("{w}\u{2019}s"),
                format!("\u{c9}{w}"),
            ]);
        }
        words.extend(["\u{212a}ing", "s", "a", "\u{17f}aid"].map(String::from));
        let mut cues = 0;
        for w in &words {
            let cue = TokFacts::of(w, TokenKind::Word).cue();
            cues += usize::from(cue.is_some());
            assert!(may_be_cue(w) || cue.is_none(), "{w:?}");
        }
        assert!(cues > 100);
    }

    #[test]
    fn the_folded_table_agrees_with_two_lookups() {
        let mut words: Vec<String> = Vec::new();
        for e in &Lexicon::get().entries {
            let w = std::str::from_utf8(e.word).expect("lexicon words are text");
            // Every case a token can come in, and near misses.
            let mut capitalised = w.to_lowercase();
            capitalised[..1].make_ascii_uppercase();
            let mut inner = w.to_lowercase();
            inner[w.len() - 1..].make_ascii_uppercase();
            words.extend([
                w.to_string(),
                w.to_lowercase(),
                w.to_uppercase(),
                capitalised,
                inner,
                w[..w.len() - 1].to_string(),
                format!("{w}s"),
                format!("X{w}"),
                format!("{w}{w}"),
            ]);
        }
        words.extend(
            [
                "I",
                "THE",
                "The",
                "tHe",
                "Mondays",
                "tv",
                "Tv",
                "tV",
                "abcdefghijklmnop",
                "Abcdefghijklmnopq",
                "Secretary-General",
                "SECRETARY-GENERAL",
                "Straße",
                "\u{c9}lys\u{e9}e",
                "Zürich",
                "ǅemal",
                "@[`{",
                "AZaz",
            ]
            .map(String::from),
        );
        for w in &words {
            assert_eq!(
                TokFacts::of(w, TokenKind::Word),
                TokFacts::by_lookups(w),
                "{w:?}"
            );
        }
    }
}
