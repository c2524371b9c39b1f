//! Whole operations for programs that embed stancekit (the Python package in
//! `bindings/python`): articles and labelled rows in, the CLI's JSON records
//! out. Records are written by the same writers the CLI uses, so an embedding
//! cannot produce a record the CLI would not. Every call an embedding makes
//! into the library goes through this module, so a rename inside the library
//! is a fix here, not in each binding.
//!
//! Checks the CLI makes on its arguments (a stance model for `predict`, a
//! target for a stance model, labels the model knows) are made here too,
//! with the CLI's messages less its flag names.

use crate::article::Article;
use crate::data::{self, Example, LoadOptions};
use crate::model::{
    dev_metrics, train_with_aux_owned, CheckedConfig, ClassWeight, StanceModel, TrainConfig,
};
use crate::parties::PartyDict;
use crate::predict::Predictor;
use crate::quotes::{self, ArticleQuotes};
use crate::report::Report;
use crate::{Error, Result};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

pub use crate::model::{Solver, Task};
pub use crate::predict::DEFAULT_MIN_PROB;

/// One article to read: `id` becomes the record's `"article"`; a `date`
/// given here replaces the one in the text's date header, as a JSON Lines
/// input's `"date"` does for the CLI.
#[derive(Debug, Clone)]
pub struct ArticleInput {
    pub id: String,
    pub text: String,
    pub date: Option<String>,
}

/// A model and how messages name it (its path, or "embedded models/...").
pub struct Model {
    model: StanceModel,
    origin: String,
}

/// Labelled (or to-be-labelled) rows: a file the CLI could read (JSON Lines,
/// or CSV by its extension), or JSON Lines text made by the caller, named
/// `origin` in messages ("rows:3: ...").
pub enum Rows {
    File(PathBuf),
    Jsonl { text: String, origin: String },
}

impl Model {
    /// The model shipped in the binary for `task`.
    pub fn embedded(task: Task) -> Result<Model> {
        let origin = match task {
            Task::Stance => "embedded models/stance.json",
            Task::Sentiment => "embedded models/sentiment.json",
        };
        Ok(Model {
            model: crate::defaults::model(task)?,
            origin: origin.into(),
        })
    }

    /// A model file, checked as the CLI checks it.
    pub fn load(path: &Path) -> Result<Model> {
        Ok(Model {
            model: StanceModel::load(path)?,
            origin: path.display().to_string(),
        })
    }

    pub fn task(&self) -> Task {
        self.model.task
    }

    pub fn labels(&self) -> &[String] {
        &self.model.labels
    }

