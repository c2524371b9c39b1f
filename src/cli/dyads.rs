//! `stancekit dyads`: the picture across a corpus of `predict` output.

use super::util::{open_predictions, predict_record};
use super::{out, outln};
use anyhow::{bail, Context, Result};
use stancekit::dyads::{aggregate, to_csv, to_markdown, to_svg, Period};
use stancekit::predict::{observations, Left};
use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for a person to read.
    Markdown,
    /// One row per dyad, with a header row.
    Csv,
    /// JSON Lines: one object per dyad, as the other commands write.
    Json,
    /// A heat map of sources against targets.
    Svg,
}

/// Aggregate `stancekit predict` output into (speaker's party -> target party)
/// dyads per period: counts per stance and the mean of P(conciliatory) -
/// P(critical), sorted by volume. Quotes without a speaker party, and a
/// party's statements about itself, are left out (and counted on stderr).
///
/// Example: stancekit predict articles/ > preds.jsonl && stancekit dyads preds.jsonl --format svg > dyads.svg
#[derive(clap::Args)]
pub struct Args {
    /// JSON Lines written by `stancekit predict` (`-` for stdin).
    predictions: PathBuf,
    /// Time grouping by article date.
    #[arg(long, value_enum, default_value_t = Period::Month)]
    by: Period,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    format: Format,
    /// Warn about unreadable lines instead of stopping at the first one.
    #[arg(long)]
    skip_invalid: bool,
    /// Leave out stances whose most likely label is less probable than this
    /// (on top of those predict already reported as "uncertain").
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    min_prob: f64,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let origin = args.predictions.display().to_string();
    let reader = open_predictions(&args.predictions)?;
    let mut observed = Vec::new();
    let (mut articles, mut failed, mut skipped) = (0usize, 0usize, 0usize);
    let (mut unattributed, mut self_targets, mut uncertain) = (0usize, 0usize, 0usize);
    if !(0.0..=1.0).contains(&args.min_prob) {
        bail!("--min-prob must be between 0 and 1, got {}", args.min_prob);
    }
    for (n, line) in reader.lines().enumerate() {
        let line = line.with_context(|| format!("{origin}:{}: cannot read", n + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let Some(record) = predict_record(&line, &origin, n + 1, args.skip_invalid)? else {
            skipped += 1;
            continue;
        };
        articles += 1;
        if record.error.is_some() {
            failed += 1;
            continue;
        }
        let period = args.by.of(record.date.as_deref());
        for quote in &record.quotes {
            let Some(targets) = observations(quote, &period) else {
                unattributed += 1;
                continue;
            };
            for (target, outcome) in quote.targets.iter().zip(targets) {
                match outcome {
                    // As in predict's per-article dyads.
                    Err(Left::SelfTarget) => self_targets += 1,
                    Err(Left::Uncertain) => uncertain += 1,
                    Ok(_) if target.scored.probs.top().1 < args.min_prob => uncertain += 1,
                    // The record is read line by line.
                    Ok(o) => observed.push(o.into_owned()),
                }
            }
        }
    }
    let dyads = aggregate(&observed);
    eprintln!(
        "{articles} articles ({failed} with errors), {} scored (party, target) pairs, {unattributed} quotes without a speaker party, {self_targets} self-references and {uncertain} uncertain stances left out{}",
        observed.len(),
        if skipped > 0 { format!(", {skipped} unreadable lines skipped") } else { String::new() }
    );
    match args.format {
        Format::Markdown => out!("{}", to_markdown(&dyads)),
        Format::Csv => out!("{}", to_csv(&dyads)),
        Format::Json => {
            for d in &dyads {
                outln!("{}", serde_json::to_string(d)?);
            }
        }
        Format::Svg => out!("{}", to_svg(&dyads, &format!("stancekit dyads: {origin}"))),
    }
    Ok(ExitCode::SUCCESS)
}
