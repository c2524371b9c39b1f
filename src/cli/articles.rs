//! Article inputs shared by `extract` and `predict`: files, directories
//! (their `.txt` and `.jsonl` files in sorted order), JSON Lines records and
//! standard input, read one article at a time so memory stays flat. Every
//! input yields exactly one item, an article or the reason it could not be
//! read.

use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Read};
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use stancekit::text::{block_has, find_byte};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// `.jsonl` files as JSON Lines, everything else (and stdin) as text.
    Auto,
    /// Each file is one plain-text article (optional first line
    /// ` date YYYY-MM-DD ...`).
    Text,
    /// JSON Lines: one `{"id", "text", "date"?}` object per line.
    Jsonl,
}

/// One input article, or why it could not be read.
pub enum Input {
    Article {
        id: String,
        text: String,
        date: Option<String>,
    },
    Failed {
        id: String,
        error: String,
    },
}

/// Expands directories into their `.txt` and `.jsonl` files (sorted, not
/// recursive into hidden entries); no arguments means stdin when it is not a
/// terminal.
pub fn expand(args: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    if args.is_empty() {
        if io::stdin().is_terminal() {
            anyhow::bail!(
                "no input: give article files, a directory, or `-` for standard input (see --help)"
            );
        }
        return Ok(vec![PathBuf::from("-")]);
    }
    let mut out = Vec::new();
    for a in args {
        if a.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(a)
                .map_err(|e| anyhow::anyhow!("{}: {e}", a.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.is_file()
                        && !p
                            .file_name()
                            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                        && matches!(
                            p.extension().and_then(|e| e.to_str()),
                            Some("txt" | "jsonl")
                        )
                })
                .collect();
            found.sort();
            out.extend(found);
        } else {
            out.push(a.clone());
        }
    }
    Ok(out)
}

/// An open JSON Lines input: reader, name for messages, current line.
/// `Send` so that a reader thread can own the inputs.
type OpenJsonl = (BufReader<Box<dyn Read + Send>>, String, usize);

/// Streams the articles of `files` in order.
pub struct Inputs {
    files: std::vec::IntoIter<PathBuf>,
    opened: usize,
    format: InputFormat,
    max: usize,
    jsonl: Option<OpenJsonl>,
    /// The current JSON Lines record, kept from one line to the next so
    /// that its allocation is grown once rather than from empty per record.
    line: Vec<u8>,
}

impl Inputs {
    pub fn new(files: Vec<PathBuf>, format: InputFormat, max_article_bytes: usize) -> Inputs {
        Inputs {
            files: files.into_iter(),
            opened: 0,
            format,
            max: max_article_bytes,
            jsonl: None,
            line: Vec::new(),
        }
    }

    /// How many input files have been opened so far (for progress).
    pub fn files_done(&self) -> usize {
        self.opened
    }

    fn is_jsonl(&self, path: &Path) -> bool {
        match self.format {
            InputFormat::Jsonl => true,
            InputFormat::Text => false,
            InputFormat::Auto => path.extension().is_some_and(|e| e == "jsonl"),
        }
    }

    /// The next record of the open JSON Lines file, if any.
    fn next_record(&mut self) -> Option<Input> {
        let max = self.max;
        loop {
            let (reader, origin, line_no) = self.jsonl.as_mut()?;
            *line_no += 1;
            let line = match read_bounded_line(reader, max, &mut self.line) {
                Ok(Some(l)) => l,
                Ok(None) => {
                    self.jsonl = None;
                    return None;
                }
                Err(e) => {
                    let item = Input::Failed {
                        id: format!("{origin}:{line_no}"),
                        error: format!("{origin}:{line_no}: {e}"),
                    };
                    self.jsonl = None;
                    return Some(item);
                }
            };
            return Some(match line {
                Line::TooLong => Input::Failed {
                    id: format!("{origin}:{line_no}"),
                    error: format!(
                        "{origin}:{line_no}: record longer than --max-article-bytes ({max} bytes)"
                    ),
                },
                Line::Data => {
                    let mut bytes = &self.line[..];
                    // A byte-order mark (as some editors save UTF-8) is not
                    // part of the first record.
                    if *line_no == 1 {
                        bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
                    }
                    if bytes.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    parse_jsonl_record(origin, *line_no, bytes)
                }
            });
        }
    }
}

impl Iterator for Inputs {
    type Item = Input;

    fn next(&mut self) -> Option<Input> {
        loop {
            if let Some(item) = self.next_record() {
                return Some(item);
            }
            let path = self.files.next()?;
            self.opened += 1;
            if !self.is_jsonl(&path) {
                return Some(read_text(&path, self.max));
            }
            let origin = display(&path);
            let reader: Box<dyn Read + Send> = if path.as_os_str() == "-" {
                Box::new(io::stdin())
            } else {
                match File::open(&path) {
                    Ok(f) => Box::new(f),
                    Err(e) => {
                        return Some(Input::Failed {
                            error: format!("{origin}: {e}"),
                            id: origin,
                        })
                    }
                }
            };
            self.jsonl = Some((BufReader::new(reader), origin, 0));
        }
    }
}

