//! `stancekit cv`: k-fold cross-validation, grouped by text and stratified.

use super::outln;
use super::util::{load_for_task, DataArgs, TrainArgs};
use anyhow::Result;
use stancekit::model::{cv::stratified_folds, train};
use stancekit::report::{mean_std, Report};
use std::path::PathBuf;
use std::process::ExitCode;

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
    let mut reports = Vec::new();
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
        reports.push(r);
    }
    let col = |get: &dyn Fn(&Report) -> f64| mean_std(&reports.iter().map(get).collect::<Vec<_>>());
    outln!(
        "### {}-fold cross-validation on {} (seed {})\n",
        k,
        args.data.display(),
        args.seed
    );
    outln!("| figure | mean | std |\n|---|---:|---:|");
    for (name, (m, s)) in [
        ("accuracy", col(&|r| r.accuracy)),
        ("macro F1", col(&|r| r.macro_f1)),
        ("weighted F1", col(&|r| r.weighted_f1)),
    ] {
        outln!("| {name} | {m:.4} | {s:.4} |");
    }
    let mut labels: Vec<&String> = reports.iter().flat_map(|r| r.per_class.keys()).collect();
    labels.sort();
    labels.dedup();
    for l in labels {
        for (what, get) in [("precision", 0), ("recall", 1), ("F1", 2)] {
            let (m, s) = col(&|r| {
                r.per_class.get(l).map_or(0.0, |c| match get {
                    0 => c.precision,
                    1 => c.recall,
                    _ => c.f1,
                })
            });
            outln!("| {l} {what} | {m:.4} | {s:.4} |");
        }
    }
    Ok(ExitCode::SUCCESS)
}
