//! Articles: the date header, lead, headline and paragraphs, with noise
//! (`Also read:` lines, photo captions, agency boilerplate) marked as excluded.
//!
//! Nothing here rewrites the text: every paragraph is a byte span of the
//! article exactly as read, so offsets computed by later stages point into
//! the original. Lines may end in `\n`, `\r\n` or a lone `\r`.

use serde::Serialize;

use crate::sentences::{self, trim_span};
use crate::text::{block_has, block_has_below, find_byte};

/// What a span of the article is. Everything but `Lead`, `Headline` and
/// `Body` is noise that extraction skips.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParagraphKind {
    /// The ` date YYYY-MM-DD` marker at the start of the first line.
    DateHeader,
    /// The summary sentence(s) glued onto the first line after the date.
    Lead,
    /// The headline glued onto the end of the first line.
    Headline,
    Body,
    /// A photo caption such as `China's top diplomat Wang Yi.(AFP)`.
    Caption,
    /// A link to another story: `Also read: ...`, `Read more: ...`.
    AlsoRead,
    /// Agency or publisher boilerplate ("This article was generated from an
    /// automated news agency feed ...").
    Boilerplate,
}

impl ParagraphKind {
    /// Whether extraction must ignore this span.
    pub fn is_noise(self) -> bool {
        !matches!(
            self,
            ParagraphKind::Lead | ParagraphKind::Headline | ParagraphKind::Body
        )
    }
}

/// A span of the article text (bytes, end exclusive), trimmed of surrounding
/// whitespace, with what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Paragraph {
    pub start: usize,
    pub end: usize,
    pub kind: ParagraphKind,
}

impl Paragraph {
    pub fn is_noise(&self) -> bool {
        self.kind.is_noise()
    }
}

/// One news article as read, split into paragraphs.
#[derive(Debug, Clone)]
pub struct Article {
    pub id: String,
    /// `YYYY-MM-DD` from the date header, if there is one.
    pub date: Option<String>,
    /// The text exactly as read (after lossy UTF-8 decoding).
    pub text: String,
    /// Paragraphs in text order, noise included (see [`Paragraph::is_noise`]).
    pub paragraphs: Vec<Paragraph>,
}

impl Article {
    /// Parses an article. Never fails: text without a date header or blank
    /// lines is one body paragraph per line.
    pub fn parse(id: &str, text: String) -> Article {
        let mut paragraphs = Vec::new();
        let mut date = None;
        let lines = split_lines(&text);
        let has_blank = lines.iter().any(|&(s, e)| is_blank(&text[s..e]));
        let mut first = true;
        let mut i = 0;
        while i < lines.len() {
            let (ls, le) = lines[i];
            if is_blank(&text[ls..le]) {
                i += 1;
                continue;
            }
            // A paragraph: consecutive non-blank lines (or one line when the
            // article has no blank lines at all).
            let mut j = i + 1;
            if has_blank {
                while j < lines.len() && !is_blank(&text[lines[j].0..lines[j].1]) {
                    j += 1;
                }
            }
            let block = &lines[i..j];
            if first {
                first = false;
                if let Some((header_end, d)) = parse_date_header(&text[ls..le]) {
                    date = Some(d);
                    paragraphs.push(Paragraph {
                        start: ls + leading_ws(&text[ls..le]),
                        end: ls + header_end,
                        kind: ParagraphKind::DateHeader,
                    });
                    split_first_line(&text, ls + header_end, le, &mut paragraphs);
                    push_block(&text, &block[1..], &mut paragraphs);
                    i = j;
                    continue;
                }
            }
            push_block(&text, block, &mut paragraphs);
            i = j;
        }
        Article {
            id: id.to_string(),
            date,
            text,
            paragraphs,
        }
    }

    /// Paragraphs that are not noise, in text order.
    pub fn content(&self) -> impl Iterator<Item = &Paragraph> {
        self.paragraphs.iter().filter(|p| !p.is_noise())
    }

