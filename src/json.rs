//! The few JSON pieces `predict` writes by hand for its per-article records,
//! and the string literals it reads by hand from JSON Lines input.
//!
//! Output is the hot path's last step and, through serde_json's generic
//! serializer, cost about a tenth of `predict`'s instructions: every field
//! name is escaped byte by byte at run time and every piece is its own small
//! write. These writers produce exactly serde_json's compact output (the same
//! escapes, and its own float formatter), only faster; tests hold them to it.

use serde_json::ser::Formatter;

/// Appends `s` as a JSON string literal, escaped as serde_json escapes:
/// `"` and `\` with a backslash, control characters as `\b \t \n \f \r` or
/// `\u00XX`, everything else (non-ASCII included) as it is.
pub fn string(out: &mut Vec<u8>, s: &str) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    loop {
        let i = start + plain_len(&bytes[start..]);
        out.extend_from_slice(&bytes[start..i]);
        let Some(&b) = bytes.get(i) else { break };
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            _ => &[],
        };
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[(b >> 4) as usize]);
            out.push(HEX[(b & 0xf) as usize]);
        } else {
            out.extend_from_slice(escape);
        }
        start = i + 1;
    }
    out.push(b'"');
}

/// How many leading bytes of `bytes` a JSON string holds as they are: the
/// index of the first `"`, `\` or control character, or the length.
/// Eight bytes at a time; a chunk's first such byte is found from its mask
/// rather than by stepping through the chunk.
fn plain_len(bytes: &[u8]) -> usize {
    let mut chunks = bytes.chunks_exact(8);
    for (n, chunk) in chunks.by_ref().enumerate() {
        let mask = escape_mask(u64::from_le_bytes(chunk.try_into().expect("eight bytes")));
        if mask != 0 {
            return n * 8 + (mask.trailing_zeros() / 8) as usize;
        }
    }
    let tail = chunks.remainder();
    let done = bytes.len() - tail.len();
    done + tail
        .iter()
        .position(|&b| ESCAPED[b as usize])
        .unwrap_or(tail.len())
}

/// The bytes a JSON string cannot hold as they are.
const ESCAPED: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = true;
        b += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

/// The high bit of each of the eight bytes of `w` that is `"`, `\` or below
/// 0x20 is set, and the high bits of bytes above one that is may be set too
/// (a borrow carries up), so the lowest set bit marks the first such byte
/// exactly.
fn escape_mask(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let control = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    control | zero_byte(w ^ (ONES * b'"' as u64)) | zero_byte(w ^ (ONES * b'\\' as u64))
}

/// Reads the JSON string literal that starts at `src[at]` (its opening `"`)
/// and returns its value with the index just past its closing quote: the
/// value serde_json reads for it. `None` when serde_json would refuse it (a
/// control character, an unknown escape, a lone surrogate, no closing
/// quote): the caller then leaves the whole record to serde_json, which
/// words the error.
pub fn read_string(src: &str, at: usize) -> Option<(String, usize)> {
    let bytes = src.as_bytes();
    if bytes.get(at) != Some(&b'"') {
        return None;
    }
    let mut i = at + 1;
    let mut start = i;
    let mut out = String::new();
    loop {
        i += plain_len(&bytes[i..]);
        let b = *bytes.get(i)?;
        // `i` is at an ASCII byte and `start` just past one, so both are
        // character boundaries.
        let run = &src[start..i];
        match b {
            b'"' => {
                if out.is_empty() {
                    // No escape met: one allocation of the exact size.
                    return Some((run.to_owned(), i + 1));
                }
                out.push_str(run);
                return Some((out, i + 1));
            }
            b'\\' => {
                if out.capacity() == 0 {
                    // The rest of the input bounds what is left of the value
                    // (an escape never decodes longer than it is written), so
                    // a long string with many escapes is not regrown.
                    out.reserve(bytes.len() - start);
                }
                out.push_str(run);
                let e = *bytes.get(i + 1)?;
                i += 2;
                out.push(match e {
                    b'"' => '"',
                    b'\\' => '\\',
                    b'/' => '/',
                    b'b' => '\u{8}',
                    b'f' => '\u{c}',
                    b'n' => '\n',
                    b'r' => '\r',
                    b't' => '\t',
                    b'u' => {
                        let hi = hex4(bytes.get(i..i + 4)?)?;
                        i += 4;
                        if (0xD800..0xDC00).contains(&hi) {
                            // A pair's second half must follow at once.
                            if bytes.get(i..i + 2) != Some(&b"\\u"[..]) {
                                return None;
                            }
                            let lo = hex4(bytes.get(i + 2..i + 6)?)?;
                            if !(0xDC00..0xE000).contains(&lo) {
                                return None;
                            }
                            i += 6;
                            char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?
                        } else {
                            // A lone second half is no character.
                            char::from_u32(hi)?
                        }
                    }
                    _ => return None,
                });
                start = i;
            }
            // A raw control character.
            _ => return None,
        }
    }
}

