//! `stancekit suggest`: which (quote, target) pairs to label next.

use super::out;
use super::util::open_predictions;
use anyhow::{bail, Result};
use stancekit::suggest::{read_predictions, select, to_csv, to_label_studio, Config};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A CSV with an empty `label` column, which `lint` and `train` read once filled.
    Csv,
    /// Label Studio tasks: a JSON array of {"data": {...}} to import.
    LabelStudio,
}

/// Pick (quote, target) pairs worth labelling next from `predict` output.
///
/// The pairs the model is least sure of come first: sorted by margin, the
/// probability of the most likely stance minus that of the runner-up
/// (smallest first; ties keep input order, so the output is the same on
/// every run). A pair is passed over when its article, speaker or target
/// party already has its cap of picks, or when it is alike one picked:
/// the same target and the same text after normalisation, or a text that
/// `lint` would call a near-duplicate (word 3-shingle Jaccard at or above
/// --near-duplicate-threshold), whatever the target.
///
/// The CSV has the columns `train` and `lint` read (id, text, target,
/// label, speaker, speaker_party, date, target_start, target_end) and two
/// they pass through (article, margin); `label` is empty, to be filled in.
/// The model's guess is left out so as not to steer whoever labels. A
/// filled file trains as it is: `stancekit train --data filled.csv ...`;
/// a row whose label is still empty is an error naming its line.
///
/// Example: stancekit predict news/ > p.jsonl && stancekit suggest p.jsonl --n 200 > to_label.csv
#[derive(clap::Args)]
pub struct Args {
    /// `stancekit predict` output (JSON Lines); `-` reads standard input.
    #[arg(value_name = "PREDICTIONS")]
    predictions: PathBuf,
    /// How many pairs to pick (fewer when the caps or duplicates leave fewer).
    #[arg(long, default_value_t = 200, value_name = "N")]
    n: usize,
    /// Output on stdout: a CSV to fill in, or Label Studio tasks.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
    /// At most this many pairs from one article.
    #[arg(long, default_value_t = 3, value_name = "N")]
    max_per_article: usize,
    /// At most this many pairs from one speaker (by name, across articles;
    /// quotes with no speaker are not capped by this).
    #[arg(long, default_value_t = 5, value_name = "N")]
    max_per_speaker: usize,
    /// At most this many pairs toward one target party [default: a quarter
    /// of --n, at least 1].
    #[arg(long, value_name = "N")]
    max_per_party: Option<usize>,
    /// Word 3-shingle Jaccard similarity, in (0, 1], from which two quotes
    /// are near-duplicates (as in `lint`).
    #[arg(long, default_value_t = 0.8, value_name = "X")]
    near_duplicate_threshold: f64,
    /// Warn about lines that are not predict records and go on, instead of
    /// stopping at the first one.
    #[arg(long)]
    skip_invalid: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let t = args.near_duplicate_threshold;
    if !(t > 0.0 && t <= 1.0) {
        bail!("--near-duplicate-threshold must be in (0, 1], found {t}");
    }
    if args.n == 0 {
        bail!("--n must be at least 1");
    }
    for (flag, v) in [
        ("--max-per-article", Some(args.max_per_article)),
        ("--max-per-speaker", Some(args.max_per_speaker)),
        ("--max-per-party", args.max_per_party),
    ] {
        if v == Some(0) {
            bail!("{flag} must be at least 1");
        }
    }
    let origin = args.predictions.display().to_string();
    let reader = open_predictions(&args.predictions)?;
    let read = read_predictions(reader, &origin, args.skip_invalid)?;
    for e in &read.skipped {
        eprintln!("warning: skipped {e}");
    }
    if read.candidates.is_empty() {
        bail!(
            "{origin}: no (quote, target) pair with stance probabilities in {} articles \
             (is it `stancekit predict` output?)",
            read.articles
        );
    }
    let cfg = Config {
        n: args.n,
        max_per_article: args.max_per_article,
        max_per_speaker: args.max_per_speaker,
        max_per_party: args.max_per_party.unwrap_or(args.n.div_ceil(4)).max(1),
        near_duplicate_threshold: t,
    };
    let sel = select(&read.candidates, &cfg);
    let picked: Vec<_> = sel.picked.iter().map(|&i| &read.candidates[i]).collect();
    let margins = picked
        .first()
        .zip(picked.last())
        .map_or(String::new(), |(a, b)| {
            format!(", margins {:.3} to {:.3}", a.margin, b.margin)
        });
    eprintln!(
        "{origin}: {} pairs in {} articles; picked {}{margins}; passed over {} duplicates, \
         {} near-duplicates, {} over the article cap, {} over the speaker cap, {} over the party cap",
        read.candidates.len(),
        read.articles,
        picked.len(),
        sel.duplicates,
        sel.near_duplicates,
        sel.over_article_cap,
        sel.over_speaker_cap,
        sel.over_party_cap
    );
    if picked.len() < args.n {
        eprintln!(
            "note: fewer than --n {}: raise the --max-per-* caps or give more articles for more",
            args.n
        );
    }
    match args.format {
        Format::Csv => out!("{}", to_csv(&picked)?),
        Format::LabelStudio => out!("{}", to_label_studio(&picked)),
    }
    Ok(ExitCode::SUCCESS)
}
