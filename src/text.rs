//! Text primitives shared by every stage: tokens with byte spans, and the one
//! place where byte offsets (used everywhere inside Rust) are converted to the
//! character offsets (Unicode scalar values) that users see in JSON.

/// What a token is made of; punctuation matters because it ends negation scope
/// and sentences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Word,
    Number,
    Punct,
}

/// A token borrowed from its text, with its byte span in that text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    pub text: &'a str,
    pub start: usize,
    pub end: usize,
    pub kind: TokenKind,
    /// Whether a hyphen joins parts of this word or number ("US-Russian"):
    /// the party scan splits such tokens, and looking for a hyphen in
    /// every token cost more than noting the few the tokenizer joins.
    pub hyphenated: bool,
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

/// `word` without a possessive `'s` or `’s` ("Russia's" -> "Russia"): the
/// one rule for every stage that looks a word up by its base. A word that is
/// only the ending stays whole. A plural possessive ("countries'") needs no
/// stripping: [`tokenize`] keeps an apostrophe inside a word only between
/// two letters.
pub fn strip_possessive(word: &str) -> &str {
    word.strip_suffix("'s")
        .or_else(|| word.strip_suffix("\u{2019}s"))
        .filter(|base| !base.is_empty())
        .unwrap_or(word)
}

/// Splits text into word, number and punctuation tokens. Words are runs of
/// alphanumeric characters (any script) and combining marks; an apostrophe or
/// hyphen between two letters stays inside the word ("don't", "Russia's",
/// "co-operation") so negations and possessives survive tokenisation.
/// Whitespace and control characters are skipped.
pub fn tokenize(text: &str) -> Vec<Token<'_>> {
    let bytes = text.as_bytes();
    // About one token per five bytes of English; avoids repeated regrowth.
    let mut tokens = Vec::with_capacity(text.len() / 5 + 4);
    let mut pos = 0;
    while pos < bytes.len() {
        let start = pos;
        let b = bytes[pos];
        // ASCII is most of any text and needs no decoding; for an ASCII
        // character, whitespace or control is a space or an ASCII control.
        let (word, mut all_digits) = if b.is_ascii() {
            pos += 1;
            match ASCII_CLASS[b as usize] {
                AsciiClass::Letter => (true, false),
                AsciiClass::Digit => (true, true),
                AsciiClass::Skipped => continue,
                AsciiClass::Punct => (false, false),
            }
        } else {
            let c = char_at(text, pos);
            pos += c.len_utf8();
            if c.is_alphanumeric() {
                (true, c.is_numeric())
            } else if c.is_whitespace() || c.is_control() || is_combining(c) {
                continue;
            } else {
                (false, false)
            }
        };
        if !word {
            tokens.push(Token {
                text: token_text(text, start, pos),
                start,
                end: pos,
                kind: TokenKind::Punct,
                hyphenated: false,
            });
            continue;
        }
        let mut hyphenated = false;
        loop {
            // Runs of ASCII letters and digits: a byte at a time, without
            // decoding characters (and without tracking digits once a
            // letter has made this a word).
            if all_digits {
                while pos < bytes.len() && bytes[pos].is_ascii_alphanumeric() {
                    all_digits &= bytes[pos].is_ascii_digit();
                    pos += 1;
                }
            } else {
                pos = ascii_alnum_run_end(bytes, pos);
            }
            if pos == bytes.len() {
                break;
            }
            // An ASCII byte here is no letter or digit (the run stopped at
            // it) nor a combining mark: only the joiners can continue.
            let next = bytes[pos];
            if next.is_ascii() && !matches!(next, b'\'' | b'-' | b'.' | b',') {
                break;
            }
            let d = char_at(text, pos);
            if d.is_alphanumeric() || is_combining(d) {
                all_digits &= d.is_numeric();
                pos += d.len_utf8();
            } else if (is_apostrophe(d) || d == '-' || d == '.' || d == ',')
                && joins_word(text, pos + d.len_utf8(), d, all_digits)
            {
                // Keep the joiner only when a letter/digit follows it.
                hyphenated |= d == '-';
                pos += d.len_utf8();
            } else {
                break;
            }
        }
        let kind = if all_digits {
            TokenKind::Number
        } else {
            TokenKind::Word
        };
        tokens.push(Token {
            text: token_text(text, start, pos),
            start,
            end: pos,
            kind,
            hyphenated,
        });
        // Most words are followed by a space, which needs no trip round
        // the loop.
        if bytes.get(pos) == Some(&b' ') {
            pos += 1;
        }
    }
    tokens
}

