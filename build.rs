//! Build step for the embedded default models and party dictionary.
//!
//! Most of a model file is its IDF and weights as decimal text, and parsing
//! 200,000 decimals exactly took most of stancekit's start-up. They are
//! parsed here, once, and embedded as little-endian f64 bytes beside the rest
//! of the file (JSON with those arrays emptied). Parsing uses serde_json with
//! float_roundtrip, like the run-time reader, so the numbers are bit for bit
//! the ones in the file. A model file this step cannot split, or whose
//! checksum does not match (src/model/checksum.rs, included here), is
//! embedded whole (with no numbers), and the run-time reader reports what is
//! wrong with it.
//!
//! The party dictionary is embedded as JSON converted from its TOML, which
//! loads several times faster (see `PartyDict::embedded`).

use serde_json::Value;
use std::path::Path;

// Only `check` is used here; `seal` is for the writer.
#[path = "src/model/checksum.rs"]
#[allow(dead_code)]
mod checksum;

fn main() {
    let out = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    let out = Path::new(&out);
    for name in ["stance", "sentiment"] {
        let src = format!("models/{name}.json");
        println!("cargo:rerun-if-changed={src}");
        let text = std::fs::read_to_string(&src).unwrap_or_else(|e| panic!("reading {src}: {e}"));
        let (skeleton, numbers) = split(&text).unwrap_or_else(|| (text.clone(), Vec::new()));
        write(
            &out.join(format!("{name}.skeleton.json")),
            skeleton.as_bytes(),
        );
        write(&out.join(format!("{name}.f64")), &numbers);
    }
    // The party dictionary as JSON, which reads several times faster than
    // TOML at start-up. Left empty (the TOML is parsed at run time) if the
    // file does not parse or holds TOML dates, which JSON cannot carry.
    let src = "models/parties.toml";
    println!("cargo:rerun-if-changed={src}");
    let text = std::fs::read_to_string(src).unwrap_or_else(|e| panic!("reading {src}: {e}"));
    let json = toml::from_str::<toml::Value>(&text)
        .ok()
        .filter(|v| !has_datetime(v))
        .and_then(|v| serde_json::to_string(&v).ok())
        .unwrap_or_default();
    write(&out.join("parties.json"), json.as_bytes());
}

fn has_datetime(v: &toml::Value) -> bool {
    match v {
        toml::Value::Datetime(_) => true,
        toml::Value::Array(a) => a.iter().any(has_datetime),
        toml::Value::Table(t) => t.values().any(has_datetime),
        _ => false,
    }
}

/// The file without its IDF and weights, and those numbers (IDF first, then
/// each label's weights) as little-endian bytes. None for a file whose
/// checksum does not match, or that has none and is newer than version 1.
fn split(text: &str) -> Option<(String, Vec<u8>)> {
    let mut model: Value = serde_json::from_str(text).ok()?;
    let sealed = match checksum::check(text) {
        checksum::Seal::Matches => true,
        checksum::Seal::Differs => false,
        checksum::Seal::Absent => model.get("checksum").is_none() && model["version"] == 1,
    };
    if !sealed {
        return None;
    }
    let mut numbers = Vec::new();
    let mut take = |v: &mut Value| -> Option<()> {
        for x in v.as_array()? {
            numbers.extend_from_slice(&x.as_f64()?.to_le_bytes());
        }
        *v = Value::Array(Vec::new());
        Some(())
    };
    take(model.get_mut("idf")?)?;
    for row in model.get_mut("weights")?.as_array_mut()? {
        take(row)?;
    }
    Some((serde_json::to_string(&model).ok()?, numbers))
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}
