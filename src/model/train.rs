//! Training: examples -> featurised rows -> weights, with parameters checked
//! before any work starts (linfa's Params -> ValidParams idea).

use super::file::{DevMetrics, TrainingMeta};
use super::solver::{minimize, Problem, SolverOptions, SolverTimings};
use super::sparse::Csr;
use super::{other_mentions, StanceModel, Task};
use crate::data::Example;
use crate::error::{Error, Result};
use crate::features::{Analysis, Doc, FeatureConfig, Vectorizer};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassWeight {
    /// Every example counts once.
    None,
    /// Examples weighted n / (k * n_label), so each label weighs the same in
    /// the loss (scikit-learn's "balanced").
    Balanced,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Solver {
    /// stancekit's sparse L-BFGS for linfa-logistic's objective (fast).
    Sparse,
    /// linfa-logistic's MultiLogisticRegression on a dense matrix (slow,
    /// reference; ignores sample weights, so needs --class-weight none).
    Linfa,
}

#[derive(Debug, Clone)]
pub struct TrainConfig {
    pub task: Task,
    pub features: FeatureConfig,
    /// L2 penalty on the weights (scikit-learn's 1/C).
    pub alpha: f64,
    pub class_weight: ClassWeight,
    pub solver: Solver,
    pub max_iter: usize,
    pub tol: f64,
    pub threads: usize,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            task: Task::Stance,
            features: FeatureConfig::default(),
            alpha: 1.0,
            class_weight: ClassWeight::Balanced,
            solver: Solver::Sparse,
            max_iter: 1000,
            tol: 1e-4,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }
}

/// A [`TrainConfig`] that passed [`TrainConfig::check`]: the only kind
/// the trainers take, so settings are checked once, before any data is
/// touched, and never again (linfa's `Params` -> `ValidParams`). Settings
/// that were not checked do not compile:
///
/// ```compile_fail
/// use stancekit::model::{train, TrainConfig};
/// let unchecked = TrainConfig::default();
/// let _ = train(&[], &unchecked, "", &[]);
/// ```
#[derive(Debug, Clone)]
pub struct CheckedConfig(TrainConfig);

impl std::ops::Deref for CheckedConfig {
    type Target = TrainConfig;
    fn deref(&self) -> &TrainConfig {
        &self.0
    }
}

impl CheckedConfig {
    /// The same settings with another alpha (for a search over alphas):
    /// only the new alpha needs checking.
    pub fn with_alpha(&self, alpha: f64) -> Result<CheckedConfig> {
        check_alpha(alpha)?;
        Ok(CheckedConfig(TrainConfig {
            alpha,
            ..self.0.clone()
        }))
    }
}

fn check_alpha(alpha: f64) -> Result<()> {
    if !(alpha.is_finite() && alpha > 0.0) {
        return Err(Error::Config("alpha must be a positive number".into()));
    }
    Ok(())
}

impl TrainConfig {
    /// Fails fast on settings that cannot work, before any data is touched;
    /// what passes is a [`CheckedConfig`], which training takes.
    pub fn check(self) -> Result<CheckedConfig> {
        self.features.check()?;
        check_alpha(self.alpha)?;
        if !(self.tol.is_finite() && self.tol > 0.0) {
            return Err(Error::Config("tol must be a positive number".into()));
        }
        if self.max_iter == 0 {
            return Err(Error::Config("max_iter must be at least 1".into()));
        }
        if self.solver == Solver::Linfa && self.class_weight != ClassWeight::None {
            return Err(Error::Config(
                "linfa-logistic ignores sample weights, so --solver linfa cannot honour --class-weight balanced; pass --class-weight none".into(),
            ));
        }
        Ok(CheckedConfig(self))
    }

    fn with_task_features(&self) -> FeatureConfig {
        let mut f = self.features.clone();
        if self.task == Task::Sentiment {
            f.target_aware = false;
            f.target_identity = false;
            f.sentence_scope = false;
            f.own_party = false;
            f.lexicon = false;
            f.clause_scope = false;
        }
        f
    }
}

/// A trained model and what happened while training it.
pub struct Trained {
    pub model: StanceModel,
    /// Wall time spent featurising and optimising, in seconds.
    pub featurize_seconds: f64,
    pub solve_seconds: f64,
    /// What the sparse solver reports about its work (None for linfa).
    pub solver_stats: Option<SolverStats>,
}

