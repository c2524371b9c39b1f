//! Turns the article arguments of `extract` and `predict` into a list of
//! sources: files as given, directories walked recursively (like ripgrep:
//! sorted, deterministic, hidden entries skipped) for their `.txt` and
//! `.jsonl` files, and standard input.

use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Result};
use walkdir::WalkDir;

/// One input to read, or an entry found in a directory that cannot be read
/// (already warned about on stderr; it becomes an error record so that the
/// run exits 1 like any other unreadable input).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Path(PathBuf),
    Unreadable { path: PathBuf, error: String },
}

/// Expands the arguments: no argument means stdin when it is not a
/// terminal; a directory is walked (see [`walk`]); anything else is read as
/// given, so a missing file becomes an error record naming it.
pub fn expand(args: &[PathBuf]) -> Result<Vec<Source>> {
    if args.is_empty() {
        if io::stdin().is_terminal() {
            bail!(
                "no input: give article files, a directory, or `-` for standard input (see --help)"
            );
        }
        return Ok(vec![Source::Path(PathBuf::from("-"))]);
    }
    let mut out = Vec::new();
    for a in args {
        if a.is_dir() {
            out.extend(walk(a)?);
        } else {
            out.push(Source::Path(a.clone()));
        }
    }
    Ok(out)
}

fn is_article(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("txt" | "jsonl")
    )
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

/// The `.txt` and `.jsonl` files under `dir`, at any depth, in sorted
/// order (each directory's entries by name, a subdirectory's files where
/// its name sorts). Hidden files and directories are skipped. Symbolic
/// links are followed, so a link to a file or a directory is read like
/// the real thing; a link that points to an ancestor is skipped with a
/// warning (its articles are read through the real path anyway).
///
/// A dangling `.txt`/`.jsonl` link, or a subdirectory that cannot be
/// listed, is a warning and an unreadable source: articles are missing
/// from the run. A directory with no article file to read at all is an
/// error: a run that reads nothing from it would be a silent exit 0.
pub fn walk(dir: &Path) -> Result<Vec<Source>> {
    let mut found = Vec::new();
    let mut readable = 0usize;
    let walker = WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        // The directory given is read even when its own name is hidden
        // (`.`, `./.drafts`): it was asked for by name.
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()));
    for entry in walker {
        match entry {
            Ok(e) => {
                if e.file_type().is_file() && is_article(e.path()) {
                    found.push(Source::Path(e.into_path()));
                    readable += 1;
                }
            }
            Err(err) => {
                let path = err.path().unwrap_or(dir).to_path_buf();
                if err.depth() == 0 {
                    let reason = err
                        .io_error()
                        .map_or_else(|| err.to_string(), |e| e.to_string());
                    bail!("{}: {reason}", path.display());
                }
                if let Some(ancestor) = err.loop_ancestor() {
                    eprintln!(
                        "warning: {}: symbolic link to {}, which contains it; not followed",
                        path.display(),
                        ancestor.display()
                    );
                    continue;
                }
                let dangling = err
                    .io_error()
                    .is_some_and(|e| e.kind() == io::ErrorKind::NotFound)
                    && path.is_symlink();
                let error = if dangling {
                    // A dangling link with another extension may have been
                    // anything (an image, a directory): not an article.
                    if !is_article(&path) {
                        continue;
                    }
                    match std::fs::read_link(&path) {
                        Ok(to) => format!(
                            "{}: dangling symbolic link (to {}, which does not exist)",
                            path.display(),
                            to.display()
                        ),
                        Err(_) => format!("{}: dangling symbolic link", path.display()),
                    }
                } else {
                    let reason = err
                        .io_error()
                        .map_or_else(|| err.to_string(), |e| e.to_string());
                    format!("{}: {reason}", path.display())
                };
                eprintln!("warning: {error}");
                found.push(Source::Unreadable { path, error });
            }
        }
    }
    if readable == 0 {
        let unreadable = found.len();
        return Err(if unreadable == 0 {
            anyhow!(
                "{}: no articles: no .txt or .jsonl file in it or its subdirectories (hidden ones are skipped)",
                dir.display()
            )
        } else {
            anyhow!(
                "{}: no readable article: its {unreadable} .txt or .jsonl entries cannot be read (see the warnings above)",
                dir.display()
            )
        });
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(sources: &[Source]) -> Vec<String> {
        sources
            .iter()
            .map(|s| match s {
                Source::Path(p) => p.display().to_string(),
                Source::Unreadable { path, .. } => format!("!{}", path.display()),
            })
            .collect()
    }

    #[test]
    fn a_tree_is_walked_in_sorted_order_skipping_hidden_entries_and_other_files() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for f in [
            "b.txt",
            "a/z.jsonl",
            "a/y/x.txt",
            "a.txt",
            ".hidden/h.txt",
            "a/.h.txt",
            "notes.md",
        ] {
            let p = d.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        let got = paths(&walk(d).unwrap());
        let want: Vec<String> = ["a/y/x.txt", "a/z.jsonl", "a.txt", "b.txt"]
            .iter()
            .map(|f| d.join(f).display().to_string())
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn a_directory_without_articles_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/readme.md"), "x").unwrap();
        let err = walk(dir.path()).unwrap_err().to_string();
        assert!(err.contains(&dir.path().display().to_string()), "{err}");
        assert!(err.contains("no articles"), "{err}");
    }
}
