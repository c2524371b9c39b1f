//! Library error type. Every error that comes from user input names where
//! the input came from (file and line where there is one).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The I/O error is part of the message, not a chained source, so that
    /// a report of the chain does not say it twice ("x.jsonl: No such
    /// file or directory (os error 2): No such file or directory ...").
    #[error("{path}: {cause}")]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },
    /// A bad record in an input file; `line` is 1-based.
    #[error("{origin}:{line}: {message}")]
    Record {
        origin: String,
        line: usize,
        message: String,
    },
    /// A problem with a whole input that has no single line to point at.
    #[error("{origin}: {message}")]
    Input { origin: String, message: String },
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error("model: {0}")]
    Model(String),
    #[error("training failed: {0}")]
    Training(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            cause: source,
        }
    }

    pub fn record(origin: impl Into<String>, line: usize, message: impl Into<String>) -> Self {
        Error::Record {
            origin: origin.into(),
            line,
            message: message.into(),
        }
    }

    pub fn input(origin: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Input {
            origin: origin.into(),
            message: message.into(),
        }
    }
}
