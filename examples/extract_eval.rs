//! Quote precision/recall and speaker accuracy on the annotated articles.
//!
//!     cargo run --release --example extract_eval [-- DIR] [--problems]
//!
//! DIR defaults to tests/articles. See tests/common/eval.rs for how quotes
//! are matched.

#[path = "../tests/common/eval.rs"]
mod eval;

use std::path::PathBuf;

fn main() {
    let mut dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/articles"));
    let mut problems = false;
    for a in std::env::args().skip(1) {
        if a == "--problems" {
            problems = true;
        } else {
            dir = PathBuf::from(a);
        }
    }
    let (total, per) = eval::evaluate(&dir);
    if per.is_empty() {
        eprintln!("error: no annotated articles in {}", dir.display());
        std::process::exit(2);
    }
    print!("{}", eval::report(&total, &per));
    if problems {
        println!();
        for p in &total.problems {
            println!("{p}");
        }
    }
}
