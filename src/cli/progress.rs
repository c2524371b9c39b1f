//! Progress of `extract` and `predict` on stderr, by input bytes: a bar with
//! rate and ETA when the total size is known (files), a spinner with bytes
//! read and rate when it is not (standard input, a pipe). Drawn only when
//! stderr is a terminal, so pipes, logs and tests never see it.

use std::io::{self, IsTerminal};
use std::path::Path;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use super::walk::Source;

pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A progress display for reading `sources`, or one that draws nothing
    /// when stderr is not a terminal.
    pub fn new(sources: &[Source]) -> Progress {
        if !io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let bar = match total_bytes(sources) {
            Some(total) => {
                let bar = ProgressBar::new(total);
                bar.set_style(style(
                    "{wide_bar} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
                ));
                bar
            }
            None => {
                let bar = ProgressBar::new_spinner();
                bar.set_style(style(
                    "{spinner} {bytes} read, {binary_bytes_per_sec} {msg} [{elapsed}]",
                ));
                // Keeps turning while the reader waits on a slow pipe.
                bar.enable_steady_tick(Duration::from_millis(200));
                bar
            }
        };
        Progress { bar: Some(bar) }
    }

    /// Output has been written for `articles` articles, which took `bytes`
    /// bytes of input. A no-op when nothing is drawn, so the writer's loop
    /// pays nothing in a pipe.
    pub fn update(&self, bytes: u64, articles: usize) {
        if let Some(bar) = &self.bar {
            bar.set_position(bytes);
            bar.set_message(format!("{articles} articles"));
        }
    }

    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
}

/// The bytes the sources will take, when every one is a regular file (or
/// unreadable, which takes none); `None` when one is standard input or
/// another stream whose size is unknown.
pub fn total_bytes(sources: &[Source]) -> Option<u64> {
    let mut total = 0u64;
    for s in sources {
        if let Source::Path(p) = s {
            total += file_size(p)?;
        }
    }
    Some(total)
}

fn file_size(path: &Path) -> Option<u64> {
    if path.as_os_str() == "-" {
        return None;
    }
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Some(m.len()),
        // A FIFO or a device: no size to go by.
        Ok(_) => None,
        // A missing file becomes an error record and takes no bytes.
        Err(_) => Some(0),
    }
}

#[cfg(test)]
mod tests {
    use super::super::articles::{InputFormat, Inputs};
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn reading_every_source_consumes_the_total_size_of_the_files() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("a.txt");
        std::fs::write(&text, "\"We agree,\" Lavrov said.\n").unwrap();
        let jsonl = dir.path().join("b.jsonl");
        std::fs::write(
            &jsonl,
            "{\"id\": \"1\", \"text\": \"One.\"}\n\n{\"id\": \"2\", \"text\": \"Two.\"}\r\nnot json\n",
        )
        .unwrap();
        let big = dir.path().join("big.txt");
        std::fs::write(&big, "x".repeat(100)).unwrap();
        let sources: Vec<Source> = [&text, &jsonl, &big, &dir.path().join("missing.txt")]
            .into_iter()
            .map(|p| Source::Path(p.clone()))
            .collect();
        let total = total_bytes(&sources).unwrap();
        let mut inputs = Inputs::new(sources, InputFormat::Auto, 50);
        let mut seen = Vec::new();
        while inputs.next().is_some() {
            seen.push(inputs.bytes_done());
        }
        // a.txt, two records and a bad one, big.txt (too big), missing.txt.
        assert_eq!(seen.len(), 6);
        assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
        assert_eq!(*seen.last().unwrap(), total);
    }

    #[test]
    fn standard_input_has_no_known_size() {
        let sources = vec![Source::Path(PathBuf::from("-"))];
        assert_eq!(total_bytes(&sources), None);
    }
}
