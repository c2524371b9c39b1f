//! `stancekit cv`: k-fold cross-validation, grouped by text and stratified.

use super::util::{load_for_task, DataArgs, TrainArgs};
use super::{out, outln};
use anyhow::Result;
use serde::Serialize;
use stancekit::model::{cv::stratified_folds, train, write_atomic};
use stancekit::report::{mean_std, ClassMetrics, Report};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table of mean and standard deviation per figure.
    Markdown,
    /// One JSON document: every fold's report and the mean and std of each figure.
    Json,
}

/// Cross-validate the training pipeline: mean ± std of each figure over
/// stratified folds (rows sharing a text stay in one fold).
///
/// Example: stancekit cv --data labeled/train.jsonl --folds 5
#[derive(clap::Args)]
pub struct Args {
    /// Labelled data (JSON Lines or CSV).
    #[arg(long, value_name = "FILE")]
    data: PathBuf,
    /// Number of folds.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(2..=50))]
    folds: u32,
    /// Seed for the fold shuffle.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Report format on stdout.
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    format: Format,
    /// Also write the JSON report to this file.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    #[command(flatten)]
    data_args: DataArgs,
    #[command(flatten)]
    train_args: TrainArgs,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let cfg = args.train_args.config()?;
    let opts = args.data_args.options(cfg.task, true)?;
    let examples = load_for_task(&args.data, &opts, cfg.task)?;
    let k = args.folds as usize;
    let fold = stratified_folds(&examples, k, args.seed);
    let mut folds = Vec::new();
    for f in 0..k {
        let (train_set, test_set): (Vec<_>, Vec<_>) = examples
            .iter()
            .cloned()
            .zip(&fold)
            .partition(|(_, &g)| g != f);
        let train_set: Vec<_> = train_set.into_iter().map(|(e, _)| e).collect();
        let test_set: Vec<_> = test_set.into_iter().map(|(e, _)| e).collect();
        if test_set.is_empty() {
            continue;
        }
        let model = train(&train_set, &cfg, "", &[])?.model;
        // A label absent from this fold's training part cannot be predicted;
        // its rows still count as errors.
        let preds = model.predict_examples(&test_set);
        let gold: Vec<&str> = test_set
            .iter()
            .map(|e| e.label.as_deref().unwrap_or(""))
            .collect();
        let pred: Vec<&str> = preds.iter().map(|p| p.label.as_str()).collect();
        let mut labels = model.labels.clone();
        for g in &gold {
            if !labels.iter().any(|l| l == g) {
                labels.push(g.to_string());
            }
        }
        labels.sort();
        let r = Report::new(&labels, &gold, &pred);
        eprintln!(
            "fold {}: n={} accuracy {:.4} macro-F1 {:.4}",
            f + 1,
            r.n,
            r.accuracy,
            r.macro_f1
        );
        folds.push(Fold {
            fold: f + 1,
            report: r,
        });
    }
    let reports: Vec<&Report> = folds.iter().map(|f| &f.report).collect();
    let summary = Summary::new(&reports);
    let json = || -> Result<String> {
        Ok(serde_json::to_string_pretty(&serde_json::json!({
            "data": args.data.display().to_string(),
            "task": format!("{:?}", cfg.task).to_lowercase(),
            "folds": k,
            "seed": args.seed,
            "per_fold": folds,
            "mean": summary.mean,
            "std": summary.std,
        }))?)
    };
    match args.format {
        Format::Markdown => out!("{}", summary.to_markdown(k, &args.data, args.seed)),
        Format::Json => outln!("{}", json()?),
    }
    if let Some(p) = &args.json {
        write_atomic(p, format!("{}\n", json()?).as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// One fold's report, numbered from 1 as on stderr (a fold with no rows
/// to test has none).
#[derive(Serialize)]
struct Fold {
    fold: usize,
    #[serde(flatten)]
    report: Report,
}

/// The figures of a report that are averaged over folds.
#[derive(Serialize, Default)]
struct Figures {
    accuracy: f64,
    macro_f1: f64,
    weighted_f1: f64,
    per_class: BTreeMap<String, ClassFigures>,
}

#[derive(Serialize, Default)]
struct ClassFigures {
    precision: f64,
    recall: f64,
    f1: f64,
}

/// Mean and standard deviation of each figure over the folds. A label
/// missing from a fold's report counts as 0 there.
struct Summary {
    mean: Figures,
    std: Figures,
}

impl Summary {
    fn new(reports: &[&Report]) -> Summary {
        let col = |get: &dyn Fn(&Report) -> f64| {
            mean_std(&reports.iter().map(|r| get(r)).collect::<Vec<_>>())
        };
        let (mut mean, mut std) = (Figures::default(), Figures::default());
        (mean.accuracy, std.accuracy) = col(&|r| r.accuracy);
        (mean.macro_f1, std.macro_f1) = col(&|r| r.macro_f1);
        (mean.weighted_f1, std.weighted_f1) = col(&|r| r.weighted_f1);
        let labels: BTreeSet<&String> = reports.iter().flat_map(|r| r.per_class.keys()).collect();
        for l in labels {
            let class =
                |get: fn(&ClassMetrics) -> f64| col(&|r| r.per_class.get(l).map_or(0.0, get));
            let (m, s) = (
                mean.per_class.entry(l.clone()).or_default(),
                std.per_class.entry(l.clone()).or_default(),
            );
            (m.precision, s.precision) = class(|c| c.precision);
            (m.recall, s.recall) = class(|c| c.recall);
            (m.f1, s.f1) = class(|c| c.f1);
        }
        Summary { mean, std }
    }

    fn to_markdown(&self, k: usize, data: &Path, seed: u64) -> String {
        let (m, s) = (&self.mean, &self.std);
        let mut md = format!(
            "### {k}-fold cross-validation on {} (seed {seed})\n\n| figure | mean | std |\n|---|---:|---:|\n",
            data.display()
        );
        for (name, mean, std) in [
            ("accuracy", m.accuracy, s.accuracy),
            ("macro F1", m.macro_f1, s.macro_f1),
            ("weighted F1", m.weighted_f1, s.weighted_f1),
        ] {
            md.push_str(&format!("| {name} | {mean:.4} | {std:.4} |\n"));
        }
        for (l, mc) in &m.per_class {
            let sc = &s.per_class[l];
            for (what, mean, std) in [
                ("precision", mc.precision, sc.precision),
                ("recall", mc.recall, sc.recall),
                ("F1", mc.f1, sc.f1),
            ] {
                md.push_str(&format!("| {l} {what} | {mean:.4} | {std:.4} |\n"));
            }
        }
        md
    }
}