/// The sparse solver's account of a training run.
#[derive(Debug, Clone, Copy)]
pub struct SolverStats {
    pub iterations: usize,
    pub evaluations: usize,
    /// Stored values of the training matrix.
    pub nnz: usize,
    pub timings: SolverTimings,
}

fn label_of(e: &Example) -> Result<&str> {
    e.label
        .as_deref()
        .ok_or_else(|| Error::Training(format!("example on line {} has no label", e.line)))
}

/// Labelled examples from another domain (e.g. news sentences labelled for
/// sentiment toward a target) that help the model without being its
/// domain: weighted down, and, with `augment`, given their own copy of
/// every feature as well as the shared one (Daumé's feature augmentation,
/// one-sided). What is peculiar to the auxiliary domain goes to its copies,
/// which the model drops after training; what both domains agree on goes
/// to the shared features the model keeps.
pub struct Auxiliary<'a> {
    pub examples: &'a [Example],
    /// Each auxiliary example's weight relative to a main one (after
    /// balancing labels within each set).
    pub weight: f64,
    pub augment: bool,
}

/// Trains a model on `examples`. `data_sha256` and `data_files` are recorded
/// in the model's metadata.
pub fn train(
    examples: &[Example],
    cfg: &CheckedConfig,
    data_sha256: &str,
    data_files: &[String],
) -> Result<Trained> {
    train_with_aux(examples, None, cfg, data_sha256, data_files)
}

/// [`train`] with auxiliary examples from another domain.
pub fn train_with_aux(
    examples: &[Example],
    aux: Option<&Auxiliary>,
    cfg: &CheckedConfig,
    data_sha256: &str,
    data_files: &[String],
) -> Result<Trained> {
    let analysed = prepare(examples, aux, cfg)?;
    solve(analysed.finish(), cfg, data_sha256, data_files)
}

/// [`train_with_aux`] that takes the examples over and frees them once
/// their features are counted, before the feature matrix is built and the
/// optimiser runs: on a large training set their texts and fields are as
/// large as the matrix, and what follows needs only the counts.
pub fn train_with_aux_owned(
    examples: Vec<Example>,
    aux: Option<&Auxiliary>,
    cfg: &CheckedConfig,
    data_sha256: &str,
    data_files: &[String],
) -> Result<Trained> {
    let analysed = prepare(&examples, aux, cfg)?;
    drop(examples);
    solve(analysed.finish(), cfg, data_sha256, data_files)
}

/// The examples' labels, weights and analysed features: all that training
/// needs of them, holding no borrow of their texts.
struct Analysed {
    examples: usize,
    per_label: BTreeMap<String, usize>,
    labels: Vec<String>,
    analysis: Analysis,
    /// Where the auxiliary rows start, when they get feature copies.
    augment_from: Option<usize>,
    y: Vec<usize>,
    weights: Vec<f64>,
    started: std::time::Instant,
}

impl Analysed {
    /// Builds the feature matrix.
    fn finish(self) -> Prepared {
        let (vectorizer, x) = self.analysis.finish();
        let d = vectorizer.n_features();
        let x = match self.augment_from {
            // Auxiliary rows also fire their domain's copy of each feature,
            // numbered after the shared ones.
            Some(first) => x.with_shifted_copies(first, d as u32, 2 * d),
            None => x,
        };
        Prepared {
            examples: self.examples,
            per_label: self.per_label,
            labels: self.labels,
            vectorizer,
            x,
            y: self.y,
            weights: self.weights,
            featurize_seconds: self.started.elapsed().as_secs_f64(),
        }
    }
}

/// What the optimiser needs of the examples: their labels, weights and
/// feature matrix (main rows first, then auxiliary ones).
struct Prepared {
    examples: usize,
    per_label: BTreeMap<String, usize>,
    labels: Vec<String>,
    vectorizer: Vectorizer,
    x: Csr,
    y: Vec<usize>,
    weights: Vec<f64>,
    featurize_seconds: f64,
}