/// `&text[start..end]` for a token [`tokenize`] has found. Checked
/// slicing tested both ends for a character boundary at every token, about
/// a tenth of the tokenizer's instructions; the tokenizer only ever moves by
/// whole characters, so the test cannot fail (debug builds still make it).
#[inline(always)]
fn token_text(text: &str, start: usize, end: usize) -> &str {
    debug_assert!(text.is_char_boundary(start) && text.is_char_boundary(end) && start <= end);
    // SAFETY: `start <= end <= text.len()` and both are character
    // boundaries: `tokenize` starts at 0 and advances only by an ASCII byte
    // or by `char::len_utf8` of the character decoded at the current
    // position, so every position it reaches is a boundary.
    unsafe { text.get_unchecked(start..end) }
}

/// What an ASCII byte is to [`tokenize`]: one table look-up instead of a
/// chain of range tests for every token and space.
#[derive(Clone, Copy)]
enum AsciiClass {
    Letter,
    Digit,
    /// Space and control characters.
    Skipped,
    Punct,
}

static ASCII_CLASS: [AsciiClass; 128] = {
    let mut table = [AsciiClass::Punct; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = if c.is_ascii_alphabetic() {
            AsciiClass::Letter
        } else if c.is_ascii_digit() {
            AsciiClass::Digit
        } else if c == b' ' || c.is_ascii_control() {
            AsciiClass::Skipped
        } else {
            AsciiClass::Punct
        };
        b += 1;
    }
    table
};

/// Where the run of ASCII letters and digits starting at `pos` ends: eight
/// bytes at a time, so that a word usually takes one step instead of a
/// step (and a hard-to-predict loop exit) per letter.
fn ascii_alnum_run_end(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(block) = bytes.get(pos..pos + 8) {
        let stops = !ascii_alnum_bytes(u64::from_le_bytes(block.try_into().expect("eight bytes")))
            & HIGH_BITS;
        if stops != 0 {
            return pos + (stops.trailing_zeros() / 8) as usize;
        }
        pos += 8;
    }
    while pos < bytes.len() && ASCII_ALNUM[bytes[pos] as usize] {
        pos += 1;
    }
    pos
}

/// The high bit of each byte of the result is set where that byte of `x`
/// is an ASCII letter or digit. Works on the low seven bits of each byte,
/// where adding a constant below 0x81 sets the high bit exactly when the
/// byte reaches a bound, without carrying into the next byte.
fn ascii_alnum_bytes(x: u64) -> u64 {
    let ascii = !x & HIGH_BITS;
    let low7 = x & !HIGH_BITS;
    let at_least = |v: u64, lo: u8| v + LOW_BITS * (0x80 - lo) as u64;
    let above = |v: u64, hi: u8| v + LOW_BITS * (0x7F - hi) as u64;
    let digit = at_least(low7, b'0') & !above(low7, b'9');
    // Setting bit 5 lower-cases a letter, and only letters land in a..z.
    let folded = low7 | (LOW_BITS * 0x20);
    let letter = at_least(folded, b'a') & !above(folded, b'z');
    (digit | letter) & ascii & HIGH_BITS
}

/// The high bit of each byte of the result is set where that byte of `x`,
/// eight ASCII bytes, is an upper-case letter (as in [`ascii_alnum_bytes`]).
pub(crate) fn ascii_upper_bytes(x: u64) -> u64 {
    let at_least = x + LOW_BITS * (0x80 - b'A') as u64;
    let above = x + LOW_BITS * (0x7F - b'Z') as u64;
    at_least & !above & HIGH_BITS
}

/// ASCII letters and digits, by byte.
static ASCII_ALNUM: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    table
};