pub fn display(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    }
}

/// Decodes bytes as UTF-8, replacing invalid sequences and warning.
fn decode(bytes: Vec<u8>, origin: &str) -> String {
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("warning: {origin}: invalid UTF-8, decoded with replacement characters");
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
    }
}

/// Reads one whole-file article, never more than `max + 1` bytes.
fn read_text(path: &Path, max: usize) -> Input {
    let id = display(path);
    let too_big = |id: &str| Input::Failed {
        id: id.to_string(),
        error: format!("{id}: article longer than --max-article-bytes ({max} bytes)"),
    };
    let mut reader: Box<dyn Read> = if path.as_os_str() == "-" {
        Box::new(io::stdin().lock())
    } else {
        match File::open(path) {
            Ok(f) => {
                if f.metadata()
                    .is_ok_and(|m| m.is_file() && m.len() > max as u64)
                {
                    return too_big(&id);
                }
                Box::new(f)
            }
            Err(e) => {
                return Input::Failed {
                    error: format!("{id}: {e}"),
                    id,
                }
            }
        }
    };
    let mut bytes = Vec::new();
    if let Err(e) = (&mut reader).take(max as u64 + 1).read_to_end(&mut bytes) {
        return Input::Failed {
            error: format!("{id}: {e}"),
            id,
        };
    }
    if bytes.len() > max {
        // Drain the rest of standard input so a pipe writer does not fail;
        // a device such as /dev/zero would never end, so it is left alone.
        if path.as_os_str() == "-" {
            let _ = io::copy(&mut reader, &mut io::sink());
        }
        return too_big(&id);
    }
    let text = decode(bytes, &id);
    Input::Article {
        id,
        text,
        date: None,
    }
}

enum Line {
    /// The line is in the caller's buffer.
    Data,
    TooLong,
}

