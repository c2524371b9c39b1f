//! `stancekit extract`: quotes, speakers and the parties they are about.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::ValueEnum;

use stancekit::article::Article;
use stancekit::parties::PartyDict;
use stancekit::quotes::{self, ArticleQuotes};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One JSON object per article, one per line.
    Json,
    /// A table per article for a person to read.
    Table,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// Each file is one plain-text article (optional first line
    /// ` date YYYY-MM-DD ...`).
    Text,
    /// JSON Lines: one `{"id", "text", "date"?}` object per line.
    Jsonl,
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

Exit status: 0 all articles read, 1 some article failed, 2 usage error.

Examples:
  stancekit extract article.txt
  stancekit extract --format table news/*.txt
  cat articles.jsonl | stancekit extract --input-format jsonl -")]
pub struct Args {
    /// Article files; `-` (or nothing) reads standard input.
    #[arg(value_name = "FILES")]
    files: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,

    /// Party dictionary (TOML) to use instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    parties: Option<PathBuf>,

    /// How inputs are laid out.
    #[arg(long, value_enum, default_value_t = InputFormat::Text)]
    input_format: InputFormat,

    /// Articles longer than this (bytes) get an error record instead of
    /// being read.
    #[arg(long, value_name = "BYTES", default_value_t = 10_000_000)]
    max_article_bytes: usize,
}

/// One input article, or why it could not be read.
enum Input {
    Article {
        id: String,
        text: String,
        date: Option<String>,
    },
    Failed {
        id: String,
        error: String,
    },
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let dict_owned;
    let dict: &PartyDict = match &args.parties {
        Some(path) => {
            dict_owned = PartyDict::load(path)?;
            &dict_owned
        }
        None => PartyDict::embedded(),
    };
    for w in &dict.warnings {
        eprintln!("warning: {w}");
    }
    let mut files = args.files.clone();
    if files.is_empty() {
        if io::stdin().is_terminal() {
            anyhow::bail!("no input: give article files or `-` for standard input (see --help)");
        }
        files.push(PathBuf::from("-"));
    }
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut failed = false;
    let mut emit = |input: Input, out: &mut BufWriter<io::StdoutLock>| -> io::Result<()> {
        let record = match input {
            Input::Article { id, text, date } => {
                let mut article = Article::parse(&id, text);
                if date.is_some() {
                    article.date = date;
                }
                let quotes = quotes::extract(&article, dict);
                let rec = ArticleQuotes::new(&article, &quotes);
                if args.format == Format::Table {
                    return write_table(out, &rec);
                }
                rec
            }
            Input::Failed { id, error } => {
                failed = true;
                ArticleQuotes::failed(&id, error)
            }
        };
        match args.format {
            Format::Json => {
                serde_json::to_writer(&mut *out, &record)?;
                out.write_all(b"\n")
            }
            Format::Table => write_table(out, &record),
        }
    };
    for path in &files {
        match args.input_format {
            InputFormat::Text => {
                let input = read_text(path, args.max_article_bytes);
                emit(input, &mut out)?;
            }
            InputFormat::Jsonl => {
                let origin = display(path);
                let reader: Box<dyn Read> = if path.as_os_str() == "-" {
                    Box::new(io::stdin().lock())
                } else {
                    match File::open(path) {
                        Ok(f) => Box::new(f),
                        Err(e) => {
                            emit(
                                Input::Failed {
                                    id: origin.clone(),
                                    error: format!("{origin}: {e}"),
                                },
                                &mut out,
                            )?;
                            continue;
                        }
                    }
                };
                let mut reader = BufReader::new(reader);
                let mut line_no = 0;
                loop {
                    line_no += 1;
                    let line = match read_bounded_line(&mut reader, args.max_article_bytes) {
                        Ok(Some(l)) => l,
                        Ok(None) => break,
                        Err(e) => {
                            emit(
                                Input::Failed {
                                    id: format!("{origin}:{line_no}"),
                                    error: format!("{origin}:{line_no}: {e}"),
                                },
                                &mut out,
                            )?;
                            break;
                        }
                    };
                    let input = match line {
                        Line::TooLong => Input::Failed {
                            id: format!("{origin}:{line_no}"),
                            error: format!(
                                "{origin}:{line_no}: record longer than --max-article-bytes ({} bytes)",
                                args.max_article_bytes
                            ),
                        },
                        Line::Data(bytes) => {
                            if bytes.iter().all(u8::is_ascii_whitespace) {
                                continue;
                            }
                            parse_jsonl_record(&origin, line_no, &bytes)
                        }
                    };
                    emit(input, &mut out)?;
                }
            }
        }
    }
    out.flush().context("writing output")?;
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn display(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    }
}

/// Decodes bytes as UTF-8, replacing invalid sequences and warning.
fn decode(bytes: Vec<u8>, origin: &str) -> String {
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("warning: {origin}: invalid UTF-8, decoded with replacement characters");
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
    }
}

/// Reads one whole-file article, never more than `max + 1` bytes.
fn read_text(path: &Path, max: usize) -> Input {
    let id = display(path);
    let too_big = |id: &str| Input::Failed {
        id: id.to_string(),
        error: format!("{id}: article longer than --max-article-bytes ({max} bytes)"),
    };
    let mut reader: Box<dyn Read> = if path.as_os_str() == "-" {
        Box::new(io::stdin().lock())
    } else {
        match File::open(path) {
            Ok(f) => {
                if f.metadata()
                    .is_ok_and(|m| m.is_file() && m.len() > max as u64)
                {
                    return too_big(&id);
                }
                Box::new(f)
            }
            Err(e) => {
                return Input::Failed {
                    error: format!("{id}: {e}"),
                    id,
                }
            }
        }
    };
    let mut bytes = Vec::new();
    if let Err(e) = (&mut reader).take(max as u64 + 1).read_to_end(&mut bytes) {
        return Input::Failed {
            error: format!("{id}: {e}"),
            id,
        };
    }
    if bytes.len() > max {
        // Drain the rest of a stream so a pipe writer does not fail.
        let _ = io::copy(&mut reader, &mut io::sink());
        return too_big(&id);
    }
    let text = decode(bytes, &id);
    Input::Article {
        id,
        text,
        date: None,
    }
}

enum Line {
    Data(Vec<u8>),
    TooLong,
}

/// Reads one line (without the terminator), holding at most `max` bytes;
/// longer lines are skipped to their end and reported as `TooLong`.
fn read_bounded_line(r: &mut impl BufRead, max: usize) -> io::Result<Option<Line>> {
    let mut buf = Vec::new();
    let mut too_long = false;
    let mut any = false;
    loop {
        let chunk = r.fill_buf()?;
        if chunk.is_empty() {
            break;
        }
        any = true;
        let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        if !too_long {
            let data = if done {
                &chunk[..take - 1]
            } else {
                &chunk[..take]
            };
            if buf.len() + data.len() > max {
                too_long = true;
                buf = Vec::new();
            } else {
                buf.extend_from_slice(data);
            }
        }
        r.consume(take);
        if done {
            break;
        }
    }
    if !any {
        return Ok(None);
    }
    if too_long {
        return Ok(Some(Line::TooLong));
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(Some(Line::Data(buf)))
}

#[derive(serde::Deserialize)]
struct JsonlRecord {
    id: Option<serde_json::Value>,
    text: String,
    #[serde(default)]
    date: Option<String>,
}

fn parse_jsonl_record(origin: &str, line_no: usize, bytes: &[u8]) -> Input {
    let fallback_id = format!("{origin}:{line_no}");
    let owned;
    let src: &str = match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(_) => {
            owned = decode(bytes.to_vec(), &fallback_id);
            &owned
        }
    };
    match serde_json::from_str::<JsonlRecord>(src) {
        Ok(rec) => {
            let id = match rec.id {
                Some(serde_json::Value::String(s)) => s,
                Some(serde_json::Value::Null) | None => fallback_id,
                Some(v) => v.to_string(),
            };
            Input::Article {
                id,
                text: rec.text,
                date: rec.date,
            }
        }
        Err(e) => Input::Failed {
            id: fallback_id.clone(),
            error: format!("{fallback_id}: invalid record: {e}"),
        },
    }
}

fn write_table(out: &mut impl Write, rec: &ArticleQuotes) -> io::Result<()> {
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
        let kind = match q.kind {
            quotes::QuoteKind::Direct => "direct",
            quotes::QuoteKind::Partial => "partial",
            quotes::QuoteKind::Indirect => "indirect",
        };
        writeln!(
            out,
            "{:<8} {:>11}  {:<18} {:<14} {:<10} {:<12} {:<34} {}",
            kind,
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

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('\u{2026}');
        t
    }
}
