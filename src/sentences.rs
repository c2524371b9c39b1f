//! Sentences: where one ends and the next begins.
//!
//! Four readers need sentence bounds and each needs its own rule, so the
//! rules live here side by side, named for their use, where they can be
//! compared and changed together (changing one changes `extract`'s or
//! `predict`'s output):
//!
//! - [`split`]: the sentences of a content paragraph, for attribution
//!   (`quotes`). Quote-aware: a terminator inside a quote ends nothing
//!   unless the quote itself ends a sentence (`... it." Next`); a full stop
//!   after an abbreviation or initial ("Mr.", "U.S.") ends nothing; the next
//!   sentence must start with a capital, digit, quote mark or bracket.
//! - [`around`]: the sentence read around a partial quote to classify its
//!   stance (`predict`). No quote spans are known there, so it is the rough
//!   rule: a line break ends a sentence, a full stop only after a lower-case
//!   letter, digit or closing mark; and it reaches a bounded distance.
//! - [`last_start`]: where the last sentence of an article's first line
//!   starts, which tells the lead from a headline glued after it (`article`).
//! - [`last_start_before_credit`]: where a caption's sentence starts before
//!   its photo credit (`article`): after any terminator followed by a space
//!   that does not end an abbreviation.

use crate::text::{block_has, block_has_below, block_has_non_ascii, find_byte};

/// The quote marks: straight and curly double quotes, curly single quotes
/// and guillemets (a straight `'` is also an apostrophe, and is judged where
/// it is met).
pub(crate) fn is_quote_char(c: char) -> bool {
    matches!(
        c,
        '"' | '\u{201c}' | '\u{201d}' | '\u{2018}' | '\u{2019}' | '\u{ab}' | '\u{bb}' | '\u{201e}'
    )
}

/// Whether a byte can be the first byte of a quote mark (see
/// [`is_quote_char`]): `"` or the lead byte of `«`, `»` (U+00AB, U+00BB) or
/// the curly quotes (U+2018..U+201E). Lets the scans for quote marks and
/// sentence ends pass over all other bytes without decoding characters.
pub(crate) fn may_start_quote_mark(b: u8) -> bool {
    matches!(b, b'"' | b'\'' | 0xC2 | 0xE2)
}

/// Whether a byte is a sentence terminator.
fn is_terminator(b: u8) -> bool {
    matches!(b, b'.' | b'!' | b'?')
}

