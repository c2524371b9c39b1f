//! Article inputs shared by `extract` and `predict`: files (directories are
//! expanded by [`super::walk`]), JSON Lines records and standard input, read
//! one article at a time so memory stays flat. Every input yields exactly
//! one item, an article or the reason it could not be read.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use super::walk::Source;

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

/// An open JSON Lines input: reader, name for messages, current line.
/// `Send` so that a reader thread can own the inputs.
type OpenJsonl = (BufReader<Box<dyn Read + Send>>, String, usize);

/// Streams the articles of `sources` in order.
pub struct Inputs {
    sources: std::vec::IntoIter<Source>,
    /// Input bytes consumed so far (for progress by bytes).
    bytes: u64,
    format: InputFormat,
    max: usize,
    jsonl: Option<OpenJsonl>,
    /// The current JSON Lines record, kept from one line to the next so
    /// that its allocation is grown once rather than from empty per record.
    line: Vec<u8>,
}

impl Inputs {
    pub fn new(sources: Vec<Source>, format: InputFormat, max_article_bytes: usize) -> Inputs {
        Inputs {
            sources: sources.into_iter(),
            bytes: 0,
            format,
            max: max_article_bytes,
            jsonl: None,
            line: Vec::new(),
        }
    }

    /// How many input bytes have been consumed so far: whole text files,
    /// JSON Lines up to the current record (for progress by bytes; at the
    /// end of a regular file it has counted the file's size).
    pub fn bytes_done(&self) -> u64 {
        self.bytes
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
            let line = match read_bounded_line(reader, max, &mut self.line, &mut self.bytes) {
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
                    let input = parse_jsonl_record(origin, *line_no, bytes);
                    // The record has its own copy of the text now; a line
                    // buffer grown for one long article would otherwise be
                    // held while the article is scored (and ever after).
                    if self.line.capacity() > LINE_KEEP_BYTES {
                        self.line = Vec::new();
                    }
                    input
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
            let path = match self.sources.next()? {
                Source::Path(path) => path,
                Source::Unreadable { path, error } => {
                    return Some(Input::Failed {
                        id: display(&path),
                        error,
                    })
                }
            };
            if !self.is_jsonl(&path) {
                return Some(read_text(&path, self.max, &mut self.bytes));
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

/// Reads one whole-file article, never more than `max + 1` bytes, adding
/// the bytes it consumed (or skipped) to `consumed`.
fn read_text(path: &Path, max: usize, consumed: &mut u64) -> Input {
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
                if let Some(len) = f
                    .metadata()
                    .ok()
                    .filter(|m| m.is_file() && m.len() > max as u64)
                    .map(|m| m.len())
                {
                    // Not read, but done with: progress counts it.
                    *consumed += len;
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
    let read = (&mut reader).take(max as u64 + 1).read_to_end(&mut bytes);
    *consumed += bytes.len() as u64;
    if let Err(e) = read {
        return Input::Failed {
            error: format!("{id}: {e}"),
            id,
        };
    }
    if bytes.len() > max {
        // Drain the rest of standard input so a pipe writer does not fail;
        // a device such as /dev/zero would never end, so it is left alone.
        if path.as_os_str() == "-" {
            *consumed += io::copy(&mut reader, &mut io::sink()).unwrap_or(0);
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

/// The most room the JSON Lines line buffer keeps between records: ordinary
/// articles reuse it, one long article does not leave it large.
const LINE_KEEP_BYTES: usize = 1 << 20;

/// Reads one line (without the terminator) into `buf`, holding at most `max`
/// bytes; longer lines are skipped to their end and reported as `TooLong`.
/// Every byte taken from `r` is added to `consumed`.
fn read_bounded_line(
    r: &mut impl BufRead,
    max: usize,
    buf: &mut Vec<u8>,
    consumed: &mut u64,
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
        *consumed += take as u64;
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