/// Four hex digits (either case) as a number.
fn hex4(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |n, &d| {
        let v = match d {
            b'0'..=b'9' => d - b'0',
            b'a'..=b'f' => d - b'a' + 10,
            b'A'..=b'F' => d - b'A' + 10,
            _ => return None,
        };
        Some(n << 4 | v as u32)
    })
}

/// `items` as a JSON array, each written by `write`.
pub fn array<T>(out: &mut Vec<u8>, items: &[T], mut write: impl FnMut(&mut Vec<u8>, &T)) {
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write(out, item);
    }
    out.push(b']');
}

/// `Some(s)` as a string, `None` as `null`.
pub fn opt_string(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => string(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

pub fn uint(out: &mut Vec<u8>, n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// A number as serde_json writes it (shortest form that reads back to the
/// same value); NaN and infinities, which JSON lacks, as `null`.
pub fn float(out: &mut Vec<u8>, x: f64) {
    if x.is_finite() {
        // Writing into a Vec cannot fail.
        let _ = serde_json::ser::CompactFormatter.write_f64(out, x);
    } else {
        out.extend_from_slice(b"null");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours(s: &str) -> String {
        let mut out = Vec::new();
        string(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn strings_are_escaped_exactly_as_serde_json_does() {
        let mut cases: Vec<String> = vec![
            String::new(),
            "plain ascii text that is longer than eight bytes".into(),
            "\"quoted\" and back\\slash".into(),
            "tab\tnew\nline\rcr\u{8}bs\u{c}ff\u{0}nul\u{1f}us\u{7f}del".into(),
            "Señor “curly” — ünïcödé 日本語 😀".into(),
            "/slash stays".into(),
        ];
        // Every byte value that matters, at every offset in an 8-byte chunk.
        for b in 0u8..0x80 {
            for pad in 0..9 {
                cases.push(format!("{}{}tail-text", "x".repeat(pad), b as char));
            }
        }
        for c in &cases {
            assert_eq!(ours(c), serde_json::to_string(c).unwrap(), "{c:?}");
        }
    }

    #[test]
    fn strings_are_read_as_serde_json_reads_them() {
        let mut cases: Vec<String> = vec![
            r#""""#.into(),
            r#""plain ascii text that is longer than eight bytes""#.into(),
            r#""say \"hi\"\n\tand \\ back\/slash \b\f\r""#.into(),
            r#""\u00e9t\u00C9 \u2019s \ud83d\ude00 \u0000""#.into(),
            "\"Señor “curly” — ünïcödé 日本語 😀\"".into(),
            // Refused by serde_json: lone or broken surrogates, bad escapes,
            // raw control characters, no closing quote.
            r#""\ud83d""#.into(),
            r#""\ud83d\u0041""#.into(),
            r#""\ude00x""#.into(),
            r#""\x""#.into(),
            r#""\u12g4""#.into(),
            "\"tab\there\"".into(),
            r#""open"#.into(),
            r#""ends in \"#.into(),
        ];
        for b in 0u8..0x80 {
            for pad in 0..9 {
                cases.push(format!("\"{}{}tail\\\"text\"", "x".repeat(pad), b as char));
            }
        }
        for c in &cases {
            let serde = serde_json::from_str::<String>(c).ok();
            // Text after the closing quote is serde_json's error.
            let ours = read_string(c, 0)
                .filter(|&(_, end)| end == c.len())
                .map(|(s, _)| s);
            assert_eq!(ours, serde, "{c:?}");
        }
        // A value inside a longer text: the index past it is returned.
        let text = r#"{"id": "a\"1", "text": "x"}"#;
        assert_eq!(read_string(text, 7), Some(("a\"1".to_string(), 13)));
    }

    #[test]
    fn numbers_match_serde_json() {
        for n in [0usize, 7, 10, 99, 12345, usize::MAX] {
            let mut out = Vec::new();
            uint(&mut out, n);
            assert_eq!(out, serde_json::to_vec(&n).unwrap());
        }
        for x in [
            0.0,
            -0.0,
            1.0,
            0.1,
            1e-7,
            0.4178358358093212,
            1e300,
            f64::NAN,
        ] {
            let mut out = Vec::new();
            float(&mut out, x);
            assert_eq!(out, serde_json::to_vec(&x).unwrap(), "{x}");
        }
    }
}
