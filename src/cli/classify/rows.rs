//! `stancekit classify --data`: every row of a file scored and written back
//! with all its fields.
//!
//! The rows are read twice from the same bytes: by the labelled-data loader
//! (which checks each row, finds the target's span, and numbers the rows by
//! line) and as they were written (every field, in order), matched by line.
//! The loader keeps the fields it does not use, but not their order, and
//! the ones it uses it turns into its own (a found span it did not read),
//! so writing a row back from it would not give back the row.

use super::super::out;
use super::super::util::DataArgs;
use anyhow::{bail, Context, Result};
use serde_json::Value;
use stancekit::data::{self, InputFormat};
use stancekit::model::StanceModel;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::ExitCode;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object per row, with "predicted" and "probs" added.
    Jsonl,
    /// CSV with a header, with "predicted" and one "prob_LABEL" column per label added.
    Csv,
}

/// A row's fields in the order they were written.
type Fields = Vec<(String, Value)>;

pub fn run(model: &StanceModel, path: &Path, args: &DataArgs, format: Format) -> Result<ExitCode> {
    let origin = path.display().to_string();
    let bytes = if origin == "-" {
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut b)
            .context("--data -: cannot read standard input")?;
        b
    } else {
        std::fs::read(path).with_context(|| format!("{origin}: cannot read"))?
    };
    let opts = args.options(model.task, false)?;
    let input_format = opts.format.unwrap_or_else(|| InputFormat::from_path(path));
    let loaded = data::load_reader(&bytes[..], &origin, input_format, &opts)?;
    for e in &loaded.skipped {
        eprintln!("warning: skipped {e}");
    }
    eprintln!(
        "{origin}: used {} records, skipped {} invalid",
        loaded.examples.len(),
        loaded.skipped.len()
    );
    if loaded.examples.is_empty() {
        bail!("{origin}: no usable records");
    }
    let lines: HashSet<usize> = loaded.examples.iter().map(|e| e.line).collect();
    let (mut raw, header) = match input_format {
        InputFormat::Jsonl => (jsonl_fields(&bytes, &lines, &origin)?, None),
        InputFormat::Csv => {
            let (rows, header) = csv_fields(&bytes, &lines, &origin)?;
            (rows, Some(header))
        }
    };
    let preds = model.predict_examples(&loaded.examples);
    // The fields this adds, which replace any of the same name in a row.
    let prob_columns: Vec<String> = model.labels.iter().map(|l| format!("prob_{l}")).collect();
    let added = |k: &str| match format {
        Format::Jsonl => k == "predicted" || k == "probs",
        Format::Csv => k == "predicted" || prob_columns.iter().any(|c| c == k),
    };
    let csv_header = (format == Format::Csv).then(|| {
        let mut cols: Vec<String> = Vec::new();
        let mut seen = HashSet::new();
        let mut add = |k: &str| {
            if !added(k) && seen.insert(k.to_string()) {
                cols.push(k.to_string());
            }
        };
        match &header {
            Some(h) => h.iter().for_each(|k| add(k)),
            // JSON Lines rows may differ: every field of any row, in the
            // order first seen.
            None => loaded.examples.iter().for_each(|e| {
                raw.get(&e.line)
                    .into_iter()
                    .flatten()
                    .for_each(|(k, _)| add(k))
            }),
        }
        cols
    });
    if let Some(cols) = &csv_header {
        let mut all = cols.clone();
        all.push("predicted".into());
        all.extend(prob_columns.iter().cloned());
        out!("{}", csv_line(&all)?);
    }
    for (e, p) in loaded.examples.iter().zip(&preds) {
        let mut fields = raw.remove(&e.line).with_context(|| {
            format!(
                "{origin}:{}: the row could not be read back as written",
                e.line
            )
        })?;
        fields.retain(|(k, _)| !added(k));
        match &csv_header {
            None => {
                let mut s = String::from("{");
                for (k, v) in &fields {
                    s.push_str(&format!("{}:{v}", Value::from(k.as_str())));
                    s.push(',');
                }
                s.push_str(&format!(
                    "\"predicted\":{},\"probs\":{{",
                    Value::from(p.label.as_str())
                ));
                let probs: Vec<String> = p
                    .probs
                    .iter()
                    .map(|(l, v)| format!("{}:{}", Value::from(*l), Value::from(*v)))
                    .collect();
                s.push_str(&probs.join(","));
                s.push_str("}}\n");
                out!("{s}");
            }
            Some(cols) => {
                let by_name: HashMap<&str, &Value> =
                    fields.iter().map(|(k, v)| (k.as_str(), v)).collect();
                let mut cells: Vec<String> = cols
                    .iter()
                    .map(|c| match by_name.get(c.as_str()) {
                        None | Some(Value::Null) => String::new(),
                        Some(Value::String(s)) => s.clone(),
                        Some(v) => v.to_string(),
                    })
                    .collect();
                cells.push(p.label.to_string());
                cells.extend(p.probs.iter().map(|(_, v)| v.to_string()));
                out!("{}", csv_line(&cells)?);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn csv_line(cells: &[String]) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(cells)?;
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// The JSON Lines rows the loader used (by 1-based line), fields in order.
fn jsonl_fields(
    bytes: &[u8],
    lines: &HashSet<usize>,
    origin: &str,
) -> Result<HashMap<usize, Fields>> {
    let mut out = HashMap::new();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        if !lines.contains(&(i + 1)) {
            continue;
        }
        let line = if i == 0 {
            line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line)
        } else {
            line
        };
        let Ordered(fields) = serde_json::from_slice(line)
            .with_context(|| format!("{origin}:{}: cannot read the row back", i + 1))?;
        out.insert(i + 1, fields);
    }
    Ok(out)
}

/// The CSV rows the loader used (by line), and the header.
fn csv_fields(
    bytes: &[u8],
    lines: &HashSet<usize>,
    origin: &str,
) -> Result<(HashMap<usize, Fields>, Vec<String>)> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes);
    let header: Vec<String> = rdr
        .headers()
        .with_context(|| format!("{origin}: cannot read the CSV header"))?
        .iter()
        .enumerate()
        .map(|(i, h)| match i {
            0 => h.trim_start_matches('\u{feff}').to_string(),
            _ => h.to_string(),
        })
        .collect();
    let mut out = HashMap::new();
    for record in rdr.records() {
        // Rows the loader refused are not written, so a record it could not
        // read is no concern here.
        let Ok(record) = record else { continue };
        let line = record.position().map_or(0, |p| p.line() as usize);
        if !lines.contains(&line) {
            continue;
        }
        let mut fields = Fields::new();
        for (k, v) in header.iter().zip(record.iter()) {
            put(&mut fields, k.clone(), Value::String(v.to_string()));
        }
        out.insert(line, fields);
    }
    Ok((out, header))
}

/// A repeated field keeps its last value (as the loader reads it) in the
/// place it was first written.
fn put(fields: &mut Fields, key: String, value: Value) {
    match fields.iter_mut().find(|(k, _)| *k == key) {
        Some(slot) => slot.1 = value,
        None => fields.push((key, value)),
    }
}

/// A JSON object read with its fields in order (serde_json's map sorts
/// them unless the whole crate opts into keeping the order).
struct Ordered(Fields);

impl<'de> serde::Deserialize<'de> for Ordered {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<Ordered, A::Error> {
                let mut fields = Fields::new();
                while let Some((k, v)) = m.next_entry::<String, Value>()? {
                    put(&mut fields, k, v);
                }
                Ok(Ordered(fields))
            }
        }
        d.deserialize_map(V)
    }
}
