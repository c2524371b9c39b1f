//! `stancekit predict`: raw articles in; per quote the speaker, the speaker's
//! party, the sentiment and the stance toward each party it is about.

use super::articles::{party_dict, Input, InputFormat, Inputs};
use super::extract::clip;
use super::pool::ordered_map;
use super::progress::Progress;
use super::util::{load_model, model_origin, parse_threads};
use super::walk::expand;
use anyhow::{bail, Context, Result};
use stancekit::article::Article;
use stancekit::model::{StanceModel, Task};
use stancekit::predict::{ArticlePrediction, Predictor, Stance};
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object per article, one per line.
    Json,
    /// A summary per article for a person to read.
    Table,
    /// One row per (quote, target).
    Csv,
}

#[derive(clap::Args)]
#[command(after_help = "\
Output (JSON Lines, one object per input article, in input order, also for
articles that fail): the `stancekit extract` object with, per quote,
\"sentiment\": {\"label\", \"probs\"} and, per target, \"stance\" and \"probs\"
(label -> probability); plus per article \"dyads\": [{\"source\", \"target\",
\"conciliatory\", \"critical\", \"neutral\", \"score\"}] where score is the mean
of P(conciliatory) - P(critical) over that pair's quotes.

Exit status: 0 all articles read, 1 some article failed (its line has
\"error\"), 2 usage error, a directory with no article, or stdout closed.

Examples:
  stancekit predict article.txt --format table
  stancekit predict news/ --threads 4 > predictions.jsonl
  stancekit dyads predictions.jsonl --by month")]
pub struct Args {
    /// Article files or directories (their .txt and .jsonl files at any
    /// depth, sorted; hidden ones skipped); `-` (or nothing) reads standard
    /// input.
    #[arg(value_name = "FILES")]
    files: Vec<PathBuf>,
    /// Stance model [default: the embedded one].
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
    /// Sentiment model [default: the embedded one].
    #[arg(long, value_name = "FILE")]
    sentiment_model: Option<PathBuf>,
    /// Party dictionary (TOML) to use instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    parties: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// How inputs are laid out.
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    input_format: InputFormat,
    /// Worker threads, 1 to 256 [default: all cores]. Output order never
    /// depends on it.
    #[arg(long, value_parser = parse_threads)]
    threads: Option<usize>,
    /// Articles longer than this (bytes) get an error record instead of being read.
    #[arg(long, value_name = "BYTES", default_value_t = 10_000_000)]
    max_article_bytes: usize,
    /// Report a stance as "uncertain", and leave it out of the dyads, when
    /// its most likely label is less probable than this. The default keeps
    /// the stances that were right 85% of the time on labeled/dev.jsonl (about
    /// half of them); 0 reports every stance.
    #[arg(long, value_name = "P", default_value_t = stancekit::predict::DEFAULT_MIN_PROB)]
    min_prob: f64,
}

pub fn run(args: Args) -> Result<ExitCode> {
    if !(0.0..=1.0).contains(&args.min_prob) {
        anyhow::bail!("--min-prob must be between 0 and 1, got {}", args.min_prob);
    }
    let threads = super::pool::worker_threads(args.threads);
    // The two models and the party dictionary are independent and take a
    // few milliseconds each to load: with more than one thread they load
    // side by side. Errors are reported in the same order either way.
    let (stance, sentiment, parties) = if threads > 1 {
        std::thread::scope(|s| {
            let sentiment =
                s.spawn(|| load_model(args.sentiment_model.as_deref(), Task::Sentiment));
            let parties = s.spawn(|| party_dict(args.parties.as_deref()));
            let stance = load_model(args.model.as_deref(), Task::Stance);
            (stance, joined(sentiment), joined(parties))
        })
    } else {
        (
            load_model(args.model.as_deref(), Task::Stance),
            load_model(args.sentiment_model.as_deref(), Task::Sentiment),
            party_dict(args.parties.as_deref()),
        )
    };
    let (stance, sentiment) = (stance?, sentiment?);
    let stance_origin = model_origin(args.model.as_deref(), Task::Stance);
    if stance.task != Task::Stance {
        bail!(
            "{stance_origin}: --model must be a stance model (this one was trained with --task {:?})",
            stance.task
        );
    }
    require_stance_labels(&stance, &stance_origin)?;
    if sentiment.task != Task::Sentiment {
        bail!(
            "{}: --sentiment-model must be a sentiment model (train it with --task sentiment)",
            model_origin(args.sentiment_model.as_deref(), Task::Sentiment)
        );
    }
    let parties = parties?;
    let sources = expand(&args.files)?;
    let progress = Progress::new(&sources);
    let mut inputs = Inputs::new(sources, args.input_format, args.max_article_bytes);
    // The reader thread owns the inputs, so each article carries the bytes
    // read so far for the progress bar to the writer.
    let inputs = std::iter::from_fn(move || {
        let input = inputs.next()?;
        Some((input, inputs.bytes_done()))
    });
    let format = args.format;
    let min_prob = args.min_prob;
    // Workers serialise as well as score, so formatting runs in parallel
    // and the writer only copies bytes.
    let work = move |(input, bytes_done): (Input, u64)| -> Result<Rendered> {
        let predictor = Predictor {
            stance: &stance,
            sentiment: &sentiment,
            parties,
        };
        let estimate = output_estimate(&input, format);
        let mut record = score_one(&predictor, input);
        record.abstain(min_prob);
        // Allocated only now: while the article was scored, its token
        // tables were the peak of memory, and a buffer twice the article's
        // size waiting beside them only raised it.
        let mut bytes = Vec::with_capacity(estimate);
        write_record(&mut bytes, &record, format)?;
        Ok(Rendered {
            bytes,
            failed: record.error.is_some(),
            bytes_done,
        })
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if args.format == Format::Csv {
        writeln!(out, "article,date,quote,kind,speaker,speaker_party,sentiment,target,mention,stance,p_conciliatory,p_critical,p_neutral,text,error")?;
    }
    let (mut failed, mut articles) = (0usize, 0usize);
    ordered_map(inputs, threads, work, |rendered| {
        let rendered = rendered?;
        articles += 1;
        if rendered.failed {
            failed += 1;
        }
        out.write_all(&rendered.bytes)?;
        progress.update(rendered.bytes_done, articles);
        Ok(())
    })?;
    out.flush().context("writing output")?;
    progress.finish();
    if failed > 0 {
        eprintln!("{failed} of {articles} articles could not be read (see their \"error\" fields)");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// One article's output, ready to write.
struct Rendered {
    bytes: Vec<u8>,
    failed: bool,
    /// Input bytes consumed when the article was read.
    bytes_done: u64,
}

/// About how many bytes an input's record takes, so that its buffer is
/// allocated once instead of regrown (and copied) a dozen times from empty.
/// A JSON record repeats the quotes, speakers and probabilities: on news it
/// runs a little over twice the article's length; a CSV row set a little
/// under it.
fn output_estimate(input: &Input, format: Format) -> usize {
    let text = match input {
        Input::Article { text, .. } => text.len(),
        Input::Failed { error, .. } => error.len(),
    };
    match format {
        Format::Json => text / 4 * 9 + 256,
        Format::Csv => text + 256,
        Format::Table => text / 2 + 256,
    }
}

fn score_one<'m>(predictor: &Predictor<'m>, input: Input) -> ArticlePrediction<'m> {
    match input {
        Input::Article { id, text, date } => {
            let mut article = Article::parse(&id, text);
            if date.is_some() {
                article.date = date;
            }
            predictor.predict(&article)
        }
        Input::Failed { id, error } => ArticlePrediction::failed(&id, error),
    }
}

fn write_record(out: &mut Vec<u8>, r: &ArticlePrediction, format: Format) -> Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer(&mut *out, r)?;
            out.push(b'\n');
        }
        Format::Csv => {
            // One row per (quote, target); a quote without targets, an
            // article without quotes and a failed article each still get a
            // row, so every input is accounted for.
            let mut w = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(&mut *out);
            let date = r.date.clone().unwrap_or_default();
            let blank = || vec![String::new(); 6];
            if r.error.is_some() || r.quotes.is_empty() {
                let mut row = vec![r.article.clone(), date.clone()];
                row.extend(vec![String::new(); 12]);
                row.push(r.error.clone().unwrap_or_default());
                w.write_record(&row)?;
            }
            for (n, q) in r.quotes.iter().enumerate() {
                let quote = vec![
                    r.article.clone(),
                    date.clone(),
                    (n + 1).to_string(),
                    q.kind.as_str().to_string(),
                    q.speaker.clone().unwrap_or_default(),
                    q.speaker_party.clone().unwrap_or_default(),
                    q.scored.sentiment.label.to_string(),
                ];
                let targets: Vec<Vec<String>> = if q.targets.is_empty() {
                    vec![blank()]
                } else {
                    q.targets
                        .iter()
                        .map(|t| {
                            let p = |s: Stance| format!("{:.4}", t.scored.probs.get(s.as_str()));
                            vec![
                                t.party.clone(),
                                t.mention.clone(),
                                t.scored.stance.as_str().to_string(),
                                p(Stance::Conciliatory),
                                p(Stance::Critical),
                                p(Stance::Neutral),
                            ]
                        })
                        .collect()
                };
                for t in targets {
                    let mut row = quote.clone();
                    row.extend(t);
                    row.push(q.text.clone());
                    row.push(String::new());
                    w.write_record(&row)?;
                }
            }
            w.flush()?;
        }
        Format::Table => write_table(out, r)?,
    }
    Ok(())
}