/// The character starting at byte `pos` (a character boundary) of `text`.
fn char_at(text: &str, pos: usize) -> char {
    let b = text.as_bytes()[pos];
    if b.is_ascii() {
        b as char
    } else {
        text[pos..]
            .chars()
            .next()
            .unwrap_or(char::REPLACEMENT_CHARACTER)
    }
}

/// Whether the joiner `d` ending at byte `after` continues the current token:
/// apostrophes and hyphens need a following letter, '.' and ',' only join
/// digits ("3.5", "10,000").
fn joins_word(text: &str, after: usize, d: char, all_digits: bool) -> bool {
    let next = text[after..].chars().next();
    match d {
        '.' | ',' => all_digits && next.is_some_and(|n| n.is_ascii_digit()),
        _ => next.is_some_and(|n| n.is_alphabetic()),
    }
}

fn is_combining(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

const LOW_BITS: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// Whether any of the eight bytes packed in `block` is `b`.
pub fn block_has(block: u64, b: u8) -> bool {
    let x = block ^ (LOW_BITS * b as u64);
    x.wrapping_sub(LOW_BITS) & !x & HIGH_BITS != 0
}

/// Whether any of the eight bytes packed in `block` is below `n` (at most
/// 128): one test where a [`block_has`] per byte value would take several.
pub(crate) fn block_has_below(block: u64, n: u8) -> bool {
    debug_assert!(n <= 128);
    block.wrapping_sub(LOW_BITS * n as u64) & !block & HIGH_BITS != 0
}

/// Whether any of the eight bytes packed in `block` is not ASCII.
pub(crate) fn block_has_non_ascii(block: u64) -> bool {
    block & HIGH_BITS != 0
}

/// The index of the first byte at or after `i` for which `hit` holds, or
/// `bytes.len()`. `screen` sees eight bytes at a time (little-endian) and
/// must be true whenever one of them is a hit: blocks it turns down are
/// passed over whole, which makes scans for rare bytes several times faster
/// than looking at each byte.
pub fn find_byte(
    bytes: &[u8],
    mut i: usize,
    screen: impl Fn(u64) -> bool,
    hit: impl Fn(u8) -> bool,
) -> usize {
    while let Some(block) = bytes.get(i..i + 8) {
        if screen(u64::from_le_bytes(block.try_into().expect("eight bytes"))) {
            if let Some(k) = block.iter().position(|&b| hit(b)) {
                return i + k;
            }
        }
        i += 8;
    }
    let tail = bytes.get(i..).unwrap_or_default();
    tail.iter()
        .position(|&b| hit(b))
        .map_or(bytes.len(), |k| i + k)
}

/// Converts byte offsets of one text to character offsets and back.
/// Built once per text; ASCII texts need no table.
pub struct CharIndex<'a> {
    bytes: &'a [u8],
    /// Number of characters starting before each block of [`BLOCK`] bytes
    /// (block `k` starts at byte `k * BLOCK`); empty for pure-ASCII text,
    /// where byte and character offsets coincide. A conversion counts
    /// character starts inside one block only, and building the table costs
    /// a count over the bytes rather than a table entry per character.
    blocks: Vec<usize>,
    len_chars: usize,
}

const BLOCK: usize = 64;

/// Whether a byte of UTF-8 starts a character (is not a continuation byte).
fn starts_char(b: u8) -> bool {
    (b as i8) >= -0x40
}

/// The number of bytes of `bytes` that start a character, eight bytes at a
/// time: the index of every article with a non-ASCII character counted its
/// bytes one by one.
fn count_char_starts(bytes: &[u8]) -> usize {
    let mut words = bytes.chunks_exact(8);
    let mut continuations = 0;
    for w in &mut words {
        let x = u64::from_le_bytes(w.try_into().expect("eight bytes"));
        // A continuation byte is 0b10xx_xxxx: shifting left by one brings
        // each byte's bit 6 under its bit 7.
        let marks = (x & !(x << 1) & HIGH_BITS) >> 7;
        // The eight 0/1 bytes summed into the top byte.
        continuations += (marks.wrapping_mul(LOW_BITS) >> 56) as usize;
    }
    let rest = words.remainder();
    bytes.len() - rest.len() - continuations + rest.iter().filter(|&&b| starts_char(b)).count()
}

