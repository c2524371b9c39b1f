//! The model file: one self-describing JSON document holding the whole
//! pipeline (featuriser configuration, vocabulary, IDF, weights) and how it
//! was trained. Written atomically; read with every invariant checked, so a
//! truncated, edited or foreign file is an error and never a panic.

use super::{StanceModel, Task};
use crate::error::{Error, Result};
use crate::features::{Analyzer, FeatureConfig, Vectorizer};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

pub const FORMAT_NAME: &str = "stancekit-model";
/// Bumped whenever the file layout or the featuriser's behaviour changes.
pub const FORMAT_VERSION: u32 = 1;

/// How a model was trained. Holds nothing that varies between two runs on the
/// same data with the same flags (wall time is only stored on request), so
/// retraining reproduces the file byte for byte.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct TrainingMeta {
    pub examples: usize,
    pub examples_per_label: BTreeMap<String, usize>,
    /// SHA-256 of the training data file(s) as read.
    pub data_sha256: String,
    pub data_files: Vec<String>,
    pub solver: String,
    pub alpha: f64,
    pub class_weight: String,
    pub max_iter: usize,
    pub tol: f64,
    /// L-BFGS iterations; None when the solver does not report them (linfa).
    pub iterations: Option<usize>,
    pub converged: Option<bool>,
    pub final_loss: f64,
    /// Auxiliary data from another domain (`train --aux`), when used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auxiliary: Option<AuxiliaryMeta>,
    /// Alpha values tried on the dev set, with their dev macro-F1.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alpha_search: Vec<(f64, f64)>,
    /// Macro-F1 and accuracy on the dev set, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dev: Option<DevMetrics>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuxiliaryMeta {
    pub examples: usize,
    /// SHA-256 of the auxiliary file(s) as read.
    pub data_sha256: String,
    pub data_files: Vec<String>,
    pub weight: f64,
    /// Whether the auxiliary rows had their own feature copies.
    pub augment: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DevMetrics {
    pub file: String,
    pub n: usize,
    pub accuracy: f64,
    pub macro_f1: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelFile {
    pub format: String,
    pub version: u32,
    pub task: Task,
    pub labels: Vec<String>,
    pub features: FeatureConfig,
    pub vocab: Vec<String>,
    pub idf: Vec<f64>,
    /// One weight vector per label, each as long as the vocabulary.
    pub weights: Vec<Vec<f64>>,
    pub intercepts: Vec<f64>,
    pub training: TrainingMeta,
}

/// [`ModelFile`] borrowed, with its long arrays already written out: the
/// same fields in the same order, so it serialises to the same text (a test
/// holds the two to that).
#[derive(Serialize)]
struct ModelFileText<'a> {
    format: &'a str,
    version: u32,
    task: Task,
    labels: &'a [String],
    features: &'a FeatureConfig,
    vocab: &'a serde_json::value::RawValue,
    idf: &'a serde_json::value::RawValue,
    weights: &'a serde_json::value::RawValue,
    intercepts: &'a [f64],
    training: &'a TrainingMeta,
}

/// Serialises the items of an iterator as a JSON array without collecting
/// them first.
struct SerializeIter<I>(I);

impl<I> Serialize for SerializeIter<I>
where
    I: Iterator + Clone,
    I::Item: Serialize,
{
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.0.clone())
    }
}

impl StanceModel {
    pub(crate) fn from_parts(
        task: Task,
        labels: Vec<String>,
        vectorizer: Vectorizer,
        weights: Vec<f64>,
        intercepts: Vec<f64>,
        meta: TrainingMeta,
    ) -> StanceModel {
        let k = labels.len();
        let mut scoring = Vec::with_capacity(vectorizer.idf().len() * (k + 1));
        for (j, &idf) in vectorizer.idf().iter().enumerate() {
            scoring.push(idf);
            // Always k numbers, so the stride holds even for weights a
            // caller got wrong (files are checked before they get here).
            scoring.extend((0..k).map(|c| weights.get(j * k + c).copied().unwrap_or(0.0)));
        }
        StanceModel {
            task,
            labels,
            vectorizer,
            weights,
            scoring,
            intercepts,
            meta,
        }
    }

    pub fn to_file(&self) -> ModelFile {
        let k = self.labels.len();
        let weights = (0..k)
            .map(|c| self.weights.iter().skip(c).step_by(k).copied().collect())
            .collect();
        ModelFile {
            format: FORMAT_NAME.into(),
            version: FORMAT_VERSION,
            task: self.task,
            labels: self.labels.clone(),
            features: self.vectorizer.config().clone(),
            vocab: self.vectorizer.vocab().to_vec(),
            idf: self.vectorizer.idf().to_vec(),
            weights,
            intercepts: self.intercepts.clone(),
            training: self.meta.clone(),
        }
    }