    pub fn n_features(&self) -> usize {
        self.model.n_features()
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// What the loader says about the file (e.g. a version 1 file has no
    /// checksum), each naming it.
    pub fn warnings(&self) -> &[String] {
        &self.model.warnings
    }

    /// The training metadata as JSON (the model file's `"meta"`).
    pub fn meta_json(&self) -> String {
        serde_json::to_string(&self.model.meta).unwrap_or_else(|_| "{}".into())
    }

    /// Writes the model file atomically, as `stancekit train --out` does.
    pub fn save(&self, path: &Path) -> Result<()> {
        self.model.save(path)
    }

    /// `stancekit classify --json`'s object for one statement: `{"label",
    /// "probs"}` and, with `explain`, the ten features that pushed hardest
    /// each way. The flag is false when the target is not found in the
    /// text (it is classified without its position, as the CLI notes).
    pub fn classify(
        &self,
        text: &str,
        target: Option<&str>,
        explain: bool,
    ) -> Result<(String, bool)> {
        if text.trim().is_empty() {
            return Err(Error::Config("the text is empty".into()));
        }
        let model = &self.model;
        let span = match (target, model.task) {
            (Some(t), _) => find_target(text, t),
            (None, Task::Stance) => {
                return Err(Error::Config("a stance model needs a target".into()))
            }
            (None, Task::Sentiment) => None,
        };
        let found = target.is_none() || span.is_some() || model.task != Task::Stance;
        let row = model.featurize(text, span, &[]);
        let pred = model.predict_row(&row);
        let mut v = serde_json::json!({"label": pred.label, "probs": probs_json(&pred.probs)});
        if explain {
            let best = model.label_index(&pred.label).unwrap_or(0);
            let (toward, against) = model.explain(&row, best, 10);
            v["explain"] = serde_json::json!({"toward": toward, "against": against});
        }
        Ok((v.to_string(), found))
    }

    /// Predictions for labelled-data rows, read as `eval` reads them (spans
    /// from `target_start`/`target_end` or the target's name, other
    /// mentions from rows sharing a text), labels not needed: a JSON array
    /// of `{"label", "probs"}`, one per usable row, in order.
    pub fn classify_rows(&self, rows: &Rows) -> Result<String> {
        let opts = load_options(self.model.task, false);
        let (examples, _) = load_rows(rows, &opts, self.model.task)?;
        let preds = self.model.predict_examples(&examples);
        let out: Vec<serde_json::Value> = preds
            .iter()
            .map(|p| serde_json::json!({"label": p.label, "probs": probs_json(&p.probs)}))
            .collect();
        Ok(serde_json::Value::Array(out).to_string())
    }

    /// `stancekit eval --format json`'s report of this model on `rows`.
    pub fn evaluate(&self, rows: &Rows) -> Result<String> {
        let opts = load_options(self.model.task, true);
        let (examples, origin) = load_rows(rows, &opts, self.model.task)?;
        let examples = check_labels(examples, &self.model, &origin)?;
        let preds = self.model.predict_examples(&examples);
        let gold: Vec<&str> = examples
            .iter()
            .map(|e| e.label.as_deref().unwrap_or(""))
            .collect();
        let pred: Vec<&str> = preds.iter().map(|p| p.label.as_str()).collect();
        Ok(Report::new(&self.model.labels, &gold, &pred).to_json())
    }
}

/// Training settings: the defaults are `stancekit train`'s.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    pub task: Task,
    /// None: 1.0, or with `dev` the best of `alpha_grid` on it.
    pub alpha: Option<f64>,
    pub alpha_grid: Vec<f64>,
    pub class_weight_balanced: bool,
    pub solver: Solver,
    pub max_iter: usize,
    pub tol: f64,
    pub ngram_max: usize,
    pub min_df: usize,
    pub max_features: Option<usize>,
    pub stem: bool,
    pub negation: bool,
    pub context_window: usize,
    pub target_identity: bool,
    pub sentence_scope: bool,
    pub lexicon: bool,
    pub clause_scope: bool,
    pub threads: Option<usize>,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            task: Task::Stance,
            alpha: None,
            alpha_grid: vec![0.25, 0.5, 1.0, 2.0, 4.0],
            class_weight_balanced: true,
            solver: Solver::Sparse,
            max_iter: 1000,
            tol: 1e-4,
            ngram_max: 2,
            min_df: 2,
            max_features: None,
            stem: true,
            negation: true,
            context_window: 4,
            target_identity: true,
            sentence_scope: true,
            lexicon: false,
            clause_scope: false,
            threads: None,
        }
    }
}

impl TrainOptions {
    /// The configuration `stancekit train` builds from the same flags.
    fn config(&self) -> Result<CheckedConfig> {
        let defaults = TrainConfig::default();
        let stance = self.task == Task::Stance;
        let cfg = TrainConfig {
            task: self.task,
            features: crate::features::FeatureConfig {
                ngram_max: self.ngram_max,
                min_df: self.min_df,
                max_features: self.max_features,
                stem: self.stem,
                negation: self.negation,
                target_aware: stance,
                context_window: self.context_window,
                target_identity: self.target_identity && stance,
                sublinear_tf: true,
                sentence_scope: self.sentence_scope && stance,
                own_party: stance,
                lexicon: self.lexicon && stance,
                clause_scope: self.clause_scope && stance,
            },
            alpha: self.alpha.unwrap_or(1.0),
            class_weight: if self.class_weight_balanced {
                ClassWeight::Balanced
            } else {
                ClassWeight::None
            },
            solver: self.solver,
            max_iter: self.max_iter,
            tol: self.tol,
            threads: self.threads.unwrap_or(defaults.threads).max(1),
        };
        cfg.check()
    }
}