impl<'a> CharIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let bytes = text.as_bytes();
        let mut blocks = Vec::new();
        let mut len_chars = bytes.len();
        if !text.is_ascii() {
            blocks.reserve(bytes.len() / BLOCK + 1);
            len_chars = 0;
            for chunk in bytes.chunks(BLOCK) {
                blocks.push(len_chars);
                len_chars += count_char_starts(chunk);
            }
        }
        CharIndex {
            bytes,
            blocks,
            len_chars,
        }
    }

    /// Number of characters in the text.
    pub fn len_chars(&self) -> usize {
        self.len_chars
    }

    /// Character offset of a byte offset. A byte offset inside a character
    /// maps to that character's start, so the result is always valid.
    pub fn to_char(&self, byte: usize) -> usize {
        if self.blocks.is_empty() {
            return byte.min(self.bytes.len());
        }
        if byte >= self.bytes.len() {
            return self.len_chars;
        }
        let k = byte / BLOCK;
        let before = self.blocks[k]
            + self.bytes[k * BLOCK..byte]
                .iter()
                .filter(|&&b| starts_char(b))
                .count();
        if starts_char(self.bytes[byte]) {
            before
        } else {
            // Inside a character: the one that started last.
            before - 1
        }
    }

    /// Byte offset of a character offset, or None past the end of the text.
    pub fn to_byte(&self, ch: usize) -> Option<usize> {
        if self.blocks.is_empty() {
            return (ch <= self.bytes.len()).then_some(ch);
        }
        if ch >= self.len_chars {
            return (ch == self.len_chars).then_some(self.bytes.len());
        }
        // The last block starting at or before the character.
        let k = self.blocks.partition_point(|&c| c <= ch) - 1;
        let mut n = self.blocks[k];
        for (i, &b) in self.bytes.iter().enumerate().skip(k * BLOCK) {
            if starts_char(b) {
                if n == ch {
                    return Some(i);
                }
                n += 1;
            }
        }
        None
    }
}

/// Finds `needle` in `haystack` as whole words, ignoring case; returns the
/// byte span of the first match. Case folding is per character, so offsets
/// stay valid even when lowercase forms differ in length.
pub fn find_whole_word_ci(haystack: &str, needle: &str) -> Option<(usize, usize)> {
    let needle_chars: Vec<char> = needle.chars().flat_map(char::to_lowercase).collect();
    if needle_chars.is_empty() {
        return None;
    }
    let starts: Vec<usize> = haystack.char_indices().map(|(i, _)| i).collect();
    for (pos, &start) in starts.iter().enumerate() {
        if start > 0 {
            let prev = haystack[..start].chars().next_back();
            if prev.is_some_and(|p| p.is_alphanumeric()) {
                continue;
            }
        }
        let mut hay = haystack[start..].chars().flat_map(char::to_lowercase);
        let mut matched = true;
        for &nc in &needle_chars {
            if hay.next() != Some(nc) {
                matched = false;
                break;
            }
        }
        if !matched {
            continue;
        }
        // Find the byte end: walk forward over as many source chars as needed.
        let mut consumed = 0usize;
        let mut end = start;
        for (i, c) in haystack[start..].char_indices() {
            if consumed >= needle_chars.len() {
                break;
            }
            consumed += c.to_lowercase().count();
            end = start + i + c.len_utf8();
        }
        if consumed != needle_chars.len() {
            continue;
        }
        let next = haystack[end..].chars().next();
        if next.is_some_and(|n| n.is_alphanumeric()) {
            continue;
        }
        let _ = pos;
        return Some((start, end));
    }
    None
}

/// A fast, deterministic hasher for in-memory tables keyed by short strings
/// and small integers (FxHash's multiply-rotate scheme). SipHash's
/// protection against hash flooding buys nothing here, and no result ever
/// depends on iteration order (vocabularies are sorted before use).
#[derive(Default, Clone, Copy)]
pub struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let v = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ b as u64).wrapping_mul(K);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ i as u64).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    // Integers in one round each: the default goes through `write`, which
    // takes a round per byte for anything shorter than eight (feature keys
    // hash a u32 per lookup).
    fn write_u32(&mut self, i: u32) {
        self.write_u64(i as u64);
    }

    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FastMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<FastHasher>>;
