//! Hostile party dictionaries through `--parties`: type errors and duplicate
//! party names stop the run with the file named (exit 2); empty and odd forms
//! are warnings; nothing panics, whatever the article.

mod support;

use support::{assert_no_panic, json_lines, run, stderr, write};

const ARTICLE: &[u8] =
    "\"We condemn Moscow and the US, and Ruritania's \u{201c}allies\u{201d},\" Ivan Petrov said. \
    \"Fine - fine,\" said Petrov. 's ... - \u{5e9}\u{5dc}\u{5d5}\u{5dd} Ruri\u{301}tania"
        .as_bytes();

fn extract_with(dict: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "parties.toml", dict.as_bytes());
    let a = write(dir.path(), "a.txt", ARTICLE);
    let o = run(&["extract", "--parties", &p, &a]);
    assert_no_panic(&o);
    o
}

#[test]
fn type_errors_and_duplicate_names_exit_2_naming_the_file() {
    for (dict, wanted) in [
        ("[[party]]\nname = 3\nkind = \"state\"\n", "parties.toml:2"),
        ("[[party]]\nname = \"X\"\nkind = \"planet\"\n", "parties.toml:3"),
        ("[[party]]\nname = \"X\"\nkind = \"state\"\naliases = \"US\"\n", "parties.toml:4"),
        ("[[party]]\nname = \"X\"\nkind = \"state\"\naliases = [1, 2]\n", "parties.toml:4"),
        ("[[party]]\nkind = \"state\"\n", "parties.toml"),
        ("party = 5\n", "parties.toml"),
        ("[[party]]\nname = \"  \"\nkind = \"state\"\n", "empty name"),
        (
            "[[party]]\nname = \"Ruritania\"\nkind = \"state\"\n[[party]]\nname = \" Ruritania \"\nkind = \"group\"\n",
            "duplicate party name \"Ruritania\"",
        ),
        ("[[party]\nname = \"X\"", "parties.toml"),
        ("\u{0}\u{1}\u{2}binary", "parties.toml"),
        ("[[person]]\nname = \"A\"\nparty = \"X\"\ngender = \"x\"\n", "parties.toml"),
        ("[[person]]\nname = \"A\"\nparty = \"X\"\nfrom = 2020\n", "parties.toml"),
    ] {
        let o = extract_with(dict);
        assert_eq!(o.status.code(), Some(2), "{dict:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(wanted), "{dict:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty());
    }
}

#[test]
fn invalid_utf8_dictionary_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "latin1.toml",
        b"[[party]]\nname = \"Caf\xe9\"\nkind = \"state\"\n",
    );
    let a = write(dir.path(), "a.txt", ARTICLE);
    let o = run(&["extract", "--parties", &p, &a]);
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("latin1.toml"), "{}", stderr(&o));
}

#[test]
fn empty_and_odd_forms_are_warnings() {
    let dict = r#"
unknown_top = 1

[[party]]
name = "Ruritania"
code = ""
kind = "state"
aliases = ["", "   ", "Ruritania", "'s", "...", "-", "Ruri\u0301tania", "\u0000", "A-B-C-", "US"]
demonyms = []
metonyms = ["Moscow"]
members = ["Nowhere", ""]
colour = "blue"

[[party]]
name = "Russia"
kind = "state"
metonyms = ["Moscow"]

[[party]]
name = "US"
kind = "organization"

[[person]]
name = "Ivan Petrov"
party = "Ruritania"
from = "yesterday"
to = 2024-01-01
aliases = ["", "Petrov", "Petrov"]

[[person]]
name = "Ivan Petrov"
party = "Russia"
role = "envoy"

[[person]]
name = ""
party = "Ruritania"

[[person]]
name = "Nobody"
party = "Atlantis"
"#;
    let o = extract_with(dict);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    for w in [
        "empty entry in aliases",
        "has no words",
        "member \"Nowhere\"",
        "unknown key \"colour\"",
        "unknown top-level key",
        "not YYYY-MM-DD",
        "empty alias",
        "empty name",
        "unknown party \"Atlantis\"",
        "is listed for",
    ] {
        assert!(err.contains(w), "missing warning {w:?}: {err}");
    }
    assert_eq!(json_lines(&o).len(), 1);
}

#[test]
fn an_empty_dictionary_works() {
    for dict in ["", "# nothing\n", "party = []\nperson = []\n"] {
        let o = extract_with(dict);
        assert_eq!(o.status.code(), Some(0), "{dict:?}: {}", stderr(&o));
        let recs = json_lines(&o);
        assert_eq!(recs.len(), 1);
        for q in recs[0]["quotes"].as_array().unwrap() {
            assert!(q["targets"].as_array().unwrap().is_empty());
        }
    }
}
