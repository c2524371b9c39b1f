//! Directory arguments of `extract` and `predict` are walked recursively,
//! like ripgrep: every `.txt` and `.jsonl` file at any depth, in sorted
//! order, hidden entries skipped. A directory with nothing to read is an
//! error (exit 2), and a dangling article link is a warning and a failed
//! input (exit 1), never a silent skip.

mod support;

use std::path::{Path, PathBuf};

use support::{assert_no_panic, json_lines, run, stderr};

const ARTICLE: &str = "\"We welcome the talks with Moscow,\" Wang Yi said on Monday.\n";

/// A two-level tree of articles, hidden entries and other files; returns
/// the article paths in the order they must be read.
fn two_level_tree(root: &Path) -> Vec<PathBuf> {
    let files = [
        ("b.txt", ARTICLE.to_string()),
        ("asia/japan.txt", ARTICLE.to_string()),
        ("asia/china/beijing.txt", ARTICLE.to_string()),
        (
            "asia/china/wire.jsonl",
            "{\"id\": \"w1\", \"text\": \"One.\"}\n{\"id\": \"w2\", \"text\": \"Two.\"}\n"
                .to_string(),
        ),
        ("europe/2025/04/paris.txt", ARTICLE.to_string()),
        ("a.txt", ARTICLE.to_string()),
        (".drafts/unpublished.txt", ARTICLE.to_string()),
        ("asia/.cache.txt", ARTICLE.to_string()),
        ("asia/notes.md", "not an article".to_string()),
    ];
    for (name, text) in files {
        let p = root.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    [
        "a.txt",
        "asia/china/beijing.txt",
        "asia/china/wire.jsonl",
        "asia/japan.txt",
        "b.txt",
        "europe/2025/04/paris.txt",
    ]
    .iter()
    .map(|f| root.join(f))
    .collect()
}

#[test]
fn a_directory_is_read_at_every_depth_in_sorted_order_without_hidden_entries() {
    let dir = tempfile::tempdir().unwrap();
    let order = two_level_tree(dir.path());
    let mut want: Vec<String> = Vec::new();
    for p in &order {
        if p.extension().unwrap() == "jsonl" {
            want.extend(["w1".to_string(), "w2".to_string()]);
        } else {
            want.push(p.display().to_string());
        }
    }
    for cmd in ["extract", "predict"] {
        for threads in ["1", "3"] {
            let o = run(&[cmd, "--threads", threads, dir.path().to_str().unwrap()]);
            assert_no_panic(&o);
            assert_eq!(o.status.code(), Some(0), "{cmd}: {}", stderr(&o));
            let got: Vec<String> = json_lines(&o)
                .iter()
                .map(|r| r["article"].as_str().unwrap().to_string())
                .collect();
            assert_eq!(got, want, "{cmd} --threads {threads}");
        }
    }
}

#[test]
fn an_empty_directory_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(empty.join("nested/deeper")).unwrap();
    for cmd in ["extract", "predict"] {
        let o = run(&[cmd, empty.to_str().unwrap()]);
        assert_no_panic(&o);
        assert_eq!(o.status.code(), Some(2), "{cmd}");
        assert!(o.stdout.is_empty(), "{cmd}: nothing is written");
        let err = stderr(&o);
        assert!(
            err.contains(empty.to_str().unwrap()) && err.contains("no .txt or .jsonl file"),
            "{cmd}: {err}"
        );
    }
}

#[test]
fn a_directory_with_only_hidden_or_other_files_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join(".git/a.txt"), ARTICLE).unwrap();
    std::fs::write(dir.path().join("photo.jpg"), "x").unwrap();
    let o = run(&["predict", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no .txt or .jsonl file"),
        "{}",
        stderr(&o)
    );
}

#[cfg(unix)]
#[test]
fn a_dangling_article_link_is_a_warning_naming_it_and_a_failed_input() {
    let dir = tempfile::tempdir().unwrap();
    let order = two_level_tree(dir.path());
    let link = dir.path().join("asia/gone.txt");
    std::os::unix::fs::symlink(dir.path().join("nowhere/gone.txt"), &link).unwrap();
    // A dangling link that is not an article is none of our business.
    std::os::unix::fs::symlink("nowhere.png", dir.path().join("asia/photo.png")).unwrap();
    for cmd in ["extract", "predict"] {
        let o = run(&[cmd, dir.path().to_str().unwrap()]);
        assert_no_panic(&o);
        assert_eq!(o.status.code(), Some(1), "{cmd}: {}", stderr(&o));
        let err = stderr(&o);
        assert_eq!(
            err.matches("warning:").count(),
            1,
            "{cmd}: one warning, for the article link: {err}"
        );
        assert!(
            err.contains(&format!(
                "warning: {}: dangling symbolic link",
                link.display()
            )),
            "{cmd}: {err}"
        );
        let recs = json_lines(&o);
        // Every article is still read, and the link has its error record
        // where its name sorts (after china/, before japan.txt).
        assert_eq!(recs.len(), order.len() + 2, "{cmd}");
        let failed: Vec<&serde_json::Value> =
            recs.iter().filter(|r| r.get("error").is_some()).collect();
        assert_eq!(failed.len(), 1, "{cmd}");
        assert_eq!(failed[0]["article"], link.display().to_string(), "{cmd}");
        assert_eq!(recs[4]["article"], link.display().to_string(), "{cmd}");
    }
}

#[cfg(unix)]
#[test]
fn a_directory_whose_only_article_is_a_dangling_link_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("missing.txt", dir.path().join("a.txt")).unwrap();
    let o = run(&["predict", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("dangling symbolic link"), "{err}");
    assert!(err.contains("no readable article"), "{err}");
    assert!(o.stdout.is_empty());
}

#[cfg(unix)]
#[test]
fn linked_directories_are_read_and_a_link_to_an_ancestor_is_not_followed_forever() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("news");
    std::fs::create_dir_all(root.join("a")).unwrap();
    std::fs::write(root.join("a/x.txt"), ARTICLE).unwrap();
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("y.txt"), ARTICLE).unwrap();
    std::os::unix::fs::symlink(&elsewhere, root.join("b")).unwrap();
    std::os::unix::fs::symlink(&root, root.join("a/loop")).unwrap();
    let o = run(&["extract", root.to_str().unwrap()]);
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let got: Vec<String> = json_lines(&o)
        .iter()
        .map(|r| r["article"].as_str().unwrap().to_string())
        .collect();
    let want = [root.join("a/x.txt"), root.join("b/y.txt")].map(|p| p.display().to_string());
    assert_eq!(got, want);
    assert!(stderr(&o).contains("not followed"), "{}", stderr(&o));
}
