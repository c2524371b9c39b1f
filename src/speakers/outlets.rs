//! News outlets and media: a phrase naming one is the channel a statement
//! reached the public through, never its speaker.

use std::sync::OnceLock;

use super::lexicon::*;
use crate::text::FastMap;

/// News outlets and media; a phrase naming one is a channel, never a speaker.
pub(super) const OUTLETS: &[&str] = &[
    "RIA Novosti",
    "RIA",
    "TASS",
    "Interfax",
    "Xinhua",
    "CCTV",
    "CGTN",
    "Global Times",
    "People's Daily",
    "Reuters",
    "AFP",
    "Agence France-Presse",
    "Associated Press",
    "AP",
    "Bloomberg",
    "CNN",
    "BBC",
    "Fox News",
    "NBC News",
    "NBC",
    "CBS News",
    "CBS",
    "ABC News",
    "NPR",
    "Al Jazeera",
    "Al Arabiya",
    "Sky News",
    "New York Times",
    "Washington Post",
    "Wall Street Journal",
    "Financial Times",
    "Guardian",
    "Telegraph",
    "Le Monde",
    "Le Figaro",
    "Der Spiegel",
    "Spiegel",
    "Bild",
    "Politico",
    "Axios",
    "NHK",
    "Kyodo",
    "Yonhap",
    "KCNA",
    "IRNA",
    "Tasnim",
    "Fars",
    "Anadolu",
    "Ukrinform",
    "Ukrainska Pravda",
    "Kyiv Independent",
    "ANI",
    "PTI",
    "Dawn",
    "Haaretz",
    "Times of Israel",
    "Channel 12",
    "Sputnik",
    "RT",
    "Izvestia",
    "Kommersant",
    "Rossiya 1",
    "Channel One",
    "Zvezda",
    "Newsweek",
    "Economist",
    "El País",
    "Nikkei",
    "South China Morning Post",
    "Straits Times",
    "Hindustan Times",
    "NDTV",
    "Truth Social",
    "Telegram",
    "Twitter",
    "Facebook",
    "YouTube",
    "Instagram",
    "TikTok",
    "Weibo",
    "WeChat",
    "Newsmax",
    "CNBC",
    "MSNBC",
    "Euronews",
    "France 24",
    "Deutsche Welle",
    "DW",
    "Jerusalem Post",
    "Tehran Times",
    "Press TV",
    "Yomiuri",
    "Asahi",
    "ANSA",
    "EFE",
    "dpa",
    "Radio Free Europe",
    "Voice of America",
    "VOA",
    "Meduza",
    "ZDF",
    "ARD",
    "Times of India",
    "The Hindu",
    "Arab News",
    "Kan",
    "Yedioth Ahronoth",
    "Daily Maverick",
    "Nation",
    "Standard",
    "Punch",
    "Premium Times",
    "Folha",
    "Globo",
    "Clarín",
    "Infobae",
    "X",
];

pub(super) const MEDIUM_WORDS: &[&str] = &[
    "media",
    "agency",
    "newspaper",
    "television",
    "TV",
    "broadcaster",
    "radio",
    "channel",
    "magazine",
    "daily",
    "outlet",
    "website",
    "podcast",
    "tabloid",
    "network",
    "wire",
];

/// The outlet a phrase names: a known outlet ("RIA" in "Russia's RIA state
/// news agency") or the phrase itself when it names a medium ("Russian state
/// media").
pub(super) fn outlet_name(words: &[&str], mention: &[bool]) -> Option<(String, bool)> {
    // Longest known outlet first, found through a table keyed by the first
    // word of each outlet name (no allocation unless one is found).
    struct Table {
        by_first: FastMap<&'static str, Vec<Vec<&'static str>>>,
        /// For each first byte of a key of `by_first`, a bit per key length
        /// in bytes (63 and more share the last bit): most words of a
        /// phrase start no outlet name and are passed over without hashing.
        shapes: [u64; 256],
    }
    static TABLE: OnceLock<Table> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t: FastMap<&'static str, Vec<Vec<&'static str>>> = FastMap::default();
        for o in OUTLETS {
            let parts: Vec<&'static str> = o.split(' ').collect();
            t.entry(parts[0]).or_default().push(parts);
        }
        let mut shapes = [0u64; 256];
        for (key, v) in t.iter_mut() {
            v.sort_by_key(|p| std::cmp::Reverse(p.len()));
            if let Some(&c) = key.as_bytes().first() {
                shapes[c as usize] |= 1 << key.len().min(63);
            }
        }
        Table {
            by_first: t,
            shapes,
        }
    });
    let mut best: Option<(usize, usize)> = None; // start, len
    for i in 0..words.len() {
        let first = strip_possessive(words[i]);
        let shaped = first
            .as_bytes()
            .first()
            .is_some_and(|&c| table.shapes[c as usize] >> first.len().min(63) & 1 == 1);
        if !shaped {
            continue;
        }
        let Some(cands) = table.by_first.get(first) else {
            continue;
        };
        for c in cands {
            let len = c.len();
            if i + len > words.len() {
                continue;
            }
            let ok = c
                .iter()
                .zip(&words[i..i + len])
                .all(|(a, b)| *a == strip_possessive(b));
            if ok && best.is_none_or(|(_, l)| len > l) {
                if len == 1 && c[0] == "X" && words.len() > 1 {
                    continue;
                }
                best = Some((i, len));
                break;
            }
        }
    }
    if let Some((i, len)) = best {
        // Only lower-case words may follow ("RIA Novosti news agency"); a
        // name after it is a person ("RIA reporter Ivan").
        let tail_ok = words[i + len..].iter().all(|w| !is_cap(w));
        let name: Vec<&str> = words[i..i + len]
            .iter()
            .map(|w| strip_possessive(w))
            .collect();
        return Some((name.join(" "), tail_ok));
    }
    let medium = |w: &str| word_facts(w).medium;
    if words.iter().any(|w| medium(w)) {
        // "APA news agency", "state television channel VTV": the proper
        // name; "Russian state media": the whole phrase.
        let proper: Vec<&str> = words
            .iter()
            .zip(mention)
            .filter(|(w, m)| !**m && is_cap(w) && !medium(w))
            .map(|(w, _)| strip_possessive(w))
            .collect();
        if !proper.is_empty() && proper.len() <= 3 {
            return Some((proper.join(" "), true));
        }
        let start = usize::from(words.first().is_some_and(|w| is_det(w)));
        return Some((words[start..].join(" "), true));
    }
    None
}
