//! Labelled examples in: JSON Lines or CSV with a header row, with every
//! field name remappable. Each bad record is an error naming file:line, or,
//! with `skip_invalid`, a warning that is counted; nothing is dropped
//! silently.

use crate::error::{Error, Result};
use crate::text::{find_whole_word_ci, CharIndex};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// One labelled (or to-be-labelled) statement toward one target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Example {
    pub id: Option<String>,
    pub text: String,
    /// The party the stance is toward; empty for quote-level tasks.
    pub target: String,
    /// Byte span of the target's mention in `text`, when known or found.
    pub span: Option<(usize, usize)>,
    pub label: Option<String>,
    pub speaker: Option<String>,
    pub speaker_party: Option<String>,
    pub sentiment: Option<String>,
    pub source: Option<String>,
    pub date: Option<String>,
    /// Every input field the loader does not use (e.g. `topic`, `hard`),
    /// as read: CSV values are strings, JSON values keep their type.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, serde_json::Value>,
    /// 1-based line (JSONL) or record line (CSV) in the input, for messages.
    pub line: usize,
}

impl Example {
    /// The statement is about the speaker's own party.
    pub fn is_own_party(&self) -> bool {
        self.speaker_party
            .as_deref()
            .is_some_and(|p| !self.target.is_empty() && p.eq_ignore_ascii_case(&self.target))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    Jsonl,
    Csv,
}

impl InputFormat {
    /// `.csv` means CSV; everything else is read as JSON Lines.
    pub fn from_path(path: &Path) -> InputFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("csv") => InputFormat::Csv,
            _ => InputFormat::Jsonl,
        }
    }
}

/// Which input field holds what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMap {
    pub text: String,
    pub target: String,
    pub label: String,
    pub span: (String, String),
}

impl Default for FieldMap {
    fn default() -> Self {
        FieldMap {
            text: "text".into(),
            target: "target".into(),
            label: "label".into(),
            span: ("target_start".into(), "target_end".into()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub fields: FieldMap,
    pub format: Option<InputFormat>,
    /// Train and eval need a label on every record.
    pub require_label: bool,
    /// Target-aware tasks need a target on every record.
    pub require_target: bool,
    /// Bad records become warnings instead of a fatal error.
    pub skip_invalid: bool,
    /// Records larger than this many bytes are rejected rather than read whole.
    pub max_record_bytes: usize,
    /// Keep the fields the loader does not use in [`Example::extra`]. Off
    /// for training, which never reads them: a map per example costs more
    /// than the example's text (1M training rows).
    pub keep_extra: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            fields: FieldMap::default(),
            format: None,
            require_label: true,
            require_target: true,
            skip_invalid: false,
            max_record_bytes: 10 * 1024 * 1024,
            keep_extra: true,
        }
    }
}

/// What a load produced: the usable examples and every record that was not
/// used, with the reason.
#[derive(Debug, Default)]
pub struct Loaded {
    pub examples: Vec<Example>,
    pub skipped: Vec<Error>,
}

/// For quote-level tasks: one example per distinct text (the first), since a
/// corpus labelled per target repeats each quote once per target.
pub fn distinct_texts(examples: Vec<Example>) -> Vec<Example> {
    let mut seen = std::collections::HashSet::new();
    examples
        .into_iter()
        .filter(|e| seen.insert(e.text.clone()))
        .collect()
}

/// A record before validation: field name -> value as read. A used field
/// must be text, a number, a boolean or null; other fields pass through, of
/// any type, into [`Example::extra`].
type RawRecord = Vec<(String, serde_json::Value)>;

/// Loads labelled examples from a file; see [`load_reader`].
pub fn load(path: &Path, opts: &LoadOptions) -> Result<Loaded> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let format = opts.format.unwrap_or_else(|| InputFormat::from_path(path));
    load_reader(file, &path.display().to_string(), format, opts)
}

