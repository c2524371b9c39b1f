//! Helpers shared by the subcommands: data-loading flags, training flags,
//! model loading, and counting what was skipped.

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use stancekit::data::{self, Example, FieldMap, InputFormat, LoadOptions};
use stancekit::features::FeatureConfig;
use stancekit::model::{CheckedConfig, ClassWeight, Solver, StanceModel, Task, TrainConfig};
use std::path::{Path, PathBuf};

/// How to read a labelled data file.
#[derive(clap::Args, Debug, Clone)]
pub struct DataArgs {
    /// Field holding the statement text.
    #[arg(long, default_value = "text", value_name = "NAME")]
    pub text_field: String,
    /// Field holding the target party.
    #[arg(long, default_value = "target", value_name = "NAME")]
    pub target_field: String,
    /// Field holding the label [default: "label" for stance, "sentiment" for sentiment].
    #[arg(long, value_name = "NAME")]
    pub label_field: Option<String>,
    /// Fields holding the target mention's character offsets (end exclusive).
    #[arg(
        long,
        default_value = "target_start,target_end",
        value_name = "START,END"
    )]
    pub span_fields: String,
    /// Input format [default: from the extension: .csv is CSV, anything else JSON Lines].
    #[arg(long, value_parser = choice::<InputFormatArg, InputFormat>())]
    pub input_format: Option<InputFormat>,
    /// Warn about bad records and go on, instead of stopping at the first one.
    #[arg(long)]
    pub skip_invalid: bool,
}

impl DataArgs {
    pub fn options(&self, task: Task, require_label: bool) -> Result<LoadOptions> {
        let (start, end) = self
            .span_fields
            .split_once(',')
            .context("--span-fields takes two names separated by a comma, e.g. from,to")?;
        let label = self.label_field.clone().unwrap_or_else(|| match task {
            Task::Stance => "label".into(),
            Task::Sentiment => "sentiment".into(),
        });
        Ok(LoadOptions {
            fields: FieldMap {
                text: self.text_field.clone(),
                target: self.target_field.clone(),
                label,
                span: (start.trim().to_string(), end.trim().to_string()),
            },
            format: self.input_format,
            require_label,
            require_target: task == Task::Stance,
            skip_invalid: self.skip_invalid,
            ..LoadOptions::default()
        })
    }
}

/// Loads a labelled file, printing a warning per skipped record and a count.
/// Quote-level (sentiment) data is reduced to one example per distinct text.
pub fn load_for_task(path: &Path, opts: &LoadOptions, task: Task) -> Result<Vec<Example>> {
    let examples = load_examples(path, opts)?;
    Ok(match task {
        Task::Stance => examples,
        Task::Sentiment => data::distinct_texts(examples),
    })
}

/// Loads a labelled file, printing a warning per skipped record and a count.
pub fn load_examples(path: &Path, opts: &LoadOptions) -> Result<Vec<Example>> {
    let loaded = data::load(path, opts)?;
    for e in &loaded.skipped {
        eprintln!("warning: skipped {e}");
    }
    eprintln!(
        "{}: used {} records, skipped {} invalid",
        path.display(),
        loaded.examples.len(),
        loaded.skipped.len()
    );
    if loaded.examples.is_empty() {
        bail!("{}: no usable records", path.display());
    }
    Ok(loaded.examples)
}

