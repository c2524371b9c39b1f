//! Extraction on the annotated articles in tests/articles, against their
//! expected quotes (see tests/common/eval.rs for the matching rules and
//! `cargo run --example extract_eval -- --problems` for the details).
//!
//! Tolerances: the articles are small (about 130 quotes), so the thresholds
//! sit a few points under what the extractor reaches today and fail on any
//! real regression, not on one changed quote. Direct quotes are the core of
//! the task and must all be found.

mod common;

use std::path::Path;

#[test]
fn annotated_articles_meet_quality_bars() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/articles");
    let (total, per) = common::eval::evaluate(&dir);
    assert!(
        per.len() >= 12,
        "expected at least 12 annotated articles, found {}",
        per.len()
    );
    let report = common::eval::report(&total, &per);
    println!("{report}");
    let (n_direct, found_direct) = total.by_kind[0];
    assert_eq!(
        found_direct, n_direct,
        "every direct quote must be found\n{report}\n{:#?}",
        total.problems
    );
    assert!(total.precision() >= 0.95, "quote precision\n{report}");
    assert!(total.recall() >= 0.92, "quote recall\n{report}");
    assert!(
        total.speaker_accuracy() >= 0.92,
        "speaker accuracy\n{report}"
    );
    assert!(total.not_quote_hits == 0, "not-quotes reported\n{report}");
}