/// Loads labelled examples from any reader. `origin` names the input in
/// messages. Fails on the first bad record unless `skip_invalid` is set; an
/// I/O error or an unreadable header is always fatal.
pub fn load_reader<R: Read>(
    reader: R,
    origin: &str,
    format: InputFormat,
    opts: &LoadOptions,
) -> Result<Loaded> {
    let mut loaded = Loaded::default();
    let mut accept = |line: usize, raw: std::result::Result<RawRecord, String>| -> Result<()> {
        match raw.and_then(|r| build_example(r, line, opts)) {
            Ok(ex) => loaded.examples.push(ex),
            Err(message) => {
                let err = Error::record(origin, line, message);
                if !opts.skip_invalid {
                    return Err(err);
                }
                loaded.skipped.push(err);
            }
        }
        Ok(())
    };
    match format {
        InputFormat::Jsonl => read_jsonl(reader, origin, opts.max_record_bytes, &mut accept)?,
        InputFormat::Csv => read_csv(reader, origin, opts.max_record_bytes, &mut accept)?,
    }
    Ok(loaded)
}

fn read_jsonl<R: Read>(
    reader: R,
    origin: &str,
    max_bytes: usize,
    accept: &mut dyn FnMut(usize, std::result::Result<RawRecord, String>) -> Result<()>,
) -> Result<()> {
    let mut reader = BufReader::new(reader);
    let mut buf = Vec::new();
    let mut line_no = 0usize;
    loop {
        buf.clear();
        // Read at most max_bytes+1 so a huge line cannot exhaust memory.
        let n = (&mut reader)
            .take(max_bytes as u64 + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::io(origin, e))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        if !buf.ends_with(b"\n") && n > max_bytes {
            // Skip the rest of the oversized line before reporting it.
            let mut sink = Vec::new();
            loop {
                sink.clear();
                let m = (&mut reader)
                    .take(1 << 20)
                    .read_until(b'\n', &mut sink)
                    .map_err(|e| Error::io(origin, e))?;
                if m == 0 || sink.ends_with(b"\n") {
                    break;
                }
            }
            accept(
                line_no,
                Err(format!("record is larger than {max_bytes} bytes")),
            )?;
            continue;
        }
        let mut bytes: &[u8] = &buf;
        if line_no == 1 {
            bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        }
        let trimmed = trim_ascii(bytes);
        if trimmed.is_empty() {
            continue;
        }
        accept(line_no, parse_json_record(trimmed))?;
    }
    Ok(())
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &b[start..end]
}

fn parse_json_record(bytes: &[u8]) -> std::result::Result<RawRecord, String> {
    match serde_json::from_slice(bytes).map_err(|e| format!("invalid JSON: {e}"))? {
        JsonRecord::Object(raw) => Ok(raw),
        JsonRecord::Other => Err("expected a JSON object".into()),
    }
}

/// A JSON line read straight into a [`RawRecord`]: going through a
/// `serde_json::Value` built a map of the fields only to turn it into a
/// list. Anything but an object is still read whole, so a line that is not
/// valid JSON gets the same message as it would as a `Value`.
enum JsonRecord {
    Object(RawRecord),
    Other,
}

impl<'de> serde::Deserialize<'de> for JsonRecord {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(JsonRecordVisitor)
    }
}

/// Drops every field whose key comes again later, as a JSON object read
/// into a map does (the last copy wins). Both readers apply it, to JSON keys
/// and to CSV columns.
fn keep_last_of_each_key(raw: &mut RawRecord) {
    let repeated = if raw.len() <= 16 {
        (1..raw.len()).any(|i| raw[..i].iter().any(|(k, _)| *k == raw[i].0))
    } else {
        let mut seen = std::collections::HashSet::new();
        !raw.iter().all(|(k, _)| seen.insert(k.as_str()))
    };
    if repeated {
        let mut last = std::collections::HashMap::new();
        for (i, (k, _)) in raw.iter().enumerate() {
            last.insert(k.clone(), i);
        }
        let mut i = 0;
        raw.retain(|(k, _)| {
            i += 1;
            last[k] == i - 1
        });
    }
}

struct JsonRecordVisitor;