/// Model hyper-parameters, shared by `train` and `cv`.
#[derive(clap::Args, Debug, Clone)]
pub struct TrainArgs {
    /// What to learn: stance toward a target, or quote-level sentiment.
    #[arg(long, value_parser = choice::<TaskArg, Task>(), default_value = "stance")]
    pub task: Task,
    /// L2 penalty on the weights (1/C in scikit-learn terms) [default: 1.0].
    #[arg(long)]
    pub alpha: Option<f64>,
    /// Weight examples so every label counts equally.
    #[arg(long, value_parser = choice::<ClassWeightArg, ClassWeight>(), default_value = "balanced")]
    pub class_weight: ClassWeight,
    /// Optimiser: stancekit's sparse L-BFGS or linfa-logistic's dense one.
    #[arg(long, value_parser = choice::<SolverArg, Solver>(), default_value = "sparse")]
    pub solver: Solver,
    /// Maximum L-BFGS iterations.
    #[arg(long, default_value_t = 1000)]
    pub max_iter: usize,
    /// Stop when the largest gradient entry, per unit of sample weight, is below this.
    #[arg(long, default_value_t = 1e-4)]
    pub tol: f64,
    /// Longest word n-gram.
    #[arg(long, default_value_t = 2)]
    pub ngram_max: usize,
    /// Drop features seen in fewer training examples than this.
    #[arg(long, default_value_t = 2)]
    pub min_df: usize,
    /// Keep at most this many features (the most frequent).
    #[arg(long)]
    pub max_features: Option<usize>,
    /// Use surface forms instead of Snowball stems.
    #[arg(long)]
    pub no_stem: bool,
    /// Do not mark negation scope.
    #[arg(long)]
    pub no_negation: bool,
    /// Words either side of the target that get position-aware features.
    #[arg(long, default_value_t = 4)]
    pub context_window: usize,
    /// Do not use the target mention's own words as features.
    #[arg(long)]
    pub no_target_identity: bool,
    /// Do not emit the words of the target's own sentence as features.
    #[arg(long)]
    pub no_sentence_scope: bool,
    /// Also count the built-in tone lexicon (src/lexicon.rs) around the
    /// target. Measured: +1.5 points macro-F1 on labeled/ (stance), -2 on
    /// NewsMTSC (sentiment toward a mention), so it is opt-in.
    #[arg(long)]
    pub lexicon: bool,
    /// Also emit the words of the target's clause and where a contrast
    /// ("but", "although") stands relative to it.
    #[arg(long)]
    pub clause_scope: bool,
    /// Worker threads for training, 1 to 256 [default: all cores].
    #[arg(long, value_parser = parse_threads)]
    pub threads: Option<usize>,
}

/// A parser for a library enum by way of its CLI twin below: the library's
/// types carry no clap derives, and `--help` lists the twin's values with
/// their help text.
pub fn choice<A, T>() -> impl clap::builder::TypedValueParser<Value = T>
where
    A: clap::ValueEnum + Clone + Send + Sync + 'static,
    T: From<A> + Clone + Send + Sync + 'static,
{
    use clap::builder::TypedValueParser as _;
    clap::builder::EnumValueParser::<A>::new().map(T::from)
}

/// `--task` ([`Task`]).
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum TaskArg {
    /// Stance of the speaker toward a target party (target-aware features).
    Stance,
    /// Sentiment of the quote as a whole (no target features).
    Sentiment,
}

impl From<TaskArg> for Task {
    fn from(a: TaskArg) -> Task {
        match a {
            TaskArg::Stance => Task::Stance,
            TaskArg::Sentiment => Task::Sentiment,
        }
    }
}

/// `--class-weight` ([`ClassWeight`]).
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ClassWeightArg {
    /// Every example counts once.
    None,
    /// Examples weighted n / (k * n_label), so each label weighs the same in
    /// the loss (scikit-learn's "balanced").
    Balanced,
}

impl From<ClassWeightArg> for ClassWeight {
    fn from(a: ClassWeightArg) -> ClassWeight {
        match a {
            ClassWeightArg::None => ClassWeight::None,
            ClassWeightArg::Balanced => ClassWeight::Balanced,
        }
    }
}

/// `--solver` ([`Solver`]).
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum SolverArg {
    /// stancekit's sparse L-BFGS for linfa-logistic's objective (fast).
    Sparse,
    /// linfa-logistic's MultiLogisticRegression on a dense matrix (slow,
    /// reference; ignores sample weights, so needs --class-weight none).
    Linfa,
}

impl From<SolverArg> for Solver {
    fn from(a: SolverArg) -> Solver {
        match a {
            SolverArg::Sparse => Solver::Sparse,
            SolverArg::Linfa => Solver::Linfa,
        }
    }
}

/// `--input-format` of labelled data ([`InputFormat`]).
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum InputFormatArg {
    Jsonl,
    Csv,
}

impl From<InputFormatArg> for InputFormat {
    fn from(a: InputFormatArg) -> InputFormat {
        match a {
            InputFormatArg::Jsonl => InputFormat::Jsonl,
            InputFormatArg::Csv => InputFormat::Csv,
        }
    }
}

/// Most worker threads any subcommand starts.
pub const MAX_THREADS: usize = 256;

/// Parses `--threads`: 1 to [`MAX_THREADS`]. A huge count is refused here,
/// with the reason, rather than failing later with the operating system's
/// "Resource temporarily unavailable" when thread number few-thousand
/// cannot start.
pub fn parse_threads(s: &str) -> Result<usize, String> {
    let n: usize = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a whole number"))?;
    if n == 0 || n > MAX_THREADS {
        return Err(format!("at least 1 and at most {MAX_THREADS}, got {n}"));
    }
    Ok(n)
}

