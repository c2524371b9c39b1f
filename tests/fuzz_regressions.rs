//! Replays the fuzz seeds and every committed crash input
//! (`fuzz/regressions/TARGET/*`) through the fuzz targets' checks, so a
//! crash found once by `cargo fuzz` stays fixed in the normal test suite.

#[path = "../fuzz/checks.rs"]
mod checks;

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut n = 0;
    for dir in ["seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        for e in entries {
            let path = e.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            let result = std::panic::catch_unwind(|| check(&bytes));
            assert!(result.is_ok(), "{} fails", path.display());
            n += 1;
        }
    }
    assert!(n > 0, "no inputs for {target}");
}

#[test]
fn article_inputs() {
    replay("article", checks::article);
}

#[test]
fn long_article_inputs() {
    replay("long_article", |data| checks::long_article(data, None));
}

#[test]
fn labelled_data_inputs() {
    replay("labelled_data", checks::labelled_data);
}

#[test]
fn party_dictionary_inputs() {
    replay("parties", checks::parties);
}

#[test]
fn model_inputs() {
    replay("model", checks::model);
}
