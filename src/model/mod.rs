//! The stance (and sentiment) model: a featuriser plus a multinomial logistic
//! regression, trained, applied, saved and loaded as one self-describing
//! JSON file.

mod atomic;
pub mod checksum;
pub mod cv;
mod file;
pub mod solver;
pub mod sparse;
mod train;

pub use atomic::write_atomic;
pub use file::{AuxiliaryMeta, DevMetrics, ModelFile, TrainingMeta, FORMAT_NAME, FORMAT_VERSION};
pub use train::{
    dev_metrics, train, train_with_aux, train_with_aux_owned, Auxiliary, CheckedConfig,
    ClassWeight, Solver, SolverStats, TrainConfig, Trained,
};

use crate::data::Example;
use crate::features::{Doc, SparseRow, Vectorizer};
use serde::{Deserialize, Serialize};

/// What a model predicts: stance toward a target, or a quote's sentiment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Task {
    /// Stance of the speaker toward a target party (target-aware features).
    Stance,
    /// Sentiment of the quote as a whole (no target features).
    Sentiment,
}

/// One prediction: the chosen label and the probability of every label.
/// The labels are the model's own strings, borrowed (see `Label`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prediction<'m> {
    pub label: crate::label::Label<'m>,
    /// Label -> probability, in the model's label order.
    pub probs: Vec<(&'m str, f64)>,
}

/// A feature's push toward or against a label, for `classify --explain`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    pub feature: String,
    pub value: f64,
}

/// A trained model ready to predict. Prediction never mutates it.
pub struct StanceModel {
    pub task: Task,
    pub labels: Vec<String>,
    vectorizer: Vectorizer,
    /// Feature-major weights: `weights[j * n_labels + c]`.
    weights: Vec<f64>,
    /// Per feature its IDF then its weights (`n_labels + 1` numbers), for
    /// [`StanceModel::predict_doc`]: a feature found in a document is then
    /// one fetch from memory instead of two, and on `predict`'s hot path
    /// these fetches mostly miss the cache.
    scoring: Vec<f64>,
    intercepts: Vec<f64>,
    pub meta: TrainingMeta,
    /// What a caller should tell the user about the file the model came
    /// from (e.g. a version 1 file, which has no checksum), each naming the
    /// file. Empty for a trained model.
    pub warnings: Vec<String>,
}

impl StanceModel {
    pub fn n_features(&self) -> usize {
        self.vectorizer.n_features()
    }

    pub fn vectorizer(&self) -> &Vectorizer {
        &self.vectorizer
    }

    /// Featurises one statement; `others` are other party mentions in it.
    pub fn featurize(
        &self,
        text: &str,
        target: Option<(usize, usize)>,
        others: &[(usize, usize)],
    ) -> SparseRow {
        self.featurize_doc(&Doc {
            text,
            target,
            others,
            own_party: false,
        })
    }

    /// Featurises a statement with everything known about it.
    pub fn featurize_doc(&self, doc: &Doc) -> SparseRow {
        self.vectorizer.transform(&self.for_task(doc))
    }