impl TrainArgs {
    pub fn config(&self) -> Result<CheckedConfig> {
        let defaults = TrainConfig::default();
        let cfg = TrainConfig {
            task: self.task,
            features: FeatureConfig {
                ngram_max: self.ngram_max,
                min_df: self.min_df,
                max_features: self.max_features,
                stem: !self.no_stem,
                negation: !self.no_negation,
                target_aware: self.task == Task::Stance,
                context_window: self.context_window,
                target_identity: !self.no_target_identity && self.task == Task::Stance,
                sublinear_tf: true,
                sentence_scope: !self.no_sentence_scope && self.task == Task::Stance,
                own_party: self.task == Task::Stance,
                lexicon: self.lexicon && self.task == Task::Stance,
                clause_scope: self.clause_scope && self.task == Task::Stance,
            },
            alpha: self.alpha.unwrap_or(1.0),
            class_weight: self.class_weight,
            solver: self.solver,
            max_iter: self.max_iter,
            tol: self.tol,
            threads: self.threads.unwrap_or(defaults.threads).max(1),
        };
        Ok(cfg.check()?)
    }
}

/// SHA-256 over the given files' bytes, in order, as hex.
pub fn sha256_files(paths: &[PathBuf]) -> Result<String> {
    let mut h = Sha256::new();
    for p in paths {
        let bytes = std::fs::read(p).with_context(|| format!("{}: cannot read", p.display()))?;
        h.update(&bytes);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Loads the model at `path`, or the embedded default for `task`, printing
/// what the loader warns about (a version 1 file has no checksum).
pub fn load_model(path: Option<&Path>, task: Task) -> Result<StanceModel> {
    let model = match path {
        Some(p) => StanceModel::load(p)?,
        None => stancekit::defaults::model(task)?,
    };
    for w in &model.warnings {
        eprintln!("warning: {w}");
    }
    Ok(model)
}

/// How messages name the model `load_model` loads for `path` and `task`.
pub fn model_origin(path: Option<&Path>, task: Task) -> String {
    match (path, task) {
        (Some(p), _) => p.display().to_string(),
        (None, Task::Stance) => "embedded models/stance.json".into(),
        (None, Task::Sentiment) => "embedded models/sentiment.json".into(),
    }
}

/// Every label in `examples` must be one the model knows.
pub fn check_labels(
    examples: &[Example],
    model: &StanceModel,
    origin: &Path,
    skip: bool,
) -> Result<Vec<Example>> {
    let mut kept = Vec::with_capacity(examples.len());
    let mut skipped = 0;
    for e in examples {
        let label = e.label.as_deref().unwrap_or("");
        if model.label_index(label).is_some() {
            kept.push(e.clone());
            continue;
        }
        let msg = format!(
            "{}:{}: unknown label {label:?} (the model knows {})",
            origin.display(),
            e.line,
            model.labels.join(", ")
        );
        if !skip {
            bail!(msg);
        }
        eprintln!("warning: skipped {msg}");
        skipped += 1;
    }
    if skipped > 0 {
        eprintln!(
            "{}: used {} records, skipped {skipped} with unknown labels",
            origin.display(),
            kept.len()
        );
    }
    if kept.is_empty() {
        bail!("{}: no usable records", origin.display());
    }
    Ok(kept)
}

/// Predict output to read: the file at `path`, or stdin for `-`.
pub fn open_predictions(path: &std::path::Path) -> Result<Box<dyn std::io::BufRead>> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(std::io::stdin().lock()));
    }
    let file =
        std::fs::File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
    Ok(Box::new(std::io::BufReader::new(file)))
}

/// Line `lineno` (1-based) of predict output read as its record. A line
/// that is not one is an error naming the file and line, or with
/// `skip_invalid` a warning on stderr and `None`.
pub fn predict_record<'l>(
    line: &'l str,
    origin: &str,
    lineno: usize,
    skip_invalid: bool,
) -> Result<Option<stancekit::predict::ArticlePrediction<'l>>> {
    match serde_json::from_str(line) {
        Ok(r) => Ok(Some(r)),
        Err(e) => {
            let what = if e.is_data() {
                "not a `stancekit predict` record"
            } else {
                "invalid JSON"
            };
            let msg = format!("{origin}:{lineno}: {what}: {e}");
            if !skip_invalid {
                bail!(msg);
            }
            eprintln!("warning: skipped {msg}");
            Ok(None)
        }
    }
}
