//! `stancekit lint`: checks labelled data files before anyone trains on them.

use super::util::DataArgs;
use super::{out, outln};
use anyhow::{bail, Result};
use stancekit::data;
use stancekit::lint::{lint, LintConfig};
use stancekit::model::Task;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// Check labelled data: schema, labels, duplicates, leakage, balance, corpus counts.
///
/// Checks the files together: schema (every bad record, with the message
/// train gives), label and sentiment sets, duplicate rows and ids, leakage
/// of a quote between the files, near-duplicate quotes, label balance; then
/// prints the corpus requirements (counts), each PASS or FAIL, and the label
/// and sentiment balance of each file.
///
/// Errors (exit 1): schema errors, labels or sentiments outside their sets,
/// duplicate ids, duplicate rows (same normalised text and target), the same
/// normalised quote in two files. Warnings: near-duplicates (word 3-shingle
/// Jaccard similarity at or above the threshold), label balance outside
/// 25-45% in a file, a quote whose rows disagree on sentiment. A failed
/// requirement only fails the run with --strict. A row is a hard case when
/// its "hard" field is a non-empty string or list. Lint always reads on past
/// bad records, so --skip-invalid changes nothing.
///
/// Exit status: 0 no errors, 1 errors (or failed requirements with
/// --strict), 2 an unreadable file or bad usage.
///
/// Example: stancekit lint labeled/train.jsonl labeled/dev.jsonl labeled/test.jsonl
#[derive(clap::Args)]
pub struct Args {
    /// Labelled data files (JSON Lines or CSV), e.g. the train, dev and test splits.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Allowed labels, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "conciliatory,critical,neutral",
        value_name = "LABELS"
    )]
    labels: Vec<String>,
    /// Allowed values of the "sentiment" field (which may be absent), comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "positive,negative,neutral",
        value_name = "LABELS"
    )]
    sentiments: Vec<String>,
    /// Report format on stdout; JSON lists every problem.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Also exit with status 1 when a corpus requirement fails.
    #[arg(long)]
    strict: bool,
    /// Word 3-shingle Jaccard similarity, in (0, 1], from which two quotes are near-duplicates.
    #[arg(long, default_value_t = 0.8, value_name = "X")]
    near_duplicate_threshold: f64,
    /// List at most this many problems in the text report (0: all).
    #[arg(long, default_value_t = 50, value_name = "N")]
    max_problems: usize,
    #[command(flatten)]
    data_args: DataArgs,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let t = args.near_duplicate_threshold;
    if !(t > 0.0 && t <= 1.0) {
        bail!("--near-duplicate-threshold must be in (0, 1], found {t}");
    }
    let clean = |v: &[String]| -> Vec<String> {
        v.iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let (labels, sentiments) = (clean(&args.labels), clean(&args.sentiments));
    if labels.is_empty() {
        bail!("--labels needs at least one label");
    }
    for (i, f) in args.files.iter().enumerate() {
        if args.files[..i].contains(f) {
            bail!("{} is given twice", f.display());
        }
    }
    let mut opts = args.data_args.options(Task::Stance, true)?;
    opts.skip_invalid = true;
    let mut files = Vec::with_capacity(args.files.len());
    for path in &args.files {
        files.push((path.display().to_string(), data::load(path, &opts)?));
    }
    let cfg = LintConfig {
        labels,
        sentiments,
        near_duplicate_threshold: t,
        ..LintConfig::default()
    };
    let report = lint(&files, &cfg);
    match args.format {
        Format::Text => out!("{}", report.to_text(args.max_problems)),
        Format::Json => outln!("{}", report.to_json()),
    }
    let failed = report.errors > 0 || (args.strict && report.failed_requirements > 0);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
