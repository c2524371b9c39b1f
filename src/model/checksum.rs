//! The model file's checksum: SHA-256 over the file's JSON without its
//! `checksum` member, written as that member, last in the file:
//!
//! ```text
//! {"format":"stancekit-model","version":2, ... ,"checksum":"sha256:<64 hex digits>"}
//! ```
//!
//! The checksum covers the text, not the parsed numbers: any edit (a flipped
//! digit, a swapped label, reformatting) is a mismatch. Saving and loading
//! compute it the same way: the writer hashes the JSON it is about to write,
//! then inserts the member before the closing brace; the reader cuts that
//! member out again and hashes what is left.
//!
//! This file uses only `std` and `sha2`, so that `build.rs` can include it to
//! check the shipped models before it embeds them.

use sha2::{Digest, Sha256};

/// What comes before the digest, from the comma that ends the previous member.
const OPEN: &str = ",\"checksum\":\"sha256:";
/// What comes after it: the end of the string and of the file's object.
const CLOSE: &str = "\"}";
const HEX_DIGITS: usize = 64;

/// What [`check`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seal {
    /// The file ends with a checksum member and it matches the rest.
    Matches,
    /// The file ends with a checksum member and it does not match.
    Differs,
    /// The file does not end with a checksum member.
    Absent,
}

/// `body`, a JSON object (trailing whitespace allowed), with the checksum
/// member of its text added last, and a newline.
pub fn seal(body: &str) -> String {
    let body = body.trim_end_matches(is_json_space);
    let digest = hex(&Sha256::digest(body.as_bytes()));
    // A body that is not an object cannot be sealed; the reader would reject
    // it anyway, so it is returned as it was.
    let Some(open) = body.strip_suffix('}') else {
        return format!("{body}\n");
    };
    // An empty object gets no comma before the member.
    let sep = if open.trim_end_matches(is_json_space).ends_with('{') {
        &OPEN[1..]
    } else {
        OPEN
    };
    let mut s = String::with_capacity(body.len() + OPEN.len() + HEX_DIGITS + CLOSE.len() + 1);
    s.push_str(open);
    s.push_str(sep);
    s.push_str(&digest);
    s.push_str(CLOSE);
    s.push('\n');
    s
}

/// Whether `text` ends with a checksum member, and if so whether it matches.
pub fn check(text: &str) -> Seal {
    let t = text.trim_end_matches(is_json_space);
    let Some(rest) = t.strip_suffix(CLOSE) else {
        return Seal::Absent;
    };
    let Some(split) = rest.len().checked_sub(HEX_DIGITS) else {
        return Seal::Absent;
    };
    if !rest.is_char_boundary(split) {
        return Seal::Absent;
    }
    let (before, recorded) = rest.split_at(split);
    if !recorded.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Seal::Absent;
    }
    let (body_open, sep) = if let Some(b) = before.strip_suffix(OPEN) {
        (b, OPEN)
    } else if let Some(b) = before.strip_suffix(&OPEN[1..]) {
        (b, &OPEN[1..])
    } else {
        return Seal::Absent;
    };
    // Without a comma the member must be the object's only one.
    if sep.len() < OPEN.len() && !body_open.trim_end_matches(is_json_space).ends_with('{') {
        return Seal::Absent;
    }
    let mut h = Sha256::new();
    h.update(body_open.as_bytes());
    h.update(b"}");
    if hex(&h.finalize()) == recorded {
        Seal::Matches
    } else {
        Seal::Differs
    }
}

fn is_json_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_text_checks_and_any_edit_does_not() {
        let body = r#"{"labels":["a","b"],"w":[1.5,-2.0]}"#;
        let sealed = seal(body);
        assert!(sealed.starts_with(r#"{"labels":["a","b"],"w":[1.5,-2.0],"checksum":"sha256:"#));
        assert!(sealed.ends_with("\"}\n"));
        assert_eq!(check(&sealed), Seal::Matches);
        assert_eq!(check(sealed.trim_end()), Seal::Matches);
        assert_eq!(check(&sealed.replace("1.5", "1.6")), Seal::Differs);
        assert_eq!(
            check(&sealed.replace(r#""a","b""#, r#""b","a""#)),
            Seal::Differs
        );
        assert_eq!(check(body), Seal::Absent);
        // Sealing twice is not sealing once: the first seal is part of the body.
        assert_eq!(check(&seal(&sealed)), Seal::Matches);
        assert_ne!(seal(&sealed), sealed);
    }

    #[test]
    fn an_empty_object_seals_without_a_comma() {
        let sealed = seal("{}");
        assert!(sealed.starts_with("{\"checksum\":\"sha256:"), "{sealed}");
        assert_eq!(check(&sealed), Seal::Matches);
    }

    #[test]
    fn a_checksum_member_elsewhere_or_malformed_is_absent() {
        let digest = "0".repeat(64);
        for text in [
            format!(r#"{{"checksum":"sha256:{digest}","a":1}}"#),
            format!(r#"{{"a":1,"checksum":"sha256:{}"}}"#, &digest[1..]),
            format!(r#"{{"a":1,"checksum":"md5:{digest}"}}"#),
            format!(r#"{{"a":1 "checksum":"sha256:{digest}"}}"#),
            "\"}".to_string(),
            String::new(),
        ] {
            assert_eq!(check(&text), Seal::Absent, "{text}");
        }
    }
}