/// Trains a model as `stancekit train --data ROWS [--dev DEV]` does: with
/// `dev` and no alpha, alpha is chosen from the grid by dev macro-F1 (first
/// wins ties), and the dev figures are recorded in the model.
pub fn train(rows: &Rows, dev: Option<&Rows>, options: &TrainOptions) -> Result<Model> {
    let mut cfg = options.config()?;
    let opts = LoadOptions {
        keep_extra: false,
        ..load_options(cfg.task, true)
    };
    let (examples, origin) = load_rows(rows, &opts, cfg.task)?;
    let sha = rows_sha256(rows)?;
    let files = vec![origin];
    let dev = match dev {
        Some(d) => Some(load_rows(d, &opts, cfg.task)?),
        None => None,
    };
    let mut search = Vec::new();
    if let (Some((dev_examples, dev_origin)), None) = (&dev, options.alpha) {
        let mut best: Option<(f64, f64)> = None;
        for &alpha in &options.alpha_grid {
            let trial = cfg.with_alpha(alpha)?;
            let trained = crate::model::train(&examples, &trial, &sha, &files)?;
            let dev_examples = check_labels(dev_examples.clone(), &trained.model, dev_origin)?;
            let m = dev_metrics(&trained.model, &dev_examples, dev_origin);
            search.push((alpha, m.macro_f1));
            if best.is_none_or(|(_, f)| m.macro_f1 > f) {
                best = Some((alpha, m.macro_f1));
            }
        }
        if let Some((alpha, _)) = best {
            cfg = cfg.with_alpha(alpha)?;
        }
    }
    let mut model = train_with_aux_owned(examples, None, &cfg, &sha, &files)?.model;
    model.meta.alpha_search = search;
    if let Some((dev_examples, dev_origin)) = dev {
        let dev_examples = check_labels(dev_examples, &model, &dev_origin)?;
        model.meta.dev = Some(dev_metrics(&model, &dev_examples, &dev_origin));
    }
    Ok(Model {
        model,
        origin: "trained model".into(),
    })
}

/// The models and party dictionary `predict` and `extract` read articles with.
pub struct Pipeline {
    stance: Arc<Model>,
    sentiment: Arc<Model>,
    parties: Option<PartyDict>,
}

impl Pipeline {
    /// A pipeline of the given models (the embedded ones where None) and
    /// party dictionary file (the embedded one where None), checked as
    /// `stancekit predict` checks its `--model`, `--sentiment-model` and
    /// `--parties`.
    pub fn new(
        stance: Option<Arc<Model>>,
        sentiment: Option<Arc<Model>>,
        parties: Option<&Path>,
    ) -> Result<Pipeline> {
        let stance = match stance {
            Some(m) => m,
            None => Arc::new(Model::embedded(Task::Stance)?),
        };
        let sentiment = match sentiment {
            Some(m) => m,
            None => Arc::new(Model::embedded(Task::Sentiment)?),
        };
        if stance.task() != Task::Stance {
            return Err(Error::Model(format!(
                "{}: the stance model must be a stance model (this one was trained with --task {:?})",
                stance.origin,
                stance.task()
            )));
        }
        let needed = crate::lint::DEFAULT_LABELS;
        let mut has: Vec<&str> = stance.labels().iter().map(String::as_str).collect();
        has.sort_unstable();
        if has != needed {
            return Err(Error::Model(format!(
                "{}: predict needs a stance model with the labels {}; this one has {} (classify and evaluate can use it)",
                stance.origin,
                needed.join(", "),
                has.join(", ")
            )));
        }
        if sentiment.task() != Task::Sentiment {
            return Err(Error::Model(format!(
                "{}: the sentiment model must be a sentiment model (train it with --task sentiment)",
                sentiment.origin
            )));
        }
        let parties = match parties {
            Some(p) => Some(PartyDict::load(p)?),
            None => None,
        };
        Ok(Pipeline {
            stance,
            sentiment,
            parties,
        })
    }

    fn dict(&self) -> &PartyDict {
        match &self.parties {
            Some(d) => d,
            None => PartyDict::embedded(),
        }
    }

    /// What the party dictionary's loader warns about.
    pub fn warnings(&self) -> &[String] {
        &self.dict().warnings
    }

    /// `stancekit predict`'s JSON record of one article (without the
    /// newline); stances less probable than `min_prob` are "uncertain".
    pub fn predict_json(&self, article: &ArticleInput, min_prob: f64) -> Result<String> {
        if !(0.0..=1.0).contains(&min_prob) {
            return Err(Error::Config(format!(
                "min_prob must be between 0 and 1, got {min_prob}"
            )));
        }
        let predictor = Predictor {
            stance: &self.stance.model,
            sentiment: &self.sentiment.model,
            parties: self.dict(),
        };
        let mut record = predictor.predict(&parse(article));
        record.abstain(min_prob);
        serde_json::to_string(&record).map_err(|e| Error::Config(e.to_string()))
    }