/// Checks the examples and analyses their features.
fn prepare(examples: &[Example], aux: Option<&Auxiliary>, cfg: &CheckedConfig) -> Result<Analysed> {
    if examples.is_empty() {
        return Err(Error::Training("no training examples".into()));
    }
    let aux_examples = aux.map_or(&[][..], |a| a.examples);
    if let Some(a) = aux {
        if !(a.weight.is_finite() && a.weight > 0.0) {
            return Err(Error::Config("aux weight must be a positive number".into()));
        }
        if cfg.solver == Solver::Linfa {
            return Err(Error::Config(
                "auxiliary data needs sample weights: use --solver sparse".into(),
            ));
        }
    }
    let mut per_label: BTreeMap<String, usize> = BTreeMap::new();
    for e in examples {
        *per_label.entry(label_of(e)?.to_string()).or_insert(0) += 1;
    }
    if per_label.len() < 2 {
        return Err(Error::Training(format!(
            "need at least two distinct labels, found {:?}",
            per_label.keys().collect::<Vec<_>>()
        )));
    }
    let labels: Vec<String> = per_label.keys().cloned().collect();
    let y: Vec<usize> = examples
        .iter()
        .map(|e| {
            labels
                .iter()
                .position(|l| Some(l.as_str()) == e.label.as_deref())
                .unwrap_or(0)
        })
        .collect();
    let k = labels.len();
    let mut aux_y = Vec::with_capacity(aux_examples.len());
    for e in aux_examples {
        let l = label_of(e)?;
        let c = labels.iter().position(|m| m == l).ok_or_else(|| {
            Error::Training(format!(
                "auxiliary example on line {} has label {l:?}, which the main data does not have",
                e.line
            ))
        })?;
        aux_y.push(c);
    }
    let mut weights = balance(&y, k, cfg.class_weight);
    if let Some(a) = aux {
        let aux_weights = balance(&aux_y, k, cfg.class_weight);
        weights.extend(aux_weights.iter().map(|w| w * a.weight));
    }
    let all_y: Vec<usize> = y.iter().chain(&aux_y).copied().collect();
    let features = cfg.with_task_features();
    let others = other_mentions(examples);
    let aux_others = other_mentions(aux_examples);
    let docs: Vec<Doc> = examples
        .iter()
        .zip(&others)
        .chain(aux_examples.iter().zip(&aux_others))
        .map(|(e, o)| Doc {
            text: &e.text,
            target: if features.target_aware { e.span } else { None },
            others: o,
            own_party: e.is_own_party(),
        })
        .collect();
    let t0 = std::time::Instant::now();
    let analysis = Vectorizer::analyse(features, &docs, cfg.threads);
    Ok(Analysed {
        examples: examples.len(),
        per_label,
        labels,
        analysis,
        augment_from: aux.is_some_and(|a| a.augment).then_some(examples.len()),
        y: all_y,
        weights,
        started: t0,
    })
}

/// Fits the weights to prepared examples.
fn solve(
    prepared: Prepared,
    cfg: &CheckedConfig,
    data_sha256: &str,
    data_files: &[String],
) -> Result<Trained> {
    let Prepared {
        examples,
        per_label,
        labels,
        vectorizer,
        x,
        y,
        weights,
        featurize_seconds,
    } = prepared;
    let k = labels.len();
    let d = vectorizer.n_features();
    let t1 = std::time::Instant::now();
    let mut solver_stats = None;
    let fitted = match cfg.solver {
        Solver::Sparse => {
            // The solver reads X with its columns renumbered by frequency
            // (2 to 4 classes); renumbered here, in place, it needs no
            // copy of X's column indices beside X's own.
            let (x, order) = if (2..=4).contains(&k) {
                let (x, order) = x.renumbered_by_frequency();
                (x, Some(order))
            } else {
                (x, None)
            };
            let p = Problem {
                x: &x,
                y: &y,
                weights: &weights,
                n_classes: k,
                alpha: cfg.alpha,
                order: order.as_deref(),
            };
            let s = minimize(
                &p,
                &SolverOptions {
                    max_iter: cfg.max_iter,
                    tol: cfg.tol,
                    threads: cfg.threads,
                },
            )?;
            solver_stats = Some(SolverStats {
                iterations: s.iterations,
                evaluations: s.evaluations,
                nnz: x.nnz(),
                timings: s.timings,
            });
            Fitted {
                weights: s.w,
                intercepts: s.intercept,
                iterations: Some(s.iterations),
                converged: Some(s.converged),
                loss: s.loss,
            }
        }
        Solver::Linfa => fit_linfa(&x, &y, k, cfg)?,
    };
    // Feature-major weights: the shared features come first.
    let Fitted {
        weights: mut w,
        intercepts,
        iterations,
        converged,
        loss,
    } = fitted;
    w.truncate(d * k);
    let solve_seconds = t1.elapsed().as_secs_f64();
    let meta = TrainingMeta {
        examples,
        examples_per_label: per_label,
        data_sha256: data_sha256.to_string(),
        data_files: data_files.to_vec(),
        solver: match cfg.solver {
            Solver::Sparse => "sparse-lbfgs".into(),
            Solver::Linfa => "linfa-logistic".into(),
        },
        alpha: cfg.alpha,
        class_weight: match cfg.class_weight {
            ClassWeight::None => "none".into(),
            ClassWeight::Balanced => "balanced".into(),
        },
        max_iter: cfg.max_iter,
        tol: cfg.tol,
        iterations,
        converged,
        final_loss: loss,
        ..TrainingMeta::default()
    };
    let model = StanceModel::from_parts(cfg.task, labels, vectorizer, w, intercepts, meta);
    Ok(Trained {
        model,
        featurize_seconds,
        solve_seconds,
        solver_stats,
    })
}