pub type FastSet<K> = std::collections::HashSet<K, std::hash::BuildHasherDefault<FastHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn possessives_are_stripped_once_and_never_to_nothing() {
        assert_eq!(strip_possessive("Russia's"), "Russia");
        assert_eq!(strip_possessive("Russia\u{2019}s"), "Russia");
        assert_eq!(strip_possessive("Moscow's's"), "Moscow's");
        assert_eq!(strip_possessive("'s"), "'s");
        assert_eq!(strip_possessive("\u{2019}s"), "\u{2019}s");
        assert_eq!(strip_possessive("countries'"), "countries'");
        assert_eq!(strip_possessive("Paris"), "Paris");
    }
    use proptest::prelude::*;

    /// The tokenizer as first written, a character at a time: the fast one
    /// must split every text exactly like it.
    fn tokenize_by_char(text: &str) -> Vec<Token<'_>> {
        let mut tokens = Vec::new();
        let mut chars = text.char_indices().peekable();
        while let Some((start, c)) = chars.next() {
            if c.is_alphanumeric() {
                let mut end = start + c.len_utf8();
                let mut all_digits = c.is_numeric();
                while let Some(&(i, d)) = chars.peek() {
                    if d.is_alphanumeric() || is_combining(d) {
                        all_digits &= d.is_numeric();
                        end = i + d.len_utf8();
                        chars.next();
                    } else if (is_apostrophe(d) || d == '-' || d == '.' || d == ',')
                        && joins_word(text, i + d.len_utf8(), d, all_digits)
                    {
                        end = i + d.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                let kind = if all_digits {
                    TokenKind::Number
                } else {
                    TokenKind::Word
                };
                tokens.push(Token {
                    text: &text[start..end],
                    start,
                    end,
                    kind,
                    hyphenated: text[start..end].contains('-'),
                });
            } else if c.is_whitespace() || c.is_control() || is_combining(c) {
                continue;
            } else {
                let end = start + c.len_utf8();
                tokens.push(Token {
                    text: &text[start..end],
                    start,
                    end,
                    kind: TokenKind::Punct,
                    hyphenated: false,
                });
            }
        }
        tokens
    }

    #[test]
    fn tokenize_splits_the_test_articles_like_the_char_by_char_tokenizer() {
        let dirs = ["tests/articles", "tests/articles_heldout"];
        for dir in dirs {
            for entry in std::fs::read_dir(dir).unwrap() {
                let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
                assert_eq!(tokenize(&text), tokenize_by_char(&text));
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn tokenize_splits_any_text_like_the_char_by_char_tokenizer(
            text in r"([a-zA-Z0-9 .,'\-\x{2019}\x{0301}\x{0660}\x{00b2}\x{2160}\x{000b}\x{00a0}\x{3000}\x{2014}\x{201c}\x{212a}é中Ж]|\PC|\pC){0,60}"
        ) {
            prop_assert_eq!(tokenize(&text), tokenize_by_char(&text));
        }
    }

    #[test]
    fn tokens_keep_apostrophes_and_hyphens_inside_words() {
        let toks: Vec<&str> = tokenize("Russia's co-operation won't stop.")
            .iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(toks, vec!["Russia's", "co-operation", "won't", "stop", "."]);
    }

    #[test]
    fn numbers_keep_decimal_points_but_sentences_end() {
        let toks: Vec<&str> = tokenize("Up 3.5 percent. Then 10,000 more")
            .iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(
            toks,
            vec!["Up", "3.5", "percent", ".", "Then", "10,000", "more"]
        );
    }

    #[test]
    fn tokens_handle_non_latin_scripts() {
        let toks = tokenize("Пекин и Москва — 中国");
        let words: Vec<&str> = toks.iter().map(|t| t.text).collect();
        assert_eq!(words, vec!["Пекин", "и", "Москва", "—", "中国"]);
        for t in &toks {
            assert_eq!(&"Пекин и Москва — 中国"[t.start..t.end], t.text);
        }
    }

    #[test]
    fn char_index_round_trips_on_multibyte_text() {
        let text = "“Wang” said Müller";
        let idx = CharIndex::new(text);
        assert_eq!(idx.len_chars(), text.chars().count());
        let b = text.find("said").unwrap();
        let c = idx.to_char(b);
        assert_eq!(c, 7);
        assert_eq!(idx.to_byte(c), Some(b));
        assert_eq!(idx.to_byte(idx.len_chars()), Some(text.len()));
        assert_eq!(idx.to_byte(idx.len_chars() + 1), None);
    }

    #[test]
    fn char_starts_are_counted_like_a_byte_test() {
        let text = "“Wang” said Müller — 中国 and Пекин, 😀 ".repeat(5);
        let bytes = text.as_bytes();
        for from in 0..40 {
            for to in from..bytes.len() {
                let want = bytes[from..to].iter().filter(|&&b| starts_char(b)).count();
                assert_eq!(count_char_starts(&bytes[from..to]), want, "{from}..{to}");
            }
        }
    }

    #[test]
    fn char_index_agrees_with_char_indices_at_every_offset() {
        let text = "“Wang” said Müller — 中国 and Пекин ".repeat(9);
        let starts: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(text.len()))
            .collect();
        let idx = CharIndex::new(&text);
        assert_eq!(idx.len_chars(), starts.len() - 1);
        for byte in 0..text.len() + 3 {
            let want = match starts.binary_search(&byte) {
                Ok(i) => i,
                Err(i) => i - 1,
            };
            assert_eq!(idx.to_char(byte), want, "byte {byte}");
        }
        for ch in 0..starts.len() + 3 {
            assert_eq!(idx.to_byte(ch), starts.get(ch).copied(), "char {ch}");
        }
    }

    #[test]
    fn the_eight_byte_letter_test_agrees_with_the_byte_test() {
        for b in 0..=255u8 {
            for at in 0..8 {
                for fill in [b'a', b' ', 0xE2] {
                    let mut block = [fill; 8];
                    block[at] = b;
                    let got = ascii_alnum_bytes(u64::from_le_bytes(block)).to_le_bytes();
                    for (k, &byte) in block.iter().enumerate() {
                        assert_eq!(got[k] == 0x80, byte.is_ascii_alphanumeric(), "{block:?}");
                        assert!(got[k] == 0x80 || got[k] == 0);
                    }
                }
            }
        }
    }

    #[test]
    fn byte_search_finds_what_a_plain_search_finds() {
        let text = "Ab. \"cd\" é!\n x?“y”…".repeat(3);
        let bytes = text.as_bytes();
        let hit = |b: u8| matches!(b, b'.' | b'!' | b'"' | 0xE2);
        let screen = |w: u64| {
            block_has(w, b'.') || block_has(w, b'!') || block_has(w, b'"') || block_has_non_ascii(w)
        };
        for from in 0..=bytes.len() {
            let want = (from..bytes.len())
                .find(|&i| hit(bytes[i]))
                .unwrap_or(bytes.len());
            assert_eq!(find_byte(bytes, from, screen, hit), want, "from {from}");
        }
        for b in 0..=255u8 {
            for at in 0..8 {
                let mut block = [b'a'; 8];
                block[at] = b;
                let w = u64::from_le_bytes(block);
                assert!(block_has(w, b));
                assert_eq!(block_has(w, b'z'), b == b'z');
                assert_eq!(block_has_non_ascii(w), b >= 0x80);
                // The other seven bytes are 'a', below 128 only.
                for n in [1, 14, 98, 128] {
                    assert_eq!(block_has_below(w, n), b < n || b'a' < n, "{b} {n}");
                }
            }
        }
    }

    #[test]
    fn whole_word_search_ignores_case_and_partial_words() {
        assert_eq!(
            find_whole_word_ci("Russians and russia", "Russia"),
            Some((13, 19))
        );
        assert_eq!(find_whole_word_ci("Prussia", "russia"), None);
        assert_eq!(find_whole_word_ci("", "x"), None);
    }
}
