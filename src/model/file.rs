//! The model file: one self-describing JSON document holding the whole
//! pipeline (featuriser configuration, vocabulary, IDF, weights) and how it
//! was trained, sealed with a checksum of its text (`checksum.rs`). Written
//! atomically; read with the checksum and every invariant checked, so a
//! truncated, edited or foreign file is an error and never a panic.

use super::atomic::write_atomic;
use super::checksum::{self, Seal};
use super::{StanceModel, Task};
use crate::error::{Error, Result};
use crate::features::{Analyzer, FeatureConfig, Vectorizer};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

pub const FORMAT_NAME: &str = "stancekit-model";
/// Bumped whenever the file layout or the featuriser's behaviour changes.
/// Version 2 added the checksum.
pub const FORMAT_VERSION: u32 = 2;
/// Version 1 files are the version 2 layout without a checksum; they still
/// load, with a warning (see [`StanceModel::warnings`]).
const OLDEST_READABLE_VERSION: u32 = 1;

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
    /// `"sha256:<hex>"` of the file's text without this member, as read.
    /// [`StanceModel::to_file`] leaves it out: it is a property of the text,
    /// which [`StanceModel::to_json`] writes and seals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum: Option<String>,
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
            warnings: Vec::new(),
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
            checksum: None,
        }
    }

    /// Checks every invariant the predictor relies on, then builds the model.
    /// The checksum is a property of the file's text and is checked where the
    /// text is read ([`StanceModel::from_json`]), not here.
    pub fn from_file(f: ModelFile, origin: &str) -> Result<StanceModel> {
        let bad = |m: String| Err(Error::Model(format!("{origin}: {m}")));
        check_format(&f, origin)?;
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
        if let Err(m) = check_magnitudes(&f) {
            return bad(m);
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

    /// The model file's text: [`ModelFile`] as compact JSON, sealed with
    /// its checksum as the last member, and a newline. (Plain serde on one
    /// thread: about 30 ms for the shipped stance model, a 7 MB file.)
    pub fn to_json(&self) -> String {
        // Serialising plain data structures cannot fail.
        checksum::seal(&serde_json::to_string(&self.to_file()).expect("model serialises"))
    }

    /// Reads a model file's text: the JSON, then its format and version, then
    /// its checksum, then every invariant ([`StanceModel::from_file`]).
    pub fn from_json(src: &str, origin: &str) -> Result<StanceModel> {
        let f: ModelFile = serde_json::from_str(src).map_err(|e| {
            let hint = if e.is_eof() {
                " (the file looks truncated)"
            } else {
                ""
            };
            Error::Model(format!("{origin}: not a valid model file: {e}{hint}"))
        })?;
        check_format(&f, origin)?;
        let bad = |m: &str| Err(Error::Model(format!("{origin}: {m}")));
        let mut warning = None;
        match checksum::check(src) {
            Seal::Matches => {}
            Seal::Differs => {
                return bad("checksum mismatch: the file was edited or damaged; retrain it")
            }
            // A checksum member that is not where the writer puts it (last)
            // was moved by an edit.
            Seal::Absent if f.checksum.is_some() => {
                return bad("checksum mismatch: the file was edited or damaged; retrain it")
            }
            Seal::Absent if f.version >= 2 => {
                return bad("no checksum, which every version 2 model file has: the file was edited or damaged; retrain it")
            }
            Seal::Absent => {
                warning = Some(format!(
                    "{origin}: model file version {} has no checksum, so damage to it cannot be detected; retrain it to add one",
                    f.version
                ))
            }
        }
        let mut model = StanceModel::from_file(f, origin)?;
        model.warnings.extend(warning);
        Ok(model)
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

    /// Writes the model atomically ([`write_atomic`]): an interrupted write
    /// leaves the previous model intact.
    pub fn save(&self, path: &Path) -> Result<()> {
        write_atomic(path, self.to_json().as_bytes())
    }
}

/// The format name and a version this reader knows.
fn check_format(f: &ModelFile, origin: &str) -> Result<()> {
    let bad = |m: String| Err(Error::Model(format!("{origin}: {m}")));
    if f.format != FORMAT_NAME {
        return bad(format!("not a stancekit model (format is {:?})", f.format));
    }
    if !(OLDEST_READABLE_VERSION..=FORMAT_VERSION).contains(&f.version) {
        return bad(format!(
            "model format version {} is not supported by this stancekit (it reads versions {OLDEST_READABLE_VERSION} to {FORMAT_VERSION}); retrain the model",
            f.version
        ));
    }
    Ok(())
}

/// The largest IDF a model may hold. A term's TF-IDF value is its term
/// frequency (at most `u32::MAX`) times its IDF, and a row's L2 norm sums
/// the squares of up to `u32::MAX` such values: with IDFs up to 1e100 that
/// sum stays below 1e230, so normalising a row never overflows. Trained IDFs
/// are `ln((1 + n) / (1 + df)) + 1`, below 25 for any corpus that fits in memory.
const MAX_IDF: f64 = 1e100;
/// The largest score bound a model may have. Rounding in the sums that make a
/// score can only exceed the bound by a tiny factor, so scores below this
/// stay far from `f64::MAX` (1.8e308).
const MAX_SCORE: f64 = 1e300;

/// Every score the model can compute is finite. A featurised row is
/// L2-normalised, so each feature's value lies in [-1, 1] and each feature
/// occurs once: label `c`'s score is at most `|intercept_c| + sum_j
/// |w_jc|` in magnitude. Requires that bound, and the IDFs that go into the
/// rows, to be far from overflowing (`MAX_SCORE`, `MAX_IDF`).
fn check_magnitudes(f: &ModelFile) -> std::result::Result<(), String> {
    if let Some(v) = f.idf.iter().find(|v| v.abs() > MAX_IDF) {
        return Err(format!(
            "an IDF of {v:e} is too large (at most {MAX_IDF:e}); retrain the model"
        ));
    }
    for ((label, w), b) in f.labels.iter().zip(&f.weights).zip(&f.intercepts) {
        let bound = w.iter().fold(b.abs(), |s, v| s + v.abs());
        if bound > MAX_SCORE {
            return Err(format!(
                "weights too large: label {label:?} could score up to {bound:e}, which is past what a score can hold (at most {MAX_SCORE:e}); retrain the model"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_model_files_are_what_to_json_writes_for_them() {
        // Retraining reproduces models/*.json byte for byte only if the
        // writer does.
        for file in ["models/stance.json", "models/sentiment.json"] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
            let text = std::fs::read_to_string(&path).unwrap();
            let model = StanceModel::from_json(&text, file).unwrap();
            assert!(model.to_json() == text, "{file} is not what to_json writes");
        }
    }
}