impl<'de> serde::de::Visitor<'de> for JsonRecordVisitor {
    type Value = JsonRecord;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<JsonRecord, A::Error> {
        let mut raw = RawRecord::with_capacity(map.size_hint().unwrap_or(8));
        while let Some(key) = map.next_key::<String>()? {
            raw.push((key, map.next_value::<serde_json::Value>()?));
        }
        keep_last_of_each_key(&mut raw);
        Ok(JsonRecord::Object(raw))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<JsonRecord, A::Error> {
        while seq.next_element::<serde_json::Value>()?.is_some() {}
        Ok(JsonRecord::Other)
    }

    fn visit_bool<E>(self, _: bool) -> std::result::Result<JsonRecord, E> {
        Ok(JsonRecord::Other)
    }

    fn visit_i64<E>(self, _: i64) -> std::result::Result<JsonRecord, E> {
        Ok(JsonRecord::Other)
    }

    fn visit_u64<E>(self, _: u64) -> std::result::Result<JsonRecord, E> {
        Ok(JsonRecord::Other)
    }

    fn visit_f64<E>(self, _: f64) -> std::result::Result<JsonRecord, E> {
        Ok(JsonRecord::Other)
    }

    fn visit_str<E>(self, _: &str) -> std::result::Result<JsonRecord, E> {
        Ok(JsonRecord::Other)
    }

    fn visit_unit<E>(self) -> std::result::Result<JsonRecord, E> {
        Ok(JsonRecord::Other)
    }
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
        _ => "a scalar",
    }
}

fn read_csv<R: Read>(
    reader: R,
    origin: &str,
    max_bytes: usize,
    accept: &mut dyn FnMut(usize, std::result::Result<RawRecord, String>) -> Result<()>,
) -> Result<()> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(QuoteTracker::new(reader));
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| Error::input(origin, format!("cannot read the CSV header: {e}")))?
        .iter()
        .enumerate()
        .map(|(i, h)| {
            if i == 0 {
                h.trim_start_matches('\u{feff}').to_string()
            } else {
                h.to_string()
            }
        })
        .collect();
    let mut record = csv::StringRecord::new();
    // Each record is accepted once the next one is read: an unterminated
    // quote runs to the end of the input, so only at the end is it known
    // whether the last record was cut off.
    let mut pending: Option<(usize, std::result::Result<RawRecord, String>)> = None;
    loop {
        let item = match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(0, |p| p.line() as usize);
                if record.as_slice().len() > max_bytes {
                    (
                        line,
                        Err(format!("record is larger than {max_bytes} bytes")),
                    )
                } else if record.len() != headers.len() {
                    let msg = format!(
                        "has {} fields but the header has {}",
                        record.len(),
                        headers.len()
                    );
                    (line, Err(msg))
                } else {
                    let mut raw = headers
                        .iter()
                        .zip(record.iter())
                        .map(|(h, v)| (h.clone(), serde_json::Value::String(v.to_string())))
                        .collect();
                    // A repeated column keeps its last value, as a repeated
                    // JSON key does.
                    keep_last_of_each_key(&mut raw);
                    (line, Ok(raw))
                }
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                match e.kind() {
                    csv::ErrorKind::Io(_) => {
                        return Err(Error::input(origin, format!("read error: {e}")))
                    }
                    _ => (line, Err(format!("invalid CSV: {e}"))),
                }
            }
        };
        if let Some((line, raw)) = pending.replace(item) {
            accept(line, raw)?;
        }
    }
    let truncated = rdr.get_ref().in_quotes();
    match pending {
        Some((line, _)) if truncated => accept(
            line,
            Err(
                "a quoted field is not closed before the end of the input (truncated file?)".into(),
            ),
        )?,
        Some((line, raw)) => accept(line, raw)?,
        None if truncated => {
            return Err(Error::input(
                origin,
                "the CSV header has a quoted field that is never closed",
            ))
        }
        None => {}
    }
    Ok(())
}

/// Passes bytes through while following the CSV quoting rules the reader
/// uses (`"` quotes a field, `""` inside quotes is a literal quote), so that
/// a file ending inside a quoted field can be told from a complete one: the
/// csv crate silently closes such a field at the end of the input.
struct QuoteTracker<R> {
    inner: R,
    state: QuoteState,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum QuoteState {
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: the field's end, or the first half of `""`.
    QuoteInQuoted,
}

impl<R> QuoteTracker<R> {
    fn new(inner: R) -> Self {
        QuoteTracker {
            inner,
            state: QuoteState::FieldStart,
        }
    }