    /// `doc` as this model reads it: a sentiment model ignores the target.
    fn for_task<'a>(&self, doc: &Doc<'a>) -> Doc<'a> {
        let target = if self.task == Task::Stance {
            doc.target
        } else {
            None
        };
        Doc { target, ..*doc }
    }

    pub fn probabilities(&self, row: &SparseRow) -> Vec<f64> {
        let k = self.labels.len();
        self.probabilities_from(row, &self.weights, k, 0)
    }

    /// Softmax of `intercepts + row · W`, with feature `j`'s weights at
    /// `table[j * stride + offset..][..n_labels]`.
    fn probabilities_from(
        &self,
        row: &SparseRow,
        table: &[f64],
        stride: usize,
        offset: usize,
    ) -> Vec<f64> {
        let mut z = self.intercepts.clone();
        // The usual label counts get a loop the compiler unrolls; the sums
        // are the same, in the same order, either way.
        match self.labels.len() {
            2 => add_scores::<2>(&mut z, table, stride, offset, row),
            3 => add_scores::<3>(&mut z, table, stride, offset, row),
            k => {
                for &(j, v) in row {
                    let at = j as usize * stride + offset;
                    let w = &table[at..at + k];
                    for c in 0..k {
                        z[c] += v * w[c];
                    }
                }
            }
        }
        softmax(&mut z);
        z
    }

    /// The prediction for one statement: the same numbers as
    /// `predict_row(&featurize_doc(doc))`, computed from the model's
    /// per-feature IDF-and-weights table.
    pub fn predict_doc(&self, doc: &Doc) -> Prediction<'_> {
        let stride = self.labels.len() + 1;
        let idf = crate::features::IdfTable {
            values: &self.scoring,
            stride,
        };
        let p = self
            .vectorizer
            .transform_with(&self.for_task(doc), idf, |row| {
                self.probabilities_from(row, &self.scoring, stride, 1)
            });
        self.prediction(p)
    }

    pub fn predict_row(&self, row: &SparseRow) -> Prediction<'_> {
        self.prediction(self.probabilities(row))
    }

    fn prediction(&self, p: Vec<f64>) -> Prediction<'_> {
        let best = argmax(&p);
        Prediction {
            label: crate::label::Label(&self.labels[best]),
            probs: self.labels.iter().map(String::as_str).zip(p).collect(),
        }
    }

    pub fn predict(
        &self,
        text: &str,
        target: Option<(usize, usize)>,
        others: &[(usize, usize)],
    ) -> Prediction<'_> {
        self.predict_row(&self.featurize(text, target, others))
    }

    /// Predicts every example, with other mentions taken from rows that share
    /// the same text (as in training).
    pub fn predict_examples(&self, examples: &[Example]) -> Vec<Prediction<'_>> {
        let others = other_mentions(examples);
        examples
            .iter()
            .zip(&others)
            .map(|(e, o)| {
                let doc = Doc {
                    text: &e.text,
                    target: e.span,
                    others: o,
                    own_party: e.is_own_party(),
                };
                self.predict_row(&self.featurize_doc(&doc))
            })
            .collect()
    }

    /// The features that pushed hardest toward (positive) and against
    /// (negative) `label`: value * (weight for label - mean weight of the others).
    pub fn explain(
        &self,
        row: &SparseRow,
        label: usize,
        top: usize,
    ) -> (Vec<Contribution>, Vec<Contribution>) {
        let k = self.labels.len();
        let mut contribs: Vec<Contribution> = row
            .iter()
            .map(|&(j, v)| {
                let w = &self.weights[j as usize * k..j as usize * k + k];
                let others = if k > 1 {
                    (w.iter().sum::<f64>() - w[label]) / (k - 1) as f64
                } else {
                    0.0
                };
                Contribution {
                    feature: self.vectorizer.vocab()[j as usize].clone(),
                    value: v * (w[label] - others),
                }
            })
            .collect();
        contribs.sort_by(|a, b| b.value.total_cmp(&a.value).then(a.feature.cmp(&b.feature)));
        let toward: Vec<_> = contribs
            .iter()
            .filter(|c| c.value > 0.0)
            .take(top)
            .cloned()
            .collect();
        let against: Vec<_> = contribs
            .iter()
            .rev()
            .filter(|c| c.value < 0.0)
            .take(top)
            .cloned()
            .collect();
        (toward, against)
    }

    pub fn label_index(&self, label: &str) -> Option<usize> {
        self.labels.iter().position(|l| l == label)
    }
}

/// `z += row · W` for `K` labels, feature `j`'s weights starting at
/// `table[j * stride + offset]`.
fn add_scores<const K: usize>(
    z: &mut [f64],
    table: &[f64],
    stride: usize,
    offset: usize,
    row: &SparseRow,
) {
    let mut acc = [0.0f64; K];
    acc.copy_from_slice(z);
    for &(j, v) in row {
        let at = j as usize * stride + offset;
        let w: &[f64; K] = table[at..at + K].try_into().expect("K weights");
        for c in 0..K {
            acc[c] += v * w[c];
        }
    }
    z.copy_from_slice(&acc);
}