fn write_table(out: &mut impl Write, r: &ArticlePrediction) -> io::Result<()> {
    let date = r.date.as_deref().unwrap_or("no date");
    if let Some(e) = &r.error {
        return writeln!(out, "== {} (error: {e})\n", r.article);
    }
    writeln!(out, "== {} ({date}, {} quotes)", r.article, r.quotes.len())?;
    for q in &r.quotes {
        let who = match (&q.speaker, &q.speaker_party) {
            (Some(s), Some(p)) if s != p => format!("{s} ({p})"),
            (Some(s), _) => s.clone(),
            (None, Some(p)) => format!("? ({p})"),
            (None, None) => "unattributed".into(),
        };
        writeln!(
            out,
            "  {who} [{}, sentiment {} {:.2}]: {}",
            q.kind.as_str(),
            q.scored.sentiment.label,
            q.scored.sentiment.probs.get(q.scored.sentiment.label),
            clip(&q.text.replace(['\n', '\r'], " "), 90)
        )?;
        for t in &q.targets {
            // An uncertain stance shows the label it leaned to and how much.
            let stance = t.scored.stance;
            let (p, leaned) = if stance == Stance::Uncertain {
                let (label, p) = t.scored.probs.top();
                (p, format!(" ({label})"))
            } else {
                (t.scored.probs.get(stance.as_str()), String::new())
            };
            writeln!(
                out,
                "      -> {:<22} {:<13} {:.2}{leaned}",
                t.party,
                stance.as_str(),
                p
            )?;
        }
    }
    if !r.dyads.is_empty() {
        writeln!(out, "  dyads:")?;
        for d in &r.dyads {
            writeln!(
                out,
                "      {} -> {}: {} conciliatory, {} critical, {} neutral, score {:+.2}",
                d.source, d.target, d.conciliatory, d.critical, d.neutral, d.score
            )?;
        }
    }
    writeln!(out)
}

/// The result of a loading thread; a panic there becomes an error.
/// `predict` reads a stance model's labels as stances: it counts them per
/// dyad and scores P(conciliatory) - P(critical). A model with other labels
/// (say NewsMTSC's -1, 0, 1) would make every dyad "neutral" with score 0,
/// so it is refused; `classify` and `eval` need no meaning and take it.
fn require_stance_labels(model: &StanceModel, origin: &str) -> Result<()> {
    let needed = stancekit::lint::DEFAULT_LABELS;
    let mut has: Vec<&str> = model.labels.iter().map(String::as_str).collect();
    has.sort_unstable();
    if has != needed {
        bail!(
            "{origin}: predict needs a stance model with the labels {}; this one has {} (classify and eval can use it)",
            needed.join(", "),
            has.join(", ")
        );
    }
    Ok(())
}

fn joined<T>(h: std::thread::ScopedJoinHandle<'_, Result<T>>) -> Result<T> {
    h.join().unwrap_or_else(|_| {
        Err(anyhow::anyhow!(
            "loading a model or the dictionary panicked"
        ))
    })
}