    /// The text of a paragraph.
    pub fn slice(&self, p: &Paragraph) -> &str {
        &self.text[p.start..p.end]
    }

    pub fn headline(&self) -> Option<&str> {
        self.find_kind(ParagraphKind::Headline)
    }

    pub fn lead(&self) -> Option<&str> {
        self.find_kind(ParagraphKind::Lead)
    }

    fn find_kind(&self, kind: ParagraphKind) -> Option<&str> {
        self.paragraphs
            .iter()
            .find(|p| p.kind == kind)
            .map(|p| self.slice(p))
    }

    /// Keeps the items whose byte offset (`at`) is not [`Article::is_noise_at`].
    /// Items in ascending order of offset (party and person mentions, as
    /// found) are matched to paragraphs by one walk instead of a binary
    /// search each; any others fall back to the search.
    pub fn retain_content<T>(&self, items: &mut Vec<T>, at: impl Fn(&T) -> usize) {
        let ps = &self.paragraphs;
        let mut i = 0;
        let mut last = 0;
        items.retain(|item| {
            let byte = at(item);
            if byte < last {
                i = ps.partition_point(|p| p.end <= byte);
            }
            last = byte;
            while i < ps.len() && ps[i].end <= byte {
                i += 1;
            }
            match ps.get(i) {
                Some(p) => p.start <= byte && !p.is_noise(),
                None => false,
            }
        });
    }

    /// Whether a byte offset lies in a noise span or outside every paragraph.
    pub fn is_noise_at(&self, byte: usize) -> bool {
        let i = self.paragraphs.partition_point(|p| p.end <= byte);
        match self.paragraphs.get(i) {
            Some(p) => p.start > byte || p.is_noise(),
            None => true,
        }
    }
}