/// Reads one line (without the terminator) into `buf`, holding at most `max`
/// bytes; longer lines are skipped to their end and reported as `TooLong`.
fn read_bounded_line(
    r: &mut impl BufRead,
    max: usize,
    buf: &mut Vec<u8>,
) -> io::Result<Option<Line>> {
    buf.clear();
    let mut too_long = false;
    let mut any = false;
    // Skipping an over-long line stops somewhere: a line with no end in
    // sight (a device, a binary blob) ends the reading of that input.
    let skip_limit = max.saturating_mul(64).max(64 << 20);
    let mut skipped = 0usize;
    loop {
        if too_long && skipped > skip_limit {
            return Err(io::Error::other(format!(
                "a line runs past {skip_limit} bytes without ending; stopped reading this input"
            )));
        }
        let chunk = r.fill_buf()?;
        if chunk.is_empty() {
            break;
        }
        any = true;
        // Eight bytes at a time: JSON Lines records are whole articles.
        let end = find_byte(chunk, 0, |w| block_has(w, b'\n'), |b| b == b'\n');
        let (take, done) = match (end < chunk.len()).then_some(end) {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        if !too_long {
            let data = if done {
                &chunk[..take - 1]
            } else {
                &chunk[..take]
            };
            if buf.len() + data.len() > max {
                too_long = true;
                // An over-long line's bytes are not kept, nor is the room
                // they took: the next record should not inherit it.
                *buf = Vec::new();
            } else {
                buf.extend_from_slice(data);
            }
        } else {
            skipped += take;
        }
        r.consume(take);
        if done {
            break;
        }
    }
    if !any {
        return Ok(None);
    }
    if too_long {
        return Ok(Some(Line::TooLong));
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(Some(Line::Data))
}

#[derive(serde::Deserialize)]
struct JsonlRecord {
    id: Option<serde_json::Value>,
    text: String,
    #[serde(default)]
    date: Option<String>,
}

fn parse_jsonl_record(origin: &str, line_no: usize, bytes: &[u8]) -> Input {
    // Most records carry their own id: the file:line one is made only when
    // needed, rather than formatted for every record.
    let fallback_id = || format!("{origin}:{line_no}");

    let owned;
    let src: &str = match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(_) => {
            owned = decode(bytes.to_vec(), &fallback_id());
            &owned
        }
    };
    if let Some((id, text, date)) = plain_record(src) {
        return Input::Article {
            id: id.unwrap_or_else(fallback_id),
            text,
            date,
        };
    }
    match serde_json::from_str::<JsonlRecord>(src) {
        Ok(rec) => {
            let id = match rec.id {
                Some(serde_json::Value::String(s)) => s,
                Some(serde_json::Value::Null) | None => fallback_id(),
                Some(v) => v.to_string(),
            };
            Input::Article {
                id,
                text: rec.text,
                date: rec.date,
            }
        }
        Err(e) => {
            let id = fallback_id();
            Input::Failed {
                error: format!("{id}: invalid record: {e}"),
                id,
            }
        }
    }
}

/// The usual record read without serde: `{"id": .., "text": .., "date": ..}`
/// in any order, each key at most once, "text" a string and the others a
/// string or null. Anything else (other keys or value types, escaped keys,
/// invalid JSON) is `None` and left to serde_json, which reads it or words
/// its error as it always has. Deserialising through serde cost about 5% of
/// `predict`'s instructions, mostly in copying and regrowing the text.
type PlainRecord = (Option<String>, String, Option<String>);

fn plain_record(src: &str) -> Option<PlainRecord> {
    let b = src.as_bytes();
    // serde_json's whitespace.
    let skip_ws = |mut i: usize| {
        while matches!(b.get(i), Some(b' ' | b'\n' | b'\t' | b'\r')) {
            i += 1;
        }
        i
    };
    let mut i = skip_ws(0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    let (mut id, mut text, mut date) = (None, None, None);
    loop {
        i = skip_ws(i);
        let slot: &mut Option<Option<String>> = if b[i..].starts_with(b"\"id\"") {
            i += 4;
            &mut id
        } else if b[i..].starts_with(b"\"text\"") {
            i += 6;
            &mut text
        } else if b[i..].starts_with(b"\"date\"") {
            i += 6;
            &mut date
        } else {
            return None;
        };
        if slot.is_some() {
            // A repeated key is serde's error.
            return None;
        }
        i = skip_ws(i);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i = skip_ws(i + 1);
        if b[i..].starts_with(b"null") {
            i += 4;
            *slot = Some(None);
        } else {
            let (value, end) = stancekit::json::read_string(src, i)?;
            i = end;
            *slot = Some(Some(value));
        }
        i = skip_ws(i);
        match b.get(i) {
            Some(b',') => i += 1,
            Some(b'}') => break,
            _ => return None,
        }
    }
    if skip_ws(i + 1) != b.len() {
        return None;
    }
    // A missing or null text is serde's error.
    Some((id.flatten(), text.flatten()?, date.flatten()))
}

/// Loads the party dictionary given with `--parties`, or the embedded one,
/// printing its warnings. A loaded dictionary lives for the whole run.
pub fn party_dict(path: Option<&Path>) -> anyhow::Result<&'static stancekit::parties::PartyDict> {
    let dict: &'static stancekit::parties::PartyDict = match path {
        Some(p) => Box::leak(Box::new(stancekit::parties::PartyDict::load(p)?)),
        None => stancekit::parties::PartyDict::embedded(),
    };
    for w in &dict.warnings {
        eprintln!("warning: {w}");
    }
    Ok(dict)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the record reads as: (id, text, date) or the error message.
    fn read(src: &str) -> Result<(String, String, Option<String>), String> {
        match parse_jsonl_record("f.jsonl", 7, src.as_bytes()) {
            Input::Article { id, text, date } => Ok((id, text, date)),
            Input::Failed { error, .. } => Err(error),
        }
    }

    /// The same record through serde_json alone, as before the fast path.
    fn serde_read(src: &str) -> Result<(String, String, Option<String>), String> {
        match serde_json::from_str::<JsonlRecord>(src) {
            Ok(rec) => Ok((
                match rec.id {
                    Some(serde_json::Value::String(s)) => s,
                    Some(serde_json::Value::Null) | None => "f.jsonl:7".into(),
                    Some(v) => v.to_string(),
                },
                rec.text,
                rec.date,
            )),
            Err(e) => Err(format!("f.jsonl:7: invalid record: {e}")),
        }
    }

    #[test]
    fn plain_records_read_as_serde_reads_them() {
        let records = [
            r#"{"id": "a0", "text": "Plain \"quoted\"\nnext \u2019 \ud83d\ude00"}"#,
            r#"{"text":"t","id":"x","date":"2025-03-22"}"#,
            r#" { "date" : null , "id" : null , "text" : "t" } "#,
            r#"{"text": "no id"}"#,
            r#"{"id": 12, "text": "numeric id"}"#,
            r#"{"id": "a", "text": "t", "source": "extra key"}"#,
            r#"{"id": "a", "text": "t", "id": "twice"}"#,
            r#"{"id": "a", "text": null}"#,
            r#"{"id": "a"}"#,
            r#"{}"#,
            r#"{"id": "a", "text": "t",}"#,
            r#"{"id": "a", "text": "t"} trailing"#,
            r#"{"id": "a", "text": "t""#,
            r#"{"id": "a", "text": "lone \ud83d"}"#,
            r#"{"id": "a", "text": "bad \x escape"}"#,
            r#"{"t\u0065xt": "escaped key"}"#,
            r#"{"id": "a", "text": "t", "date": 5}"#,
            r#"{"id": "a", "text": "t", "date": nul}"#,
            r#"["id", "text"]"#,
            "{\"id\": \"a\", \"text\": \"raw\ttab\"}",
        ];
        for r in records {
            assert_eq!(read(r), serde_read(r), "{r}");
        }
        // The fast path takes the usual records itself.
        assert!(plain_record(records[0]).is_some());
        assert!(plain_record(records[2]).is_some());
        assert!(plain_record(records[5]).is_none());
    }
}
