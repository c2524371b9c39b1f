//! Quote precision/recall, speaker and speaker-party accuracy, target and
//! dyad P/R/F1 on annotated articles; with the shipped models, the F1 of
//! the article's (speaker party, target party, stance) triples where the
//! annotation gives a stance.
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
    println!("{}", stance_dyads(&dir));
    if problems {
        println!();
        for p in &total.problems {
            println!("{p}");
        }
    }
}

/// F1 of (speaker party, target party, stance) triples per article: the
/// annotated ones with a stance against what `predict` gives with the
/// shipped models.
fn stance_dyads(dir: &std::path::Path) -> String {
    use stancekit::article::Article;
    use stancekit::model::Task;
    use stancekit::parties::PartyDict;
    use stancekit::predict::Predictor;
    use std::collections::BTreeSet;
    let (Ok(stance), Ok(sentiment)) = (
        stancekit::defaults::model(Task::Stance),
        stancekit::defaults::model(Task::Sentiment),
    ) else {
        return "stance dyads: the shipped models did not load".into();
    };
    let predictor = Predictor {
        stance: &stance,
        sentiment: &sentiment,
        parties: PartyDict::embedded(),
    };
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    for (txt, exp) in eval::article_files(dir) {
        let expected: eval::Expected = match std::fs::read_to_string(&exp)
            .map_err(|e| e.to_string())
            .and_then(|s| serde_json::from_str(&s).map_err(|e| e.to_string()))
        {
            Ok(e) => e,
            Err(e) => return format!("stance dyads: {}: {e}", exp.display()),
        };
        let Ok(text) = std::fs::read(&txt) else {
            return format!("stance dyads: cannot read {}", txt.display());
        };
        let article = Article::parse("a", String::from_utf8_lossy(&text).into_owned());
        let pred = predictor.predict(&article);
        let want: BTreeSet<(String, String, String)> = expected
            .quotes
            .iter()
            .filter_map(|q| q.speaker_party.as_ref().map(|sp| (sp, q)))
            .flat_map(|(sp, q)| {
                q.targets.iter().filter_map(move |t| {
                    let stance = t.stance.clone()?;
                    (t.party != *sp).then(|| (sp.clone(), t.party.clone(), stance))
                })
            })
            .collect();
        // Only pairs the annotation judged count: a predicted stance
        // toward a pair the annotators left without one is not scored.
        let judged: BTreeSet<(String, String)> = want
            .iter()
            .map(|(a, b, _)| (a.clone(), b.clone()))
            .collect();
        let got: BTreeSet<(String, String, String)> = pred
            .quotes
            .iter()
            .filter_map(|q| q.speaker_party.as_ref().map(|sp| (sp, q)))
            .flat_map(|(sp, q)| {
                q.targets.iter().map(move |t| {
                    (
                        sp.clone(),
                        t.party.clone(),
                        t.scored.stance.as_str().to_string(),
                    )
                })
            })
            .filter(|(a, b, _)| judged.contains(&(a.clone(), b.clone())))
            .collect();
        tp += got.intersection(&want).count();
        fp += got.difference(&want).count();
        fn_ += want.difference(&got).count();
    }
    let p = tp as f64 / (tp + fp).max(1) as f64;
    let r = tp as f64 / (tp + fn_).max(1) as f64;
    let f = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    format!(
        "stance dyads (speaker party, target party, stance) on pairs the annotation judged: P {p:.3} R {r:.3} F1 {f:.3} ({tp} found, {fp} wrong, {fn_} missed)"
    )
}