    fn in_quotes(&self) -> bool {
        self.state == QuoteState::Quoted
    }
}

impl<R: Read> Read for QuoteTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            use QuoteState::*;
            let sep = matches!(b, b',' | b'\n' | b'\r');
            self.state = match (self.state, b) {
                (Quoted, b'"') => QuoteInQuoted,
                (Quoted, _) => Quoted,
                (QuoteInQuoted, b'"') => Quoted,
                (FieldStart, b'"') => Quoted,
                (_, _) if sep => FieldStart,
                (_, _) => Unquoted,
            };
        }
        Ok(n)
    }
}

/// Removes a used field from the record and reads it as text (None when
/// absent or null); arrays and objects are an error naming the field.
fn take_field(raw: &mut RawRecord, name: &str) -> std::result::Result<Option<String>, String> {
    // The readers leave each key once (the last copy); should one come
    // twice, the last still wins: `remove` keeps the others in order, where
    // `swap_remove` moved the last field in front of earlier ones.
    let Some(pos) = raw.iter().rposition(|(k, _)| k == name) else {
        return Ok(None);
    };
    match raw.remove(pos).1 {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::String(s) => Ok(Some(s)),
        serde_json::Value::Number(n) => Ok(Some(n.to_string())),
        serde_json::Value::Bool(b) => Ok(Some(b.to_string())),
        other => Err(format!(
            "field \"{name}\" must be a string or number, found {}",
            json_kind(&other)
        )),
    }
}

/// [`take_field`] for the label, which is a name: a string, or a whole
/// number read as its decimal text (NewsMTSC's polarity is -1, 0, 1). A
/// boolean or a number with a fraction or exponent is an error, not a label
/// of its own: `true`, `1` and `1.0` would otherwise be three labels.
fn take_label(raw: &mut RawRecord, name: &str) -> std::result::Result<Option<String>, String> {
    if let Some((_, v)) = raw.iter().rev().find(|(k, _)| k == name) {
        let whole = |n: &serde_json::Number| n.is_i64() || n.is_u64();
        match v {
            serde_json::Value::Bool(_) => {}
            serde_json::Value::Number(n) if !whole(n) => {}
            _ => return take_field(raw, name),
        }
        return Err(format!(
            "field \"{name}\" must be a string or a whole number, found {v}"
        ));
    }
    Ok(None)
}

fn build_example(
    mut raw: RawRecord,
    line: usize,
    opts: &LoadOptions,
) -> std::result::Result<Example, String> {
    let f = &opts.fields;
    let text =
        take_field(&mut raw, &f.text)?.ok_or_else(|| format!("missing field \"{}\"", f.text))?;
    if text.trim().is_empty() {
        return Err(format!("field \"{}\" is empty", f.text));
    }
    let target = match take_field(&mut raw, &f.target)? {
        Some(t) if !t.trim().is_empty() => t.trim().to_string(),
        Some(_) if opts.require_target => return Err(format!("field \"{}\" is empty", f.target)),
        None if opts.require_target => return Err(format!("missing field \"{}\"", f.target)),
        _ => String::new(),
    };
    let label = match take_label(&mut raw, &f.label)? {
        Some(l) if !l.trim().is_empty() => Some(l.trim().to_string()),
        Some(_) if opts.require_label => return Err(format!("field \"{}\" is empty", f.label)),
        None if opts.require_label => return Err(format!("missing field \"{}\"", f.label)),
        _ => None,
    };
    let start = take_field(&mut raw, &f.span.0)?.filter(|s| !s.is_empty());
    let end = take_field(&mut raw, &f.span.1)?.filter(|s| !s.is_empty());
    let span = match (start, end) {
        (Some(s), Some(e)) => Some(char_span_to_bytes(&text, &s, &e, &f.span)?),
        (None, None) => None,
        (Some(_), None) => return Err(format!("\"{}\" given without \"{}\"", f.span.0, f.span.1)),
        (None, Some(_)) => return Err(format!("\"{}\" given without \"{}\"", f.span.1, f.span.0)),
    };
    let span = span.or_else(|| {
        if target.is_empty() {
            None
        } else {
            find_whole_word_ci(&text, &target)
        }
    });
    let mut opt = |name: &str| take_field(&mut raw, name).map(|v| v.filter(|s| !s.is_empty()));
    let (id, speaker, speaker_party) = (opt("id")?, opt("speaker")?, opt("speaker_party")?);
    let (sentiment, source, date) = (opt("sentiment")?, opt("source")?, opt("date")?);
    Ok(Example {
        id,
        speaker,
        speaker_party,
        sentiment,
        source,
        date,
        extra: if opts.keep_extra {
            raw.into_iter().collect()
        } else {
            BTreeMap::new()
        },
        text,
        target,
        span,
        label,
        line,
    })
}

