//! `stancekit report`: one self-contained HTML page from an evaluation
//! report and/or a `predict` run.

use super::out;
use super::util::{open_predictions, predict_record};
use anyhow::{bail, Context, Result};
use stancekit::dyads::{aggregate, Period};
use stancekit::html::{render, DyadData, Evidence, Page};
use stancekit::model::write_atomic;
use stancekit::predict::{observations, Left};
use stancekit::report::Report;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Write one self-contained HTML page to share (no network, no external
/// files): the evaluation tables and confusion matrix of `eval --json`,
/// and/or the dyads of a `predict` run as a heat map of speaker party
/// against target party (ordered by volume), with the quotes behind every
/// cell and, with `--by month`, a time line per dyad. Quotes without a
/// speaker party, self-references and uncertain stances are left out and
/// counted (on stderr and on the page).
///
/// Example: stancekit report --eval stance.json --predictions preds.jsonl --by month -o report.html
#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("input").required(true).multiple(true).args(["eval", "predictions"])))]
pub struct Args {
    /// An evaluation report written by `stancekit eval --json FILE` (or
    /// `--format json`).
    #[arg(long, value_name = "FILE")]
    eval: Option<PathBuf>,
    /// JSON Lines written by `stancekit predict` (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    predictions: Option<PathBuf>,
    /// Time grouping of the dyads by article date; `month` or `day` adds a
    /// time line per dyad.
    #[arg(long, value_enum, default_value_t = Period::None)]
    by: Period,
    /// Where to write the page (default, or `-`: standard output).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// The page's title.
    #[arg(long, default_value = "stancekit report")]
    title: String,
    /// Warn about unreadable prediction lines (and count them) instead of
    /// stopping at the first one.
    #[arg(long)]
    skip_invalid: bool,
    /// Leave out stances whose most likely label is less probable than this
    /// (on top of those predict already reported as "uncertain").
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    min_prob: f64,
}

impl Args {
    /// Whether the page goes to standard output.
    pub fn writes_stdout(&self) -> bool {
        self.output.as_deref().is_none_or(|p| p == Path::new("-"))
    }
}

pub fn run(args: Args) -> Result<ExitCode> {
    if !(0.0..=1.0).contains(&args.min_prob) {
        bail!("--min-prob must be between 0 and 1, got {}", args.min_prob);
    }
    let eval = match &args.eval {
        Some(p) => Some((p.display().to_string(), read_eval(p)?)),
        None => None,
    };
    let dyads = match &args.predictions {
        Some(p) => Some(read_predictions(p, &args)?),
        None => None,
    };
    let page = render(&Page {
        title: &args.title,
        eval: eval.as_ref().map(|(o, r)| (o.as_str(), r)),
        dyads: dyads.as_ref(),
    });
    match &args.output {
        Some(p) if !args.writes_stdout() => {
            write_atomic(p, page.as_bytes())?;
            eprintln!("wrote {}", p.display());
        }
        _ => out!("{page}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads an `eval` JSON report, checking that its tables agree with its
/// labels (the page would otherwise show a matrix that is not square).
fn read_eval(path: &Path) -> Result<Report> {
    let origin = path.display();
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_string(&mut text))
        .with_context(|| format!("{origin}: cannot read"))?;
    let report: Report = serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{origin}:{}: not a `stancekit eval --json` report: {e}",
            e.line()
        )
    })?;
    let k = report.confusion.labels.len();
    if report.confusion.matrix.len() != k || report.confusion.matrix.iter().any(|r| r.len() != k) {
        bail!("{origin}: the confusion matrix is not {k} x {k}, one row and column per label");
    }
    if let Some(l) = report
        .confusion
        .labels
        .iter()
        .find(|l| !report.per_class.contains_key(*l))
    {
        bail!("{origin}: label {l:?} has no row in per_class");
    }
    Ok(report)
}

/// What was read from the predictions and what was left out of the dyads.
#[derive(Default)]
struct Counts {
    articles: usize,
    failed: usize,
    skipped: usize,
    unattributed: usize,
    self_targets: usize,
    uncertain: usize,
    scored: usize,
}

fn read_predictions(path: &Path, args: &Args) -> Result<DyadData> {
    let origin = path.display().to_string();
    let reader = open_predictions(path)?;
    let mut data = DyadData {
        origin: origin.clone(),
        timed: args.by != Period::None,
        ..DyadData::default()
    };
    let mut observed = Vec::new();
    let mut n = Counts::default();
    for (i, line) in reader.lines().enumerate() {
        let line = line.with_context(|| format!("{origin}:{}: cannot read", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let Some(record) = predict_record(&line, &origin, i + 1, args.skip_invalid)? else {
            n.skipped += 1;
            continue;
        };
        n.articles += 1;
        if record.error.is_some() {
            n.failed += 1;
            continue;
        }
        let period = args.by.of(record.date.as_deref());
        for quote in &record.quotes {
            let Some(outcomes) = observations(quote, &period) else {
                n.unattributed += 1;
                continue;
            };
            for (target, outcome) in quote.targets.iter().zip(outcomes) {
                let o = match outcome {
                    Err(Left::SelfTarget) => {
                        n.self_targets += 1;
                        continue;
                    }
                    Err(Left::Uncertain) => {
                        n.uncertain += 1;
                        continue;
                    }
                    Ok(_) if target.scored.probs.top().1 < args.min_prob => {
                        n.uncertain += 1;
                        continue;
                    }
                    Ok(o) => o.into_owned(),
                };
                n.scored += 1;
                let offset = target.start.checked_sub(quote.start);
                data.evidence
                    .entry((o.source.to_string(), o.target.to_string()))
                    .or_default()
                    .push(Evidence {
                        article: record.article.clone(),
                        date: record.date.clone(),
                        speaker: quote.speaker.clone(),
                        text: quote.text.clone(),
                        mention: target.mention.clone(),
                        mention_at: Evidence::locate(&quote.text, &target.mention, offset),
                        stance: o.stance,
                        score: o.score,
                    });
                observed.push(o);
            }
        }
    }
    data.dyads = aggregate(&observed);
    let summary = format!(
        "{} articles read ({} with errors), {} scored (party, target) pairs; left out: \
         {} quotes without a speaker party, {} self-references, {} uncertain stances{}.",
        n.articles,
        n.failed,
        n.scored,
        n.unattributed,
        n.self_targets,
        n.uncertain,
        if n.skipped > 0 {
            format!(", {} unreadable lines skipped", n.skipped)
        } else {
            String::new()
        }
    );
    eprintln!("{summary}");
    data.notes.push(summary);
    Ok(data)
}
