//! The few JSON pieces `predict` writes by hand for its per-article records.
//!
//! Output is the hot path's last step and, through serde_json's generic
//! serializer, cost about a tenth of `predict`'s instructions: every field
//! name is escaped byte by byte at run time and every piece is its own small
//! write. These writers produce exactly serde_json's compact output (the same
//! escapes, and its own float formatter), only faster; tests hold them to it.

use serde_json::ser::Formatter;

/// An enum whose values are written and read as JSON strings, named once:
/// `as_str` is the one table, and serde writes and reads through it.
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// The value named `s`, if one is.
            pub fn parse(s: &str) -> Option<$name> {
                [$($name::$variant),+].into_iter().find(|v| v.as_str() == s)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $name::parse(&s)
                    .ok_or_else(|| serde::de::Error::unknown_variant(&s, &[$($text),+]))
            }
        }
    };
}
pub(crate) use named_enum;

/// A record written by hand: byte for byte what `serde_json::to_writer`
/// writes for it (compact), which tests hold it to.
pub(crate) trait WriteJson {
    fn write_json(&self, out: &mut Vec<u8>);
}

/// Fields a later stage adds to a record, flattened into it
/// (`#[serde(flatten)]`): written as `,"name":value` each, nothing for `()`.
pub(crate) trait WriteFields {
    fn write_fields(&self, out: &mut Vec<u8>);
}

impl WriteFields for () {
    fn write_fields(&self, _: &mut Vec<u8>) {}
}

/// A number read back: serde_json writes NaN and the infinities as `null`
/// (see [`float`]), which reads back as NaN rather than as an error.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NanIfNull(pub f64);

impl<'de> serde::Deserialize<'de> for NanIfNull {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(NanIfNull(
            <Option<f64> as serde::Deserialize>::deserialize(d)?.unwrap_or(f64::NAN),
        ))
    }
}

/// [`NanIfNull`] for a field (`#[serde(deserialize_with = ...)]`).
pub(crate) fn nan_if_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    <NanIfNull as serde::Deserialize>::deserialize(d).map(|x| x.0)
}

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

/// `items` as a JSON array.
pub fn array<T: WriteJson>(out: &mut Vec<u8>, items: &[T]) {
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        item.write_json(out);
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