/// Probabilities from scores, computed stably: each score less the largest,
/// so `exp` never overflows and the largest term is 1. A model that loads has
/// finite scores (`file.rs` bounds them); should a score still be infinite or
/// NaN, the labels with the top score (all of them if there is none) share
/// the probability, rather than every probability becoming NaN.
pub(crate) fn softmax(z: &mut [f64]) {
    // A NaN score says nothing for its label: it counts as the lowest.
    for v in z.iter_mut().filter(|v| v.is_nan()) {
        *v = f64::NEG_INFINITY;
    }
    let m = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    if m.is_infinite() {
        // +inf: the labels scoring it share the probability; -inf: every
        // label scores it, and they all do.
        let n = z.iter().filter(|&&v| v == m).count() as f64;
        for v in z.iter_mut() {
            *v = if *v == m { 1.0 / n } else { 0.0 };
        }
        return;
    }
    let mut sum = 0.0;
    for v in z.iter_mut() {
        *v = (*v - m).exp();
        sum += *v;
    }
    for v in z.iter_mut() {
        *v /= sum;
    }
}

pub(crate) fn argmax(p: &[f64]) -> usize {
    let mut best = 0;
    for (i, &v) in p.iter().enumerate() {
        if v > p[best] {
            best = i;
        }
    }
    best
}

/// For each example, the spans of the *other* targets annotated on the same
/// text: in a multi-target corpus those are the other parties' mentions.
pub fn other_mentions(examples: &[Example]) -> Vec<Vec<(usize, usize)>> {
    let mut by_text: crate::text::FastMap<&str, Vec<(usize, usize)>> = Default::default();
    for e in examples {
        if let Some(s) = e.span {
            let v = by_text.entry(e.text.as_str()).or_default();
            if !v.contains(&s) {
                v.push(s);
            }
        }
    }
    examples
        .iter()
        .map(|e| {
            let spans = by_text
                .get(e.text.as_str())
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            spans
                .iter()
                .copied()
                .filter(|&o| match e.span {
                    Some(t) => o.1 <= t.0 || o.0 >= t.1,
                    None => true,
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_of_extreme_scores_is_a_distribution() {
        let cases: [(&[f64], &[f64]); 6] = [
            (&[1e308, -1e308, 0.0], &[1.0, 0.0, 0.0]),
            (&[f64::INFINITY, 0.0, f64::INFINITY], &[0.5, 0.0, 0.5]),
            (&[f64::NEG_INFINITY; 3], &[1.0 / 3.0; 3]),
            (&[f64::NAN, 0.0, 0.0], &[0.0, 0.5, 0.5]),
            (&[f64::NAN, f64::NAN], &[0.5, 0.5]),
            (&[f64::INFINITY, f64::NAN], &[1.0, 0.0]),
        ];
        for (z, want) in cases {
            let mut p = z.to_vec();
            softmax(&mut p);
            assert_eq!(p, want, "{z:?}");
        }
    }

    #[test]
    fn predict_doc_gives_the_numbers_of_predict_row_on_featurize_doc() {
        let texts = [
            "Russia has never been a threat to anyone, and we urge Washington to stop its provocations.",
            "We welcome the agreement with Japan and look forward to working side by side.",
            "The talks were held on Tuesday.",
            "",
            "China's \"no limits\" partnership is not what it seems, NATO said; Beijing disagreed!",
        ];
        for task in [Task::Stance, Task::Sentiment] {
            let model = crate::defaults::model(task).unwrap();
            // Twice over, so both the search path and the key index are used.
            for _ in 0..20 {
                for text in texts {
                    let spans: Vec<Option<(usize, usize)>> = ["Russia", "Japan", "NATO", "Beijing"]
                        .iter()
                        .map(|m| text.find(m).map(|s| (s, s + m.len())))
                        .chain([None])
                        .collect();
                    for target in spans {
                        let others: Vec<(usize, usize)> = ["Washington", "China"]
                            .iter()
                            .filter_map(|m| text.find(m).map(|s| (s, s + m.len())))
                            .collect();
                        let doc = Doc {
                            text,
                            target,
                            others: &others,
                            own_party: target.is_none(),
                        };
                        let a = model.predict_doc(&doc);
                        let b = model.predict_row(&model.featurize_doc(&doc));
                        assert_eq!(a, b, "{task:?} {text:?} {target:?}");
                    }
                }
            }
        }
    }
}