    /// `stancekit extract`'s JSON record of one article (without the newline).
    pub fn extract_json(&self, article: &ArticleInput) -> String {
        let article = parse(article);
        let record = ArticleQuotes::from_quotes(&article, quotes::extract(&article, self.dict()));
        // A record of strings and numbers always serialises.
        serde_json::to_string(&record).unwrap_or_default()
    }

    /// [`Pipeline::predict_json`] of each article, in input order, on up
    /// to `threads` threads (each takes the next unread article, so a long
    /// article does not hold the others back).
    pub fn predict_json_many(
        &self,
        articles: &[ArticleInput],
        min_prob: f64,
        threads: usize,
    ) -> Result<Vec<String>> {
        let threads = threads.clamp(1, articles.len().max(1));
        if threads == 1 {
            return articles
                .iter()
                .map(|a| self.predict_json(a, min_prob))
                .collect();
        }
        let next = AtomicUsize::new(0);
        let mut done: Vec<(usize, Result<String>)> = std::thread::scope(|s| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    s.spawn(|| {
                        let mut mine = Vec::new();
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(a) = articles.get(i) else { break };
                            mine.push((i, self.predict_json(a, min_prob)));
                        }
                        mine
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().unwrap_or_default())
                .collect()
        });
        if done.len() != articles.len() {
            return Err(Error::Config("a prediction thread panicked".into()));
        }
        done.sort_unstable_by_key(|(i, _)| *i);
        done.into_iter().map(|(_, r)| r).collect()
    }
}

fn parse(input: &ArticleInput) -> Article {
    let mut article = Article::parse(&input.id, input.text.clone());
    if input.date.is_some() {
        article.date = input.date.clone();
    }
    article
}

fn probs_json(probs: &[(&str, f64)]) -> serde_json::Map<String, serde_json::Value> {
    probs
        .iter()
        .map(|(l, p)| (l.to_string(), serde_json::json!(p)))
        .collect()
}

/// The CLI's loading options for labelled data with its default field names.
fn load_options(task: Task, require_label: bool) -> LoadOptions {
    let mut opts = LoadOptions {
        require_label,
        require_target: task == Task::Stance,
        ..LoadOptions::default()
    };
    if task == Task::Sentiment {
        opts.fields.label = "sentiment".into();
    }
    opts
}

/// The rows' examples (one per distinct text for sentiment, as the CLI
/// reduces them) and how messages name them.
fn load_rows(rows: &Rows, opts: &LoadOptions, task: Task) -> Result<(Vec<Example>, String)> {
    let (loaded, origin) = match rows {
        Rows::File(path) => (data::load(path, opts)?, path.display().to_string()),
        Rows::Jsonl { text, origin } => (
            data::load_reader(text.as_bytes(), origin, data::InputFormat::Jsonl, opts)?,
            origin.clone(),
        ),
    };
    if loaded.examples.is_empty() {
        return Err(Error::input(origin, "no usable records"));
    }
    let examples = match task {
        Task::Stance => loaded.examples,
        Task::Sentiment => data::distinct_texts(loaded.examples),
    };
    Ok((examples, origin))
}

/// SHA-256 of the rows as read, recorded in a trained model (for a file,
/// the hash `stancekit train` records).
fn rows_sha256(rows: &Rows) -> Result<String> {
    let mut h = Sha256::new();
    match rows {
        Rows::File(p) => h.update(std::fs::read(p).map_err(|e| Error::io(p, e))?),
        Rows::Jsonl { text, .. } => h.update(text.as_bytes()),
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Every label must be one the model knows (the CLI's message).
fn check_labels(examples: Vec<Example>, model: &StanceModel, origin: &str) -> Result<Vec<Example>> {
    for e in &examples {
        let label = e.label.as_deref().unwrap_or("");
        if model.label_index(label).is_none() {
            return Err(Error::record(
                origin,
                e.line,
                format!(
                    "unknown label {label:?} (the model knows {})",
                    model.labels.join(", ")
                ),
            ));
        }
    }
    Ok(examples)
}

/// The target's mention, as `stancekit classify` finds it: its own name,
/// else the first mention of the party it names (or stands for) in the
/// embedded dictionary: "Moscow" or "the Kremlin" for the target Russia.
fn find_target(text: &str, target: &str) -> Option<(usize, usize)> {
    crate::text::find_whole_word_ci(text, target).or_else(|| {
        let dict = PartyDict::embedded();
        let party = dict
            .party_index(target)
            .or_else(|| dict.party_of_surface(target))?;
        dict.find_mentions(text)
            .into_iter()
            .find(|m| m.party == party)
            .map(|m| (m.start, m.end))
    })
}
