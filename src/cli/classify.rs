//! `stancekit classify`: one statement, one target, one answer.

use super::outln;
use super::util::{choice, load_model, DataArgs, TaskArg};
use anyhow::{bail, Result};
use stancekit::model::{StanceModel, Task};
use stancekit::parties::PartyDict;
use stancekit::text::find_whole_word_ci;
use std::path::PathBuf;
use std::process::ExitCode;

mod rows;

/// Classify one statement's stance toward a target (or its sentiment), or
/// a file of them.
///
/// With --data, every usable row of a JSON Lines or CSV file is written
/// back with all its fields, in input order, plus `predicted` and the
/// probabilities: `probs` (an object) in JSON Lines, one `prob_LABEL`
/// column per label in CSV. Fields of those names already in a row are
/// replaced. Rows are read as `eval` reads them (--text-field,
/// --target-field, --span-fields; no label needed), so each gets the
/// answer `eval --predictions` gives it: a target without a span is looked
/// up by its name, not by the dictionary's aliases as with --text. A bad
/// row stops the run naming file:line, or with --skip-invalid is a warning
/// and left out.
///
/// Example: stancekit classify --text "We welcome Moscow's offer" --target Russia --explain
///
/// Example: stancekit classify --data rows.csv --format csv > scored.csv
#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["text", "data"])))]
pub struct Args {
    /// Model file [default: the embedded model for --task].
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
    /// Which embedded model to use when --model is not given.
    #[arg(long, value_parser = choice::<TaskArg, Task>(), default_value = "stance")]
    task: Task,
    /// The statement; `-` reads it from standard input.
    #[arg(long)]
    text: Option<String>,
    /// The party the stance is toward (needed for stance models); found in the
    /// text by its name or, through the party dictionary, by its aliases.
    #[arg(long, conflicts_with = "data")]
    target: Option<String>,
    /// Also print the ten features that pushed hardest toward and against the label.
    #[arg(long, conflicts_with = "data")]
    explain: bool,
    /// Print JSON instead of text.
    #[arg(long, conflicts_with = "data")]
    json: bool,
    /// Classify every row of this file (JSON Lines, or CSV by its .csv
    /// extension or --input-format) instead of one --text; `-` reads
    /// standard input (JSON Lines unless --input-format csv).
    #[arg(long, value_name = "FILE|-")]
    data: Option<PathBuf>,
    /// Output format with --data [default: jsonl].
    #[arg(long, value_enum, conflicts_with = "text")]
    format: Option<rows::Format>,
    #[command(flatten)]
    data_args: DataArgs,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let model = load_model(args.model.as_deref(), args.task)?;
    match (&args.data, args.text.clone()) {
        (Some(path), _) => rows::run(
            &model,
            path,
            &args.data_args,
            args.format.unwrap_or(rows::Format::Jsonl),
        ),
        (None, Some(text)) => one(args, text, &model),
        (None, None) => bail!("give --text or --data"),
    }
}

fn one(args: Args, mut text: String, model: &StanceModel) -> Result<ExitCode> {
    if text == "-" {
        let mut stdin = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut stdin)
            .map_err(|e| anyhow::anyhow!("--text -: cannot read standard input: {e}"))?;
        text = stdin.trim_end_matches(['\n', '\r']).to_string();
    }
    if text.trim().is_empty() {
        bail!("--text is empty");
    }
    let span = match (&args.target, model.task) {
        (Some(t), _) => find_target(&text, t),
        (None, Task::Stance) => bail!("a stance model needs --target"),
        (None, Task::Sentiment) => None,
    };
    if args.target.is_some() && span.is_none() && model.task == Task::Stance {
        eprintln!(
            "note: the target is not mentioned in the text; classifying without its position"
        );
    }
    let row = model.featurize(&text, span, &[]);
    let pred = model.predict_row(&row);
    let best = model.label_index(&pred.label).unwrap_or(0);
    let explanation = args.explain.then(|| model.explain(&row, best, 10));
    if args.json {
        let mut v = serde_json::json!({
            "label": pred.label,
            "probs": pred.probs.iter().map(|(l, p)| (l.to_string(), serde_json::json!(p))).collect::<serde_json::Map<_, _>>(),
        });
        if let Some((toward, against)) = &explanation {
            v["explain"] = serde_json::json!({"toward": toward, "against": against});
        }
        outln!("{v}");
        return Ok(ExitCode::SUCCESS);
    }
    outln!("{}", pred.label);
    for (l, p) in &pred.probs {
        outln!("  {l:<14} {p:.3}");
    }
    if let Some((toward, against)) = explanation {
        outln!("\npushed toward {}:", pred.label);
        for c in toward {
            outln!("  {:+.4}  {}", c.value, c.feature);
        }
        outln!("pushed against {}:", pred.label);
        for c in against {
            outln!("  {:+.4}  {}", c.value, c.feature);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The target's mention: its own name, else the first mention of the party
/// it names (or stands for) in the embedded dictionary: "Moscow" or "the
/// Kremlin" for --target Russia.
fn find_target(text: &str, target: &str) -> Option<(usize, usize)> {
    find_whole_word_ci(text, target).or_else(|| {
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