/// Line spans (without terminators) for `\n`, `\r\n` and lone `\r` endings.
fn split_lines(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    loop {
        // Eight bytes at a time to the next line end. Both line-end bytes
        // are below 14, which one test finds (with tabs and other rare
        // control bytes, which the byte test then passes over).
        i = find_byte(
            bytes,
            i,
            |w| block_has_below(w, b'\r' + 1),
            |b| b == b'\n' || b == b'\r',
        );
        if i == bytes.len() {
            break;
        }
        match bytes[i] {
            b'\n' => {
                lines.push((start, i));
                start = i + 1;
            }
            b'\r' => {
                lines.push((start, i));
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < bytes.len() {
        lines.push((start, bytes.len()));
    }
    lines
}

/// `s.trim().is_empty()`, asked of every line up to three times: a line
/// starting with an ASCII byte that is not whitespace (nearly every
/// non-blank line) is answered without decoding it from both ends.
fn is_blank(s: &str) -> bool {
    match s.as_bytes().first() {
        // `char::is_whitespace` for ASCII: tab to carriage return, space.
        Some(&b) if b.is_ascii() && !matches!(b, b'\t'..=b'\r' | b' ') => false,
        _ => s.trim().is_empty(),
    }
}

fn leading_ws(s: &str) -> usize {
    s.len() - s.trim_start().len()
}

/// Recognises ` date YYYY-MM-DD` (optionally followed by ` - `) and returns
/// the byte length of the header within the line and the date.
fn parse_date_header(line: &str) -> Option<(usize, String)> {
    let lead = leading_ws(line);
    let rest = &line[lead..];
    let after = rest
        .strip_prefix("date ")
        .or_else(|| rest.strip_prefix("Date "))?;
    let after_ws = leading_ws(after);
    let d = after[after_ws..].get(..10)?;
    let b = d.as_bytes();
    let ok = b.iter().enumerate().all(|(i, c)| match i {
        4 | 7 => *c == b'-',
        _ => c.is_ascii_digit(),
    });
    if !ok {
        return None;
    }
    let mut end = lead + 5 + after_ws + 10;
    // Optional separator: " - ", " – ", " — ".
    let tail = &line[end..];
    let t = tail.trim_start();
    for sep in ["-", "–", "—"] {
        if let Some(r) = t.strip_prefix(sep) {
            if r.starts_with(char::is_whitespace) || r.is_empty() {
                end += tail.len() - t.len() + sep.len();
            }
            break;
        }
    }
    Some((end, d.to_string()))
}

/// Splits the rest of the first line into lead, headline and caption.
fn split_first_line(text: &str, start: usize, end: usize, out: &mut Vec<Paragraph>) {
    let Some((start, mut end)) = trim_span(text, start, end) else {
        return;
    };
    let mut tail = Vec::new();
    if let Some(cap) = caption_start(&text[start..end]) {
        if let Some((cs, ce)) = trim_span(text, start + cap, end) {
            tail.push(Paragraph {
                start: cs,
                end: ce,
                kind: ParagraphKind::Caption,
            });
        }
        end = start + cap;
    }
    if let Some((start, end)) = trim_span(text, start, end) {
        let s = &text[start..end];
        let ends_sentence = s
            .trim_end_matches(['"', '\u{201d}', '\u{2019}', ')'])
            .ends_with(['.', '!', '?']);
        let head = if ends_sentence {
            None
        } else {
            sentences::last_start(s)
        };
        match head {
            Some(h) if h > 0 => {
                if let Some((a, b)) = trim_span(text, start, start + h) {
                    out.push(Paragraph {
                        start: a,
                        end: b,
                        kind: ParagraphKind::Lead,
                    });
                }
                if let Some((a, b)) = trim_span(text, start + h, end) {
                    out.push(Paragraph {
                        start: a,
                        end: b,
                        kind: ParagraphKind::Headline,
                    });
                }
            }
            _ => out.push(Paragraph {
                start,
                end,
                kind: if ends_sentence {
                    ParagraphKind::Lead
                } else {
                    ParagraphKind::Headline
                },
            }),
        }
    }
    out.extend(tail);
}

/// If `s` ends with a photo caption ("China's top diplomat Wang Yi.(AFP)"),
/// the byte offset where the caption starts.
fn caption_start(s: &str) -> Option<usize> {
    let t = s.trim_end();
    if !t.ends_with(')') {
        return None;
    }
    let open = t.rfind('(')?;
    let inner = &t[open + 1..t.len() - 1];
    if !is_photo_credit(inner) {
        return None;
    }
    // The caption is the sentence before the credit.
    let body = &s[..open];
    let start = sentences::last_start_before_credit(body.trim_end_matches(['.', ' ']));
    Some(start + leading_ws(&s[start..]))
}

/// A short parenthesised photo credit: "AFP", "Reuters", "Photo: X", "File".
fn is_photo_credit(inner: &str) -> bool {
    let inner = inner.trim();
    if inner.is_empty() || inner.len() > 60 {
        return false;
    }
    const CREDITS: &[&str] = &[
        "AFP",
        "Reuters",
        "AP",
        "Bloomberg",
        "Getty",
        "PTI",
        "ANI",
        "EPA",
        "Xinhua",
        "TASS",
        "Sputnik",
        "Anadolu",
        "HT",
        "File",
        "Photo",
        "Pic",
        "Image",
        "X",
        "Twitter",
        "IANS",
        "Shutterstock",
        "Pool",
        "Handout",
        "Screengrab",
        "Representational",
    ];
    let lower = inner.to_lowercase();
    lower.contains("photo")
        || lower.contains("image")
        || lower.starts_with("file")
        || CREDITS.iter().any(|c| {
            inner == *c
                || inner.starts_with(&format!("{c} "))
                || inner.starts_with(&format!("{c}/"))
                || inner.ends_with(&format!("/{c}"))
                || inner.ends_with(&format!(" {c}"))
        })
}

/// Line prefixes (lower-cased) of links to other stories.
const LINK_PREFIXES: &[&str] = &[
    "also read",
    "read also",
    "read more",
    "see also",
    "related:",
    "related stories",
    "also watch",
    "watch:",
    "must read",
    "recommended stories",
    "click here",
    "follow us on",
    "subscribe to",
];

/// Line prefixes (lower-cased) of agency and publisher boilerplate.
const BOILERPLATE_PREFIXES: &[&str] = &["(reporting by", "reporting by", "editing by", "copyright"];

/// Line prefixes (lower-cased) of photo captions.
const CAPTION_PREFIXES: &[&str] = &["photo:", "file photo", "image:"];

/// The first bytes of all the prefixes above: a line starting with any
/// other ASCII byte (nearly every line) has none of them, and needs no
/// lower-cased copy of its head nor a comparison with each.
const PREFIX_STARTS: &[u8] = b"(acefimprsw";

/// Classifies one line of body text. `line` is trimmed and `boilerplate` is
/// its [`boilerplate_start`], which the caller needs too.
fn line_kind(line: &str, boilerplate: Option<usize>) -> ParagraphKind {
    let t = line;
    let is_caption = |t: &str| {
        // The cheap test first: few lines end in a parenthesis.
        caption_start(t) == Some(0) && t.split_whitespace().count() <= 30
    };
    let first = t.as_bytes().first().copied().unwrap_or(b' ');
    if first.is_ascii() && !PREFIX_STARTS.contains(&first.to_ascii_lowercase()) {
        // What the tests below come to when no prefix can match (an ASCII
        // first byte is the lower-cased head's first byte, lowered).
        return if boilerplate.is_some_and(|i| i == 0) {
            ParagraphKind::Boilerplate
        } else if is_caption(t) {
            ParagraphKind::Caption
        } else {
            ParagraphKind::Body
        };
    }
    // The lower-cased first 24 characters of the line, in a stack buffer:
    // this runs for every line of every article. A character lowercases to
    // at most three, and 24 ASCII bytes are 24 characters. It stays bytes:
    // the prefixes it is tested against are ASCII, so a byte comparison
    // answers as a str one would, without a UTF-8 check per line.
    let mut buf = [0u8; 24 * 3 * 4];
    let head = &t.as_bytes()[..t.len().min(24)];
    let lower_prefix: &[u8] = if head.is_ascii() {
        let low = &mut buf[..head.len()];
        low.copy_from_slice(head);
        low.make_ascii_lowercase();
        low
    } else {
        let mut n = 0;
        for c in t.chars().take(24).flat_map(char::to_lowercase) {
            n += c.encode_utf8(&mut buf[n..]).len();
        }
        &buf[..n]
    };
    let has_prefix = |list: &[&str]| list.iter().any(|l| lower_prefix.starts_with(l.as_bytes()));
    if has_prefix(LINK_PREFIXES) {
        return ParagraphKind::AlsoRead;
    }
    if boilerplate.is_some_and(|i| i == 0)
        || has_prefix(BOILERPLATE_PREFIXES)
        || t.starts_with('\u{a9}')
    {
        return ParagraphKind::Boilerplate;
    }
    if has_prefix(CAPTION_PREFIXES) || is_caption(t) {
        return ParagraphKind::Caption;
    }
    ParagraphKind::Body
}

/// Where publisher boilerplate starts inside a line, if anywhere.
fn boilerplate_start(line: &str) -> Option<usize> {
    const MARKERS: &[&str] = &[
        "This article was generated from an automated news agency feed",
        "(Except for the headline, this story has not been edited",
        "(This story has not been edited",
        "This story has not been edited by",
        "(Only the headline of this report may have been reworked",
    ];
    // Boilerplate ends a paragraph: only the tail of a line is searched, so
    // the cost per line is bounded.
    let mut from = line.len().saturating_sub(400);
    while !line.is_char_boundary(from) {
        from -= 1;
    }
    let tail = &line.as_bytes()[from..];
    // Every marker starts with 'T' or '(', bytes rare enough in prose that
    // one word-at-a-time scan for them, trying the markers only where one
    // turns up, costs less than the three substring searches that used to
    // screen each line (and the five finds for the lines that passed). The
    // first place where any marker starts is the earliest marker.
    let mut i = 0;
    while i < tail.len() {
        i = find_byte(
            tail,
            i,
            |w| block_has(w, b'T') || block_has(w, b'('),
            |b| b == b'T' || b == b'(',
        );
        if i == tail.len() {
            break;
        }
        let rest = &tail[i..];
        // The second byte first: most capital Ts are not followed by the
        // 'h' of "This", and a comparison of the whole marker is a call.
        if MARKERS.iter().any(|m| {
            let m = m.as_bytes();
            rest.get(1) == m.get(1) && rest.starts_with(m)
        }) {
            return Some(from + i);
        }
        i += 1;
    }
    None
}

/// Pushes a block of non-blank lines, splitting out noise lines and trailing
/// boilerplate.
fn push_block(text: &str, lines: &[(usize, usize)], out: &mut Vec<Paragraph>) {
    let mut open: Option<(usize, usize)> = None;
    let flush = |open: &mut Option<(usize, usize)>, out: &mut Vec<Paragraph>| {
        if let Some((s, e)) = open.take() {
            if let Some((s, e)) = trim_span(text, s, e) {
                out.push(Paragraph {
                    start: s,
                    end: e,
                    kind: ParagraphKind::Body,
                });
            }
        }
    };
    for &(ls, le) in lines {
        let Some((ls, le)) = trim_span(text, ls, le) else {
            continue;
        };
        let line = &text[ls..le];
        let boilerplate = boilerplate_start(line);
        let kind = line_kind(line, boilerplate);
        if kind != ParagraphKind::Body {
            flush(&mut open, out);
            out.push(Paragraph {
                start: ls,
                end: le,
                kind,
            });
            continue;
        }
        if let Some(b) = boilerplate {
            // Body text followed by boilerplate on the same line.
            match open.as_mut() {
                Some(o) => o.1 = ls + b,
                None => open = Some((ls, ls + b)),
            }
            flush(&mut open, out);
            out.push(Paragraph {
                start: ls + b,
                end: le,
                kind: ParagraphKind::Boilerplate,
            });
            continue;
        }
        match open.as_mut() {
            Some(o) => o.1 = le,
            None => open = Some((ls, le)),
        }
    }
    flush(&mut open, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_are_those_trim_empties() {
        for s in [
            "",
            " ",
            "\t\x0b\x0c\r",
            "\u{a0}",
            " x",
            "x",
            "\u{a0}x",
            "\x1f",
            "\u{3000} ",
        ] {
            assert_eq!(is_blank(s), s.trim().is_empty(), "{s:?}");
        }
    }

    #[test]
    fn every_line_prefix_starts_with_a_listed_byte() {
        for p in LINK_PREFIXES
            .iter()
            .chain(BOILERPLATE_PREFIXES)
            .chain(CAPTION_PREFIXES)
        {
            assert!(PREFIX_STARTS.contains(&p.as_bytes()[0]), "{p:?}");
            assert_eq!(p.to_lowercase(), *p, "{p:?}");
        }
        assert_eq!(line_kind("Photo: AFP", None), ParagraphKind::Caption);
        assert_eq!(line_kind("ALSO READ: x", None), ParagraphKind::AlsoRead);
        assert_eq!(line_kind("\u{a9} 2025 X", None), ParagraphKind::Boilerplate);
        assert_eq!(line_kind("The end", Some(0)), ParagraphKind::Boilerplate);
        assert_eq!(line_kind("The end", None), ParagraphKind::Body);
    }

    #[test]
    fn boilerplate_start_finds_the_earliest_marker_in_the_tail() {
        let m = "(This story has not been edited by staff)";
        assert_eq!(boilerplate_start("The Trade (AFP). No marker here"), None);
        assert_eq!(boilerplate_start(m), Some(0));
        let s = format!("The minister (aged 60) said so. {m}");
        assert_eq!(boilerplate_start(&s), Some(s.len() - m.len()));
        // "This story has not been edited by" starts one byte after the
        // bracketed form; the bracket wins.
        let s = format!("Then. T{m} This article was generated from an automated news agency feed");
        assert_eq!(boilerplate_start(&s), Some(7));
        // Only the last 400 bytes count, and the cut stays on a char boundary.
        let s = format!("{m}{}", "é".repeat(250));
        assert_eq!(boilerplate_start(&s), None);
        let s = format!("{}{m}", "é".repeat(250));
        assert_eq!(boilerplate_start(&s), Some(500));
    }

    fn kinds(a: &Article) -> Vec<(ParagraphKind, &str)> {
        a.paragraphs.iter().map(|p| (p.kind, a.slice(p))).collect()
    }

    #[test]
    fn splits_date_lead_and_headline_from_first_line() {
        let text = " date 2024-11-05 - Ministers met in Oslo on Monday, officials said. Oslo talks end without deal\n\nSecond paragraph.".to_string();
        let a = Article::parse("x", text);
        assert_eq!(a.date.as_deref(), Some("2024-11-05"));
        let k = kinds(&a);
        assert_eq!(
            k[1],
            (
                ParagraphKind::Lead,
                "Ministers met in Oslo on Monday, officials said."
            )
        );
        assert_eq!(
            k[2],
            (ParagraphKind::Headline, "Oslo talks end without deal")
        );
        assert_eq!(k[3], (ParagraphKind::Body, "Second paragraph."));
    }

    #[test]
    fn photo_caption_on_first_line_is_noise() {
        let text = " date 2024-01-02 Leaders met on Friday. Finland's president Alexander Stubb.(Reuters)\n\nBody.".to_string();
        let a = Article::parse("x", text);
        let k = kinds(&a);
        assert_eq!(k[1], (ParagraphKind::Lead, "Leaders met on Friday."));
        assert_eq!(
            k[2],
            (
                ParagraphKind::Caption,
                "Finland's president Alexander Stubb.(Reuters)"
            )
        );
    }

    #[test]
    fn also_read_and_boilerplate_lines_are_noise() {
        let text = "One.\r\n\r\nAlso read: \"Other story\" says someone\r\n\r\nTwo. This article was generated from an automated news agency feed without modifications to text.".to_string();
        let a = Article::parse("x", text);
        let k = kinds(&a);
        assert_eq!(k[0], (ParagraphKind::Body, "One."));
        assert_eq!(k[1].0, ParagraphKind::AlsoRead);
        assert_eq!(k[2], (ParagraphKind::Body, "Two."));
        assert_eq!(k[3].0, ParagraphKind::Boilerplate);
        assert!(a.is_noise_at(a.text.find("Other").unwrap()));
        // Keeping what is not noise, in any order, agrees with asking each.
        let mut offsets: Vec<usize> = (0..=a.text.len() + 1).collect();
        offsets.extend((0..=a.text.len()).rev().step_by(3));
        let mut kept = offsets.clone();
        a.retain_content(&mut kept, |&b| b);
        offsets.retain(|&b| !a.is_noise_at(b));
        assert_eq!(kept, offsets);
        assert!(!a.is_noise_at(a.text.find("Two").unwrap()));
    }

    #[test]
    fn lone_carriage_returns_separate_paragraphs_without_shifting_offsets() {
        let text = "A b.\r\rC d.".to_string();
        let a = Article::parse("x", text);
        let k = kinds(&a);
        assert_eq!(
            k,
            vec![(ParagraphKind::Body, "A b."), (ParagraphKind::Body, "C d.")]
        );
        assert_eq!(a.paragraphs[1].start, 6);
    }

    #[test]
    fn text_without_blank_lines_is_one_paragraph_per_line() {
        let a = Article::parse("x", "First line.\nSecond line.".to_string());
        assert_eq!(a.paragraphs.len(), 2);
        assert_eq!(a.date, None);
    }
}