/// The character starting at byte `i` (a character boundary) of `s`.
pub(crate) fn char_at(s: &str, i: usize) -> char {
    s[i..].chars().next().unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// Trims a span to its non-whitespace content; None if nothing is left.
pub(crate) fn trim_span(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let s = &text[start..end];
    let t = s.trim_start();
    let start = start + (s.len() - t.len());
    let t = t.trim_end();
    (!t.is_empty()).then(|| (start, start + t.len()))
}

// ---- split: a paragraph's sentences, for attribution ----------------------

/// What [`split`] needs to know of a quote found in the paragraph.
pub(crate) trait QuoteMarks {
    /// Byte span of the opening mark.
    fn open(&self) -> (usize, usize);
    /// Byte span of the closing mark, if the quote was closed.
    fn close(&self) -> Option<(usize, usize)>;
    /// Where the quote ends, its closing mark included.
    fn outer_end(&self) -> usize;
}

/// Appends the sentence spans of the paragraph `ps..pe` to `out`, given the
/// article's quotes in order and a cursor `qi` into them that only moves
/// forward (paragraph after paragraph); terminators inside quotes do not split,
/// except at the end of a quote (`... it." Next`).
pub(crate) fn split<Q: QuoteMarks>(
    text: &str,
    ps: usize,
    pe: usize,
    quotes: &[Q],
    qi: &mut usize,
    out: &mut Vec<(usize, usize)>,
) {
    let para = &text[ps..pe];
    let bytes = para.as_bytes();
    let mut s = ps;
    let mut i = 0;
    loop {
        // Only a terminator or the closing mark of a quote can end a
        // sentence: other characters are passed over, and the quote cursor
        // below catches up at the next candidate (it only moves forward, so
        // that is the same as moving it at every character).
        i = find_byte(
            bytes,
            i,
            |w| {
                // '!' and '"' (0x21, 0x22) are the bytes that differ from
                // '#' in the low two bits only: one test below 3 after an
                // xor finds either (and '#', which the byte test passes
                // over).
                block_has(w, b'.')
                    || block_has(w, b'?')
                    || block_has_below(w ^ u64::from_le_bytes([b'#'; 8]), 3)
                    || block_has_non_ascii(w)
            },
            |b| is_terminator(b) || may_start_quote_mark(b),
        );
        if i == bytes.len() {
            break;
        }
        let c = char_at(para, i);
        let a = ps + i;
        let at = i;
        i += c.len_utf8();
        while *qi < quotes.len() && quotes[*qi].outer_end() <= a {
            *qi += 1;
        }
        let mut boundary = None;
        if *qi < quotes.len() && quotes[*qi].open().0 <= a {
            let q = &quotes[*qi];
            if let Some(close) = q.close() {
                if close.0 == a {
                    let content = text[q.open().1..close.0].trim_end();
                    if content.ends_with(['.', '!', '?']) {
                        boundary = Some(close.1);
                    }
                }
            }
        } else if matches!(c, '.' | '!' | '?') && !(c == '.' && is_abbreviation_before(para, at)) {
            // Closing brackets and further terminators stay in the sentence.
            while i < bytes.len() && matches!(bytes[i], b')' | b']' | b'.' | b'!' | b'?') {
                i += 1;
            }
            boundary = Some(ps + i);
        }
        let Some(b) = boundary else { continue };
        let rest = &text[b..pe];
        let t = rest.trim_start();
        let next = t.chars().next();
        let ws = rest.len() > t.len();
        let ok = match next {
            None => true,
            Some(n) => ws && (n.is_uppercase() || n.is_numeric() || is_quote_char(n) || n == '('),
        };
        if ok {
            if b > s {
                out.push((s, b));
            }
            s = pe - t.len();
        }
    }
    if let Some((a, b)) = trim_span(text, s, pe) {
        out.push((a, b));
    }
}

// ---- around: the sentence around a partial quote, for its stance --------

/// Byte span of the sentence around `start..end` in `text`: back to the end
/// of the previous sentence or the paragraph start, forward to the end of
/// this one. A period only ends a sentence after a lower-case letter, a digit
/// or a closing bracket/quote, so "U.S. officials" stays whole.
///
/// The sentence reaches at most [`SENTENCE_REACH`] bytes past the quote on
/// either side (cut at a space): a run-on line of many partial quotes would
/// otherwise give each quote the whole line to classify, quadratic in the
/// line's length.
pub(crate) fn around(text: &str, start: usize, end: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    let ends_sentence = |i: usize| -> bool {
        // bytes[i] is the terminator; it must be followed by whitespace.
        let next_ws = bytes.get(i + 1).is_none_or(|b| b.is_ascii_whitespace());
        match bytes[i] {
            b'\n' => true,
            b'!' | b'?' => next_ws,
            b'.' => {
                next_ws
                    && i > 0
                    && (bytes[i - 1].is_ascii_lowercase()
                        || bytes[i - 1].is_ascii_digit()
                        || matches!(bytes[i - 1], b')' | b'"' | b'\''))
            }
            _ => false,
        }
    };
    let mut s = start.min(bytes.len());
    let floor = s.saturating_sub(SENTENCE_REACH);
    while s > floor && !ends_sentence(s - 1) {
        s -= 1;
    }
    if s > 0 && !ends_sentence(s - 1) {
        // Cut short: begin after a space so no word is split.
        while s < start && !bytes[s].is_ascii_whitespace() {
            s += 1;
        }
    }
    while s < start && bytes[s].is_ascii_whitespace() {
        s += 1;
    }
    let mut e = end.min(bytes.len());
    let ceiling = (e + SENTENCE_REACH).min(bytes.len());
    while e < ceiling && !ends_sentence(e) {
        e += 1;
    }
    if e < bytes.len() && !ends_sentence(e) {
        // Cut short: end before a space.
        while e > end && !bytes[e].is_ascii_whitespace() {
            e -= 1;
        }
        while !text.is_char_boundary(e) {
            e -= 1;
        }
        return (s.min(e), e);
    }
    let e = (e + 1).min(bytes.len());
    // Both ends are next to ASCII bytes or the text's ends, so they are
    // character boundaries.
    (s, e)
}

/// How far, in bytes, the sentence read around a partial quote reaches.
const SENTENCE_REACH: usize = 600;

// ---- the article's first line and captions -----------------------------

/// Byte offset where the last sentence of `s` starts (0 if `s` is one
/// sentence).
pub(crate) fn last_start(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut best = None;
    // The terminators are ASCII, whose bytes occur in UTF-8 only as
    // themselves: their byte offsets are found without decoding the line.
    for (i, &c) in b.iter().enumerate() {
        if !matches!(c, b'.' | b'!' | b'?') {
            continue;
        }
        let mut j = i + 1;
        // Closing quotes or brackets after the terminator stay in the sentence.
        while j < b.len() {
            let rest = &s[j..];
            let Some(n) = rest.chars().next() else { break };
            if matches!(n, '"' | '\u{201d}' | '\u{2019}' | ')') {
                j += n.len_utf8();
            } else {
                break;
            }
        }
        if j < b.len() && b[j] == b' ' && !is_abbreviation_before(s, i) {
            let k = j + (s[j..].len() - s[j..].trim_start().len());
            if s[k..]
                .starts_with(|ch: char| ch.is_uppercase() || ch.is_numeric() || is_quote_char(ch))
            {
                best = Some(k);
            }
        }
    }
    best.or(Some(0))
}

/// Where the last sentence of `body` starts after a terminator followed by a
/// space (0 if there is none): a caption is the sentence before its photo
/// credit, and a caption has no quotes and often no capital after a stop.
pub(crate) fn last_start_before_credit(body: &str) -> usize {
    let mut start = 0;
    for (i, c) in body.char_indices() {
        if matches!(c, '.' | '!' | '?')
            && body[i + 1..].starts_with(' ')
            && !is_abbreviation_before(body, i)
        {
            start = i + 1;
        }
    }
    start
}

/// Whether the '.' at byte `dot` of `s` ends an abbreviation or initial
/// ("Mr.", "U.S.", "J.") rather than a sentence.
pub(crate) fn is_abbreviation_before(s: &str, dot: usize) -> bool {
    // Asked at every full stop, nearly always after an ASCII word: its
    // bytes are walked back without decoding characters, and only a word
    // reaching a non-ASCII byte takes the general path below.
    let bytes = s.as_bytes();
    let mut k = dot;
    let mut dotted = false;
    while k > 0 && (bytes[k - 1].is_ascii_alphabetic() || bytes[k - 1] == b'.') {
        dotted |= bytes[k - 1] == b'.';
        k -= 1;
    }
    if k == 0 || bytes[k - 1].is_ascii() {
        let word = &s[k..dot];
        if word.is_empty() {
            return false;
        }
        let single_capital = word.len() == 1 && bytes[k].is_ascii_uppercase();
        return dotted || single_capital || is_listed_abbreviation(word);
    }
    let word_start = s[..dot]
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_alphabetic() || c == '.'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word = &s[word_start..dot];
    if word.is_empty() {
        return false;
    }
    // Initials and dotted acronyms: "J", "U.S", "U.K".
    let letters: usize = word.chars().filter(|c| c.is_alphabetic()).count();
    if word.contains('.') || (letters == 1 && word.starts_with(char::is_uppercase)) {
        return true;
    }
    is_listed_abbreviation(word)
}

fn is_listed_abbreviation(word: &str) -> bool {
    // A `match` on strings compares the length first: this runs at every
    // full stop, and most words before one are in no list.
    matches!(
        word,
        "Mr" | "Mrs"
            | "Ms"
            | "Dr"
            | "Prof"
            | "Gen"
            | "Lt"
            | "Col"
            | "Sgt"
            | "Capt"
            | "Maj"
            | "Adm"
            | "Sen"
            | "Rep"
            | "Gov"
            | "Rev"
            | "Msgr"
            | "Supt"
            | "Cmdr"
            | "Brig"
            | "Amb"
            | "St"
            | "Jr"
            | "Sr"
            | "Jan"
            | "Feb"
            | "Mar"
            | "Apr"
            | "Aug"
            | "Sept"
            | "Sep"
            | "Oct"
            | "Nov"
            | "Dec"
            | "No"
            | "vs"
            | "etc"
            | "Inc"
            | "Corp"
            | "Co"
            | "Ltd"
            | "Mt"
            | "Ft"
            | "approx"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations_are_found_as_by_decoding_characters() {
        // The test as first written, a character at a time.
        fn by_chars(s: &str, dot: usize) -> bool {
            let word_start = s[..dot]
                .char_indices()
                .rev()
                .find(|&(_, c)| !(c.is_alphabetic() || c == '.'))
                .map_or(0, |(i, c)| i + c.len_utf8());
            let word = &s[word_start..dot];
            let letters = word.chars().filter(|c| c.is_alphabetic()).count();
            !word.is_empty()
                && (word.contains('.')
                    || (letters == 1 && word.starts_with(char::is_uppercase))
                    || is_listed_abbreviation(word))
        }
        let text = "Mr. Wang met J. D. Vance in the U.S. on Jan. 5. Dr.Éa said. É. \
                    Müller. x. .. 3. (Gen. Li). Ltd.";
        for (i, c) in text.char_indices() {
            if c == '.' {
                assert_eq!(is_abbreviation_before(text, i), by_chars(text, i), "{i}");
            }
        }
    }

    #[test]
    fn around_keeps_abbreviations_and_stops_at_sentence_ends() {
        let t =
            "First one. NATO members branded U.S. ally Beijing a \"decisive enabler\" today. Next.";
        let q = t.find("decisive").unwrap();
        let (s, e) = around(t, q, q + 16);
        assert_eq!(
            &t[s..e],
            "NATO members branded U.S. ally Beijing a \"decisive enabler\" today."
        );
        let (s, e) = around("no end", 1, 2);
        assert_eq!((s, e), (0, 6));
    }

    #[test]
    fn around_reaches_a_bounded_distance_into_a_run_on_line() {
        let t = "Xi said \"Chinese goods are welcome\" and ".repeat(200);
        let q = t.len() / 2;
        let q = q - t[..q].rfind('"').map_or(0, |i| q - i);
        let (s, e) = around(&t, q, q + 10);
        assert!(q - s <= SENTENCE_REACH && e - q - 10 <= SENTENCE_REACH);
        assert!(s < q && e > q + 10, "the bound still reads some context");
        assert!(
            t[..s].ends_with(' ') && t[e..].starts_with(' '),
            "cut at spaces"
        );
    }

    #[test]
    fn every_quote_mark_starts_with_a_byte_the_scans_stop_at() {
        for c in (0..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|&c| is_quote_char(c))
        {
            let mut buf = [0u8; 4];
            let first = c.encode_utf8(&mut buf).as_bytes()[0];
            assert!(may_start_quote_mark(first), "{c:?}");
        }
    }
}