    /// Checks every invariant the predictor relies on, then builds the model.
    pub fn from_file(f: ModelFile, origin: &str) -> Result<StanceModel> {
        let bad = |m: String| Err(Error::Model(format!("{origin}: {m}")));
        if f.format != FORMAT_NAME {
            return bad(format!("not a stancekit model (format is {:?})", f.format));
        }
        if f.version != FORMAT_VERSION {
            return bad(format!(
                "model format version {} is not supported by this stancekit (it reads version {FORMAT_VERSION}); retrain the model",
                f.version
            ));
        }
        if let Err(e) = f.features.check() {
            return bad(e.to_string());
        }
        let k = f.labels.len();
        if k < 2 {
            return bad("a model needs at least two labels".into());
        }
        let mut seen = std::collections::HashSet::new();
        if f.labels.iter().any(|l| !seen.insert(l)) {
            return bad("duplicate labels".into());
        }
        let n = f.vocab.len();
        if f.idf.len() != n {
            return bad(format!("idf has {} entries for {n} features", f.idf.len()));
        }
        if f.weights.len() != k || f.intercepts.len() != k {
            return bad(format!("weights/intercepts do not match the {k} labels"));
        }
        if let Some(w) = f.weights.iter().find(|w| w.len() != n) {
            return bad(format!(
                "a weight vector has {} entries for {n} features",
                w.len()
            ));
        }
        let all_finite = f
            .idf
            .iter()
            .chain(f.intercepts.iter())
            .chain(f.weights.iter().flatten())
            .all(|v| v.is_finite());
        if !all_finite {
            return bad("contains non-finite numbers".into());
        }
        if f.vocab.windows(2).any(|p| p[0] >= p[1]) {
            return bad("vocabulary is not sorted and unique".into());
        }
        let mut weights = vec![0.0; n * k];
        for (c, w) in f.weights.iter().enumerate() {
            for (j, &v) in w.iter().enumerate() {
                weights[j * k + c] = v;
            }
        }
        let vectorizer = Vectorizer::from_parts(Analyzer::new(f.features), f.vocab, f.idf);
        Ok(StanceModel::from_parts(
            f.task,
            f.labels,
            vectorizer,
            weights,
            f.intercepts,
            f.training,
        ))
    }

    /// The model file's text: [`ModelFile`] as compact JSON and a newline.
    /// The three long arrays (vocabulary, IDF, weights) are formatted on two
    /// threads, as their numbers are most of the time `train` spends after
    /// optimising, and spliced into the same text one thread would write.
    pub fn to_json(&self) -> String {
        use serde_json::value::RawValue;
        // Serialising plain data structures cannot fail.
        let raw = |s: String| RawValue::from_string(s).expect("serde_json writes valid JSON");
        let k = self.labels.len();
        let weight_columns = || {
            let column = |c: usize| SerializeIter(self.weights.iter().skip(c).step_by(k));
            raw(serde_json::to_string(&SerializeIter((0..k).map(column))).expect("serialises"))
        };
        let (vocab, idf, weights) = std::thread::scope(|s| {
            let weights = s.spawn(weight_columns);
            let vocab = raw(serde_json::to_string(self.vectorizer.vocab()).expect("serialises"));
            let idf = raw(serde_json::to_string(self.vectorizer.idf()).expect("serialises"));
            (vocab, idf, weights.join().expect("weight writer panicked"))
        });
        let out = ModelFileText {
            format: FORMAT_NAME,
            version: FORMAT_VERSION,
            task: self.task,
            labels: &self.labels,
            features: self.vectorizer.config(),
            vocab: &vocab,
            idf: &idf,
            weights: &weights,
            intercepts: &self.intercepts,
            training: &self.meta,
        };
        let mut s = serde_json::to_string(&out).expect("model serialises");
        s.push('\n');
        s
    }

    pub fn from_json(src: &str, origin: &str) -> Result<StanceModel> {
        let f: ModelFile = serde_json::from_str(src).map_err(|e| {
            let hint = if e.is_eof() {
                " (the file looks truncated)"
            } else {
                ""
            };
            Error::Model(format!("{origin}: not a valid model file: {e}{hint}"))
        })?;
        StanceModel::from_file(f, origin)
    }

    pub fn load(path: &Path) -> Result<StanceModel> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let src = String::from_utf8(bytes).map_err(|_| {
            Error::Model(format!(
                "{}: not a model file (not UTF-8 text)",
                path.display()
            ))
        })?;
        StanceModel::from_json(&src, &path.display().to_string())
    }

    /// Writes the model atomically: a temporary file in the same directory,
    /// synced, then renamed over the destination, so an interrupted write
    /// leaves the previous model intact.
    pub fn save(&self, path: &Path) -> Result<()> {
        write_atomic(path, self.to_json().as_bytes())
    }
}

/// Writes `bytes` to `path` via a synced temporary file and a rename in the
/// same directory.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| Error::input(path.display().to_string(), "not a file path"))?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })?;
    // Make the rename itself durable (it lives in the directory). Not every
    // platform can open a directory for syncing; the file is in place either way.
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_text_is_the_model_file_serialised() {
        for task in [Task::Stance, Task::Sentiment] {
            let model = crate::defaults::model(task).unwrap();
            let whole = serde_json::to_string(&model.to_file()).unwrap() + "\n";
            assert_eq!(model.to_json(), whole, "{task:?}");
        }
    }
}