/// Example weights: one each, or n / (k * n_label) so that each label
/// weighs the same.
fn balance(y: &[usize], k: usize, class_weight: ClassWeight) -> Vec<f64> {
    match class_weight {
        ClassWeight::None => vec![1.0; y.len()],
        ClassWeight::Balanced => {
            let mut counts = vec![0usize; k];
            for &c in y {
                counts[c] += 1;
            }
            let n = y.len() as f64;
            y.iter()
                .map(|&c| n / (k as f64 * counts[c] as f64))
                .collect()
        }
    }
}

/// What a solver found.
struct Fitted {
    /// Feature-major: `weights[j * k + c]`, auxiliary copies included.
    weights: Vec<f64>,
    intercepts: Vec<f64>,
    /// None where the solver does not report them (linfa).
    iterations: Option<usize>,
    converged: Option<bool>,
    /// The objective at the solution.
    loss: f64,
}

/// linfa-logistic's own solver on a dense copy of the matrix.
fn fit_linfa(x: &Csr, y: &[usize], k: usize, cfg: &CheckedConfig) -> Result<Fitted> {
    use linfa::prelude::{Dataset, Fit};
    use linfa_logistic::MultiLogisticRegression;
    let dense = x.to_dense();
    let targets = ndarray::Array1::from(y.to_vec());
    let ds = Dataset::new(dense, targets);
    // linfa's tolerance is absolute on the summed loss; ours is per example.
    let fitted = MultiLogisticRegression::default()
        .alpha(cfg.alpha)
        .max_iterations(cfg.max_iter as u64)
        .gradient_tolerance(cfg.tol * y.len() as f64)
        .fit(&ds)
        .map_err(|e| Error::Training(format!("linfa-logistic: {e}")))?;
    let classes = fitted.classes().to_vec();
    if classes != (0..k).collect::<Vec<_>>() {
        return Err(Error::Training(
            "linfa-logistic returned an unexpected class order".into(),
        ));
    }
    let params = fitted.params();
    let mut w = vec![0.0; x.n_cols * k];
    for j in 0..x.n_cols {
        for c in 0..k {
            w[j * k + c] = params[[j, c]];
        }
    }
    let intercept = fitted.intercept().to_vec();
    // Report the loss of linfa's solution under our (identical) objective.
    let ones = vec![1.0; y.len()];
    let p = Problem {
        x,
        y,
        weights: &ones,
        n_classes: k,
        alpha: cfg.alpha,
        order: None,
    };
    let mut params_flat = w.clone();
    params_flat.extend_from_slice(&intercept);
    let mut g = vec![0.0; params_flat.len()];
    let loss = p.loss_grad(&params_flat, &mut g);
    // linfa does not expose its iteration count or convergence flag.
    Ok(Fitted {
        weights: w,
        intercepts: intercept,
        iterations: None,
        converged: None,
        loss,
    })
}

/// Evaluates a model on labelled examples and returns (accuracy, macro-F1).
pub fn dev_metrics(model: &StanceModel, dev: &[Example], file: &str) -> DevMetrics {
    let preds = model.predict_examples(dev);
    let gold: Vec<&str> = dev
        .iter()
        .map(|e| e.label.as_deref().unwrap_or(""))
        .collect();
    let pred: Vec<&str> = preds.iter().map(|p| p.label.as_str()).collect();
    let report = crate::report::Report::new(&model.labels, &gold, &pred);
    DevMetrics {
        file: file.to_string(),
        n: dev.len(),
        accuracy: report.accuracy,
        macro_f1: report.macro_f1,
    }
}
