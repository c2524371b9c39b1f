//! `stancekit eval`: a model against labelled data, as a report.

use super::util::{check_labels, choice, load_for_task, load_model, DataArgs, TaskArg};
use super::{out, outln};
use anyhow::Result;
use stancekit::model::{write_atomic, Task};
use stancekit::report::{mistakes_markdown, most_confident_mistakes, Report};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Markdown,
    Json,
    Svg,
}

/// Evaluate a model on labelled data: per-label precision, recall, F1,
/// accuracy, macro and weighted averages, confusion matrix.
///
/// Example: stancekit eval --model models/stance.json --data labeled/test.jsonl --fail-under 0.70
#[derive(clap::Args)]
pub struct Args {
    /// Model file [default: the embedded model for --task].
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
    /// Which embedded model to use when --model is not given.
    #[arg(long, value_parser = choice::<TaskArg, Task>(), default_value = "stance")]
    task: Task,
    /// Labelled evaluation data (JSON Lines or CSV).
    #[arg(long, value_name = "FILE")]
    data: PathBuf,
    /// Report format on stdout.
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    format: Format,
    /// Also write the Markdown report to this file.
    #[arg(long, value_name = "FILE")]
    markdown: Option<PathBuf>,
    /// Also write the JSON report to this file.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Also draw the confusion matrix as an SVG heat map into this file.
    #[arg(long, value_name = "FILE")]
    svg: Option<PathBuf>,
    /// Also write one JSON line per row to this file: id, text, target, gold
    /// and predicted label and the probabilities (for error analysis and
    /// for choosing a --min-prob).
    #[arg(long, value_name = "FILE")]
    predictions: Option<PathBuf>,
    /// List this many of the model's most confident mistakes (wrong
    /// predictions with the highest probability) at the end of the
    /// Markdown report, with a text excerpt, target, gold and predicted
    /// label, and the probability; 0 leaves the list out.
    #[arg(long, default_value_t = 10, value_name = "N")]
    mistakes: usize,
    /// Exit with status 1 when macro-F1 is below this (a quality gate for CI).
    #[arg(long, value_name = "X")]
    fail_under: Option<f64>,
    #[command(flatten)]
    data_args: DataArgs,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let model = load_model(args.model.as_deref(), args.task)?;
    let opts = args.data_args.options(model.task, true)?;
    let examples = load_for_task(&args.data, &opts, model.task)?;
    let examples = check_labels(&examples, &model, &args.data, args.data_args.skip_invalid)?;
    let preds = model.predict_examples(&examples);
    let gold: Vec<&str> = examples
        .iter()
        .map(|e| e.label.as_deref().unwrap_or(""))
        .collect();
    let pred: Vec<&str> = preds.iter().map(|p| p.label.as_str()).collect();
    let report = Report::new(&model.labels, &gold, &pred);
    let model_name = args.model.as_ref().map_or_else(
        || format!("embedded {:?} model", model.task).to_lowercase(),
        |p| p.display().to_string(),
    );
    let title = format!("{} on {}", model_name, args.data.display());
    let mut markdown = report.to_markdown(&title);
    if args.mistakes > 0 {
        markdown.push_str(&mistakes_markdown(&most_confident_mistakes(
            &examples,
            &preds,
            args.mistakes,
        )));
    }
    match args.format {
        Format::Markdown => out!("{markdown}"),
        Format::Json => outln!("{}", report.to_json()),
        Format::Svg => out!("{}", report.to_svg(&title)),
    }
    if let Some(p) = &args.markdown {
        write_atomic(p, markdown.as_bytes())?;
    }
    if let Some(p) = &args.json {
        write_atomic(p, format!("{}\n", report.to_json()).as_bytes())?;
    }
    if let Some(p) = &args.svg {
        write_atomic(p, report.to_svg(&title).as_bytes())?;
    }
    if let Some(p) = &args.predictions {
        let mut out = String::new();
        for (e, pr) in examples.iter().zip(&preds) {
            let probs: serde_json::Map<String, serde_json::Value> = pr
                .probs
                .iter()
                .map(|(l, v)| (l.to_string(), serde_json::json!(v)))
                .collect();
            let row = serde_json::json!({
                "id": e.id, "line": e.line, "text": e.text, "target": e.target,
                "gold": e.label, "predicted": pr.label.as_str(), "probs": probs,
            });
            out.push_str(&row.to_string());
            out.push('\n');
        }
        write_atomic(p, out.as_bytes())?;
    }
    if let Some(threshold) = args.fail_under {
        if report.macro_f1 < threshold {
            eprintln!(
                "FAIL: macro-F1 {:.4} is below --fail-under {threshold}",
                report.macro_f1
            );
            return Ok(ExitCode::from(1));
        }
        eprintln!("ok: macro-F1 {:.4} >= {threshold}", report.macro_f1);
    }
    Ok(ExitCode::SUCCESS)
}
