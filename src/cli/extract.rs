//! `stancekit extract`: quotes, speakers and the parties they are about.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::ValueEnum;

use super::articles::{party_dict, Input, InputFormat, Inputs};
use super::pool::ordered_map;
use super::progress::Progress;
use super::util::parse_threads;
use super::walk::expand;
use stancekit::article::Article;
use stancekit::quotes::{self, ArticleQuotes};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One JSON object per article, one per line.
    Json,
    /// A table per article for a person to read.
    Table,
}

#[derive(clap::Args)]
#[command(after_help = "\
Output (JSON Lines, one object per input article, in input order, also for
articles that fail):
  {\"article\": \"<path or id>\", \"date\": \"2025-04-01\" | null,
   \"quotes\": [{\"text\", \"start\", \"end\" (character offsets, end exclusive),
               \"kind\": \"direct\" | \"partial\" | \"indirect\",
               \"speaker\", \"speaker_party\", \"cue\", \"channel\",
               \"targets\": [{\"party\", \"mention\", \"start\", \"end\"}]}],
   \"error\": \"...\"  (only when the article could not be read)}

Exit status: 0 all articles read, 1 some article failed (its line has
\"error\"), 2 usage error, a directory with no article, or stdout closed.

Examples:
  stancekit extract article.txt
  stancekit extract --format table news/*.txt
  stancekit extract news/ --threads 4 > quotes.jsonl
  cat articles.jsonl | stancekit extract --input-format jsonl -")]
pub struct Args {
    /// Article files or directories (their .txt and .jsonl files at any
    /// depth, sorted; hidden ones skipped); `-` (or nothing) reads standard
    /// input.
    #[arg(value_name = "FILES")]
    files: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,

    /// Party dictionary (TOML) to use instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    parties: Option<PathBuf>,

    /// How inputs are laid out.
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    input_format: InputFormat,

    /// Articles longer than this (bytes) get an error record instead of
    /// being read.
    #[arg(long, value_name = "BYTES", default_value_t = 10_000_000)]
    max_article_bytes: usize,

    /// Worker threads, 1 to 256 [default: all cores]. Output order never
    /// depends on it.
    #[arg(long, value_parser = parse_threads)]
    threads: Option<usize>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let dict = party_dict(args.parties.as_deref())?;
    let sources = expand(&args.files)?;
    let progress = Progress::new(&sources);
    let threads = super::pool::worker_threads(args.threads);
    let format = args.format;
    // Workers serialise as well as extract, so formatting runs in parallel
    // and the writer only copies bytes.
    let work = move |(input, bytes_done): (Input, u64)| -> anyhow::Result<(Vec<u8>, bool, u64)> {
        let (record, failed) = match input {
            Input::Article { id, text, date } => {
                let mut article = Article::parse(&id, text);
                if date.is_some() {
                    article.date = date;
                }
                let quotes = quotes::extract(&article, dict);
                (ArticleQuotes::from_quotes(&article, quotes), false)
            }
            Input::Failed { id, error } => (ArticleQuotes::failed(&id, error), true),
        };
        // The quote texts are most of a record: room for them and the
        // fields around them saves growing the buffer a few times.
        let room = record
            .quotes
            .iter()
            .map(|q| q.text.len() + 160)
            .sum::<usize>()
            + 256;
        let mut bytes = Vec::with_capacity(room);
        match format {
            Format::Json => {
                serde_json::to_writer(&mut bytes, &record)?;
                bytes.push(b'\n');
            }
            Format::Table => write_table(&mut bytes, &record)?,
        }
        Ok((bytes, failed, bytes_done))
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let (mut failed, mut articles) = (false, 0usize);
    let mut inputs = Inputs::new(sources, args.input_format, args.max_article_bytes);
    // As in predict: each article carries the bytes read so far.
    let inputs = std::iter::from_fn(move || {
        let input = inputs.next()?;
        Some((input, inputs.bytes_done()))
    });
    ordered_map(inputs, threads, work, |rendered| {
        let (bytes, article_failed, bytes_done) = rendered?;
        failed |= article_failed;
        articles += 1;
        out.write_all(&bytes)?;
        progress.update(bytes_done, articles);
        Ok(())
    })?;
    out.flush().context("writing output")?;
    progress.finish();
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

pub fn write_table(out: &mut impl Write, rec: &ArticleQuotes) -> io::Result<()> {
    let date = rec.date.as_deref().unwrap_or("no date");
    if let Some(err) = &rec.error {
        writeln!(out, "== {} (error: {err})", rec.article)?;
        return writeln!(out);
    }
    writeln!(
        out,
        "== {} ({date}, {} quotes)",
        rec.article,
        rec.quotes.len()
    )?;
    if rec.quotes.is_empty() {
        return writeln!(out);
    }
    writeln!(
        out,
        "{:<8} {:>11}  {:<18} {:<14} {:<10} {:<12} {:<34} TEXT",
        "KIND", "SPAN", "SPEAKER", "PARTY", "CUE", "CHANNEL", "TARGETS"
    )?;
    for q in &rec.quotes {
        let targets: Vec<&str> = q.targets.iter().map(|t| t.party.as_str()).collect();
        writeln!(
            out,
            "{:<8} {:>11}  {:<18} {:<14} {:<10} {:<12} {:<34} {}",
            q.kind.as_str(),
            format!("{}-{}", q.start, q.end),
            clip(q.speaker.as_deref().unwrap_or("-"), 18),
            clip(q.speaker_party.as_deref().unwrap_or("-"), 14),
            clip(q.cue.as_deref().unwrap_or("-"), 10),
            clip(q.channel.as_deref().unwrap_or("-"), 12),
            clip(&targets.join(", "), 34),
            clip(&q.text.replace(['\n', '\r'], " "), 70),
        )?;
    }
    writeln!(out)
}

pub fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('\u{2026}');
        t
    }
}
