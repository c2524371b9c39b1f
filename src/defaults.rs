//! The models shipped in `models/`, embedded in the binary so stancekit works
//! from any directory. Parsed on first use only.
//!
//! The build step (`build.rs`) embeds each model's IDF and weights as binary
//! f64s beside the rest of the file, so start-up does not parse 200,000
//! decimals; the result is the model the JSON file describes, bit for bit.

use crate::model::{ModelFile, StanceModel, Task};
use crate::{Error, Result};

const STANCE_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/stance.skeleton.json"));
const STANCE_NUMBERS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/stance.f64"));
const SENTIMENT_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/sentiment.skeleton.json"));
const SENTIMENT_NUMBERS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/sentiment.f64"));

/// The embedded default model for a task.
pub fn model(task: Task) -> Result<StanceModel> {
    match task {
        Task::Stance => embedded(STANCE_JSON, STANCE_NUMBERS, "embedded models/stance.json"),
        Task::Sentiment => embedded(
            SENTIMENT_JSON,
            SENTIMENT_NUMBERS,
            "embedded models/sentiment.json",
        ),
    }
}

/// A model from its JSON without IDF and weights plus those numbers; with no
/// numbers, the JSON is the whole file (the build step could not split it).
fn embedded(json: &str, numbers: &[u8], origin: &str) -> Result<StanceModel> {
    if numbers.is_empty() {
        return StanceModel::from_json(json, origin);
    }
    let mut f: ModelFile = serde_json::from_str(json)
        .map_err(|e| Error::Model(format!("{origin}: not a valid model file: {e}")))?;
    let (n, k) = (f.vocab.len(), f.labels.len());
    if numbers.len() != n * (k + 1) * 8 || !f.idf.is_empty() || f.weights.len() != k {
        return Err(Error::Model(format!(
            "{origin}: the embedded numbers do not match the model's shape"
        )));
    }
    let mut values = numbers
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().expect("chunks of 8 bytes")));
    f.idf = values.by_ref().take(n).collect();
    for row in &mut f.weights {
        *row = values.by_ref().take(n).collect();
    }
    StanceModel::from_file(f, origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_models_are_the_files_in_models_bit_for_bit() {
        for (task, file) in [
            (Task::Stance, "models/stance.json"),
            (Task::Sentiment, "models/sentiment.json"),
        ] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
            let from_file = StanceModel::load(&path).unwrap();
            // Sealed with a checksum that matches: no version 1 warning.
            assert!(from_file.warnings.is_empty(), "{:?}", from_file.warnings);
            let embedded = model(task).unwrap();
            assert_eq!(embedded.to_json(), from_file.to_json(), "{file}");
        }
    }
}