fn char_span_to_bytes(
    text: &str,
    start: &str,
    end: &str,
    names: &(String, String),
) -> std::result::Result<(usize, usize), String> {
    let parse = |v: &str, name: &str| {
        v.trim()
            .parse::<usize>()
            .map_err(|_| format!("\"{name}\" must be a non-negative integer, found {v:?}"))
    };
    let (s, e) = (parse(start, &names.0)?, parse(end, &names.1)?);
    let idx = CharIndex::new(text);
    if s == e {
        return Err(format!("empty span {s}..{e} (the end is exclusive)"));
    }
    if s > e {
        return Err(format!("span {s}..{e} ends before it starts"));
    }
    if e > idx.len_chars() {
        return Err(format!(
            "span {s}..{e} is outside the text ({} characters)",
            idx.len_chars()
        ));
    }
    // Both offsets are within the text here, so the lookups succeed.
    match (idx.to_byte(s), idx.to_byte(e)) {
        (Some(bs), Some(be)) => Ok((bs, be)),
        _ => Err(format!("span {s}..{e} is outside the text")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_str(s: &str, format: InputFormat, opts: &LoadOptions) -> Result<Loaded> {
        load_reader(s.as_bytes(), "mem.jsonl", format, opts)
    }

    #[test]
    fn reads_numbers_as_label_text_and_remaps_fields() {
        let opts = LoadOptions {
            fields: FieldMap {
                text: "sentence".into(),
                target: "mention".into(),
                label: "polarity".into(),
                span: ("from".into(), "to".into()),
            },
            ..LoadOptions::default()
        };
        let l = load_str(
            r#"{"sentence":"Über Russia","mention":"Russia","polarity":-1,"from":5,"to":11}"#,
            InputFormat::Jsonl,
            &opts,
        )
        .unwrap();
        let ex = &l.examples[0];
        assert_eq!(ex.label.as_deref(), Some("-1"));
        assert_eq!(&ex.text[ex.span.unwrap().0..ex.span.unwrap().1], "Russia");
    }

    #[test]
    fn a_label_that_is_not_a_string_or_a_whole_number_is_an_error_with_its_line() {
        let opts = LoadOptions {
            skip_invalid: true,
            ..LoadOptions::default()
        };
        let data = [
            r#"{"text":"Russia","target":"Russia","label":true}"#,
            r#"{"text":"Russia","target":"Russia","label":1}"#,
            r#"{"text":"Russia","target":"Russia","label":1.0}"#,
            r#"{"text":"Russia","target":"Russia","label":"1"}"#,
            r#"{"text":"Russia","target":"Russia","label":-1}"#,
            r#"{"text":"Russia","target":"Russia","label":1e0}"#,
            r#"{"text":"Russia","target":"Russia","label":false,"label":"x"}"#,
        ]
        .join("\n");
        let l = load_str(&data, InputFormat::Jsonl, &opts).unwrap();
        let labels: Vec<_> = l.examples.iter().map(|e| e.label.as_deref()).collect();
        assert_eq!(labels, [Some("1"), Some("1"), Some("-1"), Some("x")]);
        let msgs: Vec<String> = l.skipped.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            msgs,
            [
                "mem.jsonl:1: field \"label\" must be a string or a whole number, found true",
                "mem.jsonl:3: field \"label\" must be a string or a whole number, found 1.0",
                "mem.jsonl:6: field \"label\" must be a string or a whole number, found 1.0",
            ]
        );
    }

    #[test]
    fn an_empty_span_is_called_empty_and_a_reversed_one_reversed() {
        let opts = LoadOptions::default();
        for (span, msg) in [
            (
                (11, 11),
                "mem.jsonl:1: empty span 11..11 (the end is exclusive)",
            ),
            ((12, 11), "mem.jsonl:1: span 12..11 ends before it starts"),
            (
                (3, 99),
                "mem.jsonl:1: span 3..99 is outside the text (17 characters)",
            ),
        ] {
            let line = format!(
                r#"{{"text":"We condemn Russia","target":"Russia","label":"x","target_start":{},"target_end":{}}}"#,
                span.0, span.1
            );
            let err = load_str(&line, InputFormat::Jsonl, &opts).unwrap_err();
            assert_eq!(err.to_string(), msg);
        }
    }

    #[test]
    fn missing_field_is_an_error_with_line_number() {
        let err = load_str(
            "{\"text\":\"a\",\"target\":\"b\",\"label\":\"x\"}\n\n{\"text\":\"a\",\"label\":\"x\"}\n",
            InputFormat::Jsonl,
            &LoadOptions::default(),
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "mem.jsonl:3: missing field \"target\"");
    }

    #[test]
    fn skip_invalid_counts_every_bad_record() {
        let opts = LoadOptions {
            skip_invalid: true,
            ..LoadOptions::default()
        };
        let data = "{\"text\":\"Russia\",\"target\":\"Russia\",\"label\":\"x\"}\n{bad json\n{\"text\":\"  \",\"target\":\"b\",\"label\":\"x\"}\n{\"text\":\"ab\",\"target\":\"b\",\"label\":\"x\",\"target_start\":1,\"target_end\":9}\n[1]\n";
        let l = load_str(data, InputFormat::Jsonl, &opts).unwrap();
        assert_eq!(l.examples.len(), 1);
        let msgs: Vec<String> = l.skipped.iter().map(|e| e.to_string()).collect();
        assert!(msgs[0].starts_with("mem.jsonl:2: invalid JSON"), "{msgs:?}");
        assert_eq!(msgs[1], "mem.jsonl:3: field \"text\" is empty");
        assert!(
            msgs[2].contains(":4: span 1..9 is outside the text"),
            "{msgs:?}"
        );
        assert_eq!(msgs[3], "mem.jsonl:5: expected a JSON object");
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value_only() {
        let s = r#"{"text": "a b", "label": "x", "target": "t", "label": "y", "k": 1, "k": 2}"#;
        let loaded = load_str(s, InputFormat::Jsonl, &LoadOptions::default()).unwrap();
        let ex = &loaded.examples[0];
        assert_eq!(ex.label.as_deref(), Some("y"));
        assert_eq!(ex.extra.len(), 1);
        assert_eq!(ex.extra["k"], serde_json::json!(2));
        for (line, kind) in [
            ("[1, {\"a\": 2}]", "expected a JSON object"),
            ("7 x", "invalid JSON"),
        ] {
            let err = load_str(line, InputFormat::Jsonl, &LoadOptions::default()).unwrap_err();
            assert!(err.to_string().contains(kind), "{err}");
        }
    }

    #[test]
    fn a_repeated_csv_column_keeps_its_last_value() {
        // Used fields between the two copies: reading `text` and `target`
        // once reordered the record so that the first `label` was found.
        let l = load_str(
            "label,text,target,label,topic,topic\nneutral,We condemn Russia,Russia,critical,a,b\n",
            InputFormat::Csv,
            &LoadOptions::default(),
        )
        .unwrap();
        let ex = &l.examples[0];
        assert_eq!(ex.label.as_deref(), Some("critical"));
        assert_eq!(ex.extra.len(), 1, "{:?}", ex.extra);
        assert_eq!(ex.extra["topic"], serde_json::json!("b"));
        let l = load_str(
            "text,label,target,label\nWe condemn Russia,neutral,Russia,critical\n",
            InputFormat::Csv,
            &LoadOptions::default(),
        )
        .unwrap();
        assert_eq!(l.examples[0].label.as_deref(), Some("critical"));
        assert!(l.examples[0].extra.is_empty());
    }

    #[test]
    fn unused_fields_of_any_type_pass_through() {
        let l = load_str(
            r#"{"text":"a b","target":"b","label":"x","hard":["negation"],"meta":{"k":1},"topic":"trade"}"#,
            InputFormat::Jsonl,
            &LoadOptions::default(),
        )
        .unwrap();
        let extra = &l.examples[0].extra;
        assert_eq!(extra.len(), 3, "{extra:?}");
        assert_eq!(extra["hard"], serde_json::json!(["negation"]));
        assert_eq!(extra["meta"], serde_json::json!({"k": 1}));
        assert_eq!(extra["topic"], serde_json::json!("trade"));
    }

    #[test]
    fn unused_csv_columns_pass_through_as_text() {
        let l = load_str(
            "text,target,label,hard\nRussia said,Russia,neutral,\"negation,hedge\"\n",
            InputFormat::Csv,
            &LoadOptions::default(),
        )
        .unwrap();
        let ex = &l.examples[0];
        assert_eq!(ex.extra.len(), 1);
        assert_eq!(ex.extra["hard"], serde_json::json!("negation,hedge"));
    }

    #[test]
    fn finds_target_mention_when_no_span_given() {
        let l = load_str(
            "text,target,label\n\"Critics of the KREMLIN, said X\",Kremlin,critical\n\"No mention here\",Kremlin,neutral\n",
            InputFormat::Csv,
            &LoadOptions::default(),
        )
        .unwrap();
        assert_eq!(l.examples[0].span, Some((15, 22)));
        assert_eq!(l.examples[1].span, None);
        assert_eq!(l.examples[1].line, 3);
    }

    #[test]
    fn csv_with_bom_and_ragged_row() {
        let opts = LoadOptions {
            skip_invalid: true,
            ..LoadOptions::default()
        };
        let l = load_str(
            "\u{feff}text,target,label\nhello,x,y\nonly,two\n",
            InputFormat::Csv,
            &opts,
        )
        .unwrap();
        assert_eq!(l.examples.len(), 1);
        assert_eq!(
            l.skipped[0].to_string(),
            "mem.jsonl:3: has 2 fields but the header has 3"
        );
    }

    #[test]
    fn csv_cut_inside_a_quoted_field_is_a_bad_record() {
        let opts = LoadOptions {
            skip_invalid: true,
            ..LoadOptions::default()
        };
        let data = "text,target,label\n\"He said \"\"no\"\"\",x,y\n\"cut off,x,y\nmore,x,y\n";
        let l = load_str(data, InputFormat::Csv, &opts).unwrap();
        assert_eq!(l.examples.len(), 1);
        assert_eq!(l.examples[0].text, "He said \"no\"");
        assert_eq!(
            l.skipped[0].to_string(),
            "mem.jsonl:3: a quoted field is not closed before the end of the input (truncated file?)"
        );
        // A quote inside an unquoted field is a literal, as the reader reads it.
        let l = load_str(
            "text,target,label\n5\" screen,x,y\n",
            InputFormat::Csv,
            &opts,
        )
        .unwrap();
        assert_eq!(l.examples[0].text, "5\" screen");
        assert!(l.skipped.is_empty());
        let err = load_str("text,\"target\nx,y\n", InputFormat::Csv, &opts).unwrap_err();
        assert!(err.to_string().contains("never closed"), "{err}");
    }

    #[test]
    fn wrong_type_and_huge_record_are_named() {
        let opts = LoadOptions {
            skip_invalid: true,
            max_record_bytes: 64,
            ..LoadOptions::default()
        };
        let big = format!(
            "{{\"text\":\"{}\",\"target\":\"a\",\"label\":\"b\"}}",
            "x".repeat(200)
        );
        let data = format!("{{\"text\":[1],\"target\":\"a\",\"label\":\"b\"}}\n{big}\n{{\"text\":\"a\",\"target\":\"a\",\"label\":\"b\"}}");
        let l = load_str(&data, InputFormat::Jsonl, &opts).unwrap();
        assert_eq!(l.examples.len(), 1);
        assert!(l.skipped[0]
            .to_string()
            .contains("must be a string or number"));
        assert!(l.skipped[1]
            .to_string()
            .contains(":2: record is larger than 64 bytes"));
    }
}
