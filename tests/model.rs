//! The trained model as a specification: same objective as linfa-logistic,
//! deterministic, round-trips through its file, and refuses broken files.

use stancekit::data::Example;
use stancekit::model::{
    train, train_with_aux, train_with_aux_owned, Auxiliary, ClassWeight, Solver, StanceModel,
    TrainConfig,
};

fn ex(text: &str, target: &str, label: &str) -> Example {
    Example {
        id: None,
        text: text.to_string(),
        target: target.to_string(),
        span: stancekit::text::find_whole_word_ci(text, target),
        label: Some(label.to_string()),
        speaker: None,
        speaker_party: None,
        sentiment: None,
        source: None,
        date: None,
        extra: Default::default(),
        line: 1,
    }
}

/// A small corpus with a learnable signal and some noise words.
fn corpus() -> Vec<Example> {
    let parties = ["Russia", "China", "Japan", "Brazil", "Kenya", "France"];
    let good = ["welcomes", "praises", "thanks", "supports"];
    let bad = ["condemns", "accuses", "warns", "rejects"];
    let flat = ["meets", "visits", "notes", "lists"];
    let noise = ["today", "again", "on trade", "in talks", "at the summit"];
    let mut out = Vec::new();
    for (i, p) in parties.iter().enumerate() {
        for j in 0..4 {
            let n = noise[(i + j) % noise.len()];
            out.push(ex(
                &format!("The minister {} {p} {n}", good[j]),
                p,
                "conciliatory",
            ));
            out.push(ex(
                &format!("The minister {} {p} {n}", bad[j]),
                p,
                "critical",
            ));
            out.push(ex(
                &format!("The minister {} {p} {n}", flat[j]),
                p,
                "neutral",
            ));
        }
    }
    out
}

fn config(solver: Solver) -> TrainConfig {
    TrainConfig {
        solver,
        class_weight: ClassWeight::None,
        alpha: 0.5,
        tol: 1e-7,
        max_iter: 2000,
        threads: 1,
        ..TrainConfig::default()
    }
}

#[test]
fn sparse_trainer_matches_linfa_logistic_on_a_small_problem() {
    let data = corpus();
    let ours = train(&data, &config(Solver::Sparse).check().unwrap(), "", &[])
        .unwrap()
        .model;
    let linfa = train(&data, &config(Solver::Linfa).check().unwrap(), "", &[])
        .unwrap()
        .model;
    assert_eq!(ours.labels, linfa.labels);
    assert_eq!(ours.n_features(), linfa.n_features());
    let (a, b) = (ours.to_file(), linfa.to_file());
    let rel = (a.training.final_loss - b.training.final_loss).abs() / b.training.final_loss;
    assert!(
        rel < 1e-6,
        "losses differ: {} vs {}",
        a.training.final_loss,
        b.training.final_loss
    );
    let mut max_diff: f64 = 0.0;
    for (wa, wb) in a.weights.iter().zip(&b.weights) {
        for (x, y) in wa.iter().zip(wb) {
            max_diff = max_diff.max((x - y).abs());
        }
    }
    for (x, y) in a.intercepts.iter().zip(&b.intercepts) {
        max_diff = max_diff.max((x - y).abs());
    }
    assert!(max_diff < 1e-3, "weights differ by up to {max_diff}");
}

#[test]
fn linfa_solver_refuses_class_weights_it_would_ignore() {
    let cfg = TrainConfig {
        class_weight: ClassWeight::Balanced,
        ..config(Solver::Linfa)
    };
    // Refused when the settings are checked, before any data is read.
    let err = cfg.check().expect_err("must refuse");
    assert!(err.to_string().contains("--class-weight none"), "{err}");
}

#[test]
fn a_checked_config_takes_another_alpha_only_if_it_is_positive() {
    let cfg = config(Solver::Sparse).check().unwrap();
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let err = cfg.with_alpha(bad).expect_err("must refuse");
        assert!(err.to_string().contains("alpha"), "{err}");
    }
    let other = cfg.with_alpha(0.25).unwrap();
    assert_eq!(other.alpha, 0.25);
    assert_eq!(other.max_iter, cfg.max_iter);
    assert_eq!(other.class_weight, cfg.class_weight);
}

#[test]
fn learns_the_signal_it_was_given() {
    let data = corpus();
    let model = train(&data, &TrainConfig::default().check().unwrap(), "", &[])
        .unwrap()
        .model;
    let p = model.predict("The minister praises Chile in talks", None, &[]);
    assert_eq!(p.label, "conciliatory", "{p:?}");
    let text = "The minister condemns Chile";
    let p = model.predict(
        text,
        stancekit::text::find_whole_word_ci(text, "Chile"),
        &[],
    );
    assert_eq!(p.label, "critical", "{p:?}");
    let total: f64 = p.probs.iter().map(|(_, x)| x).sum();
    assert!((total - 1.0).abs() < 1e-9);
}

#[test]
fn same_data_and_flags_give_byte_identical_model_files() {
    let data = corpus();
    let cfg = |threads| {
        TrainConfig {
            threads,
            ..TrainConfig::default()
        }
        .check()
        .unwrap()
    };
    let a = train(&data, &cfg(1), "abc", &["x".into()])
        .unwrap()
        .model
        .to_json();
    let b = train(&data, &cfg(3), "abc", &["x".into()])
        .unwrap()
        .model
        .to_json();
    assert_eq!(a, b);
}

#[test]
fn training_that_owns_its_examples_writes_the_model_that_borrowing_them_writes() {
    // The CLI trains with train_with_aux_owned (examples freed before the
    // optimiser runs); the file must be the one train_with_aux writes.
    let data = corpus();
    let aux: Vec<Example> = corpus().into_iter().step_by(3).collect();
    for augment in [false, true] {
        let aux = Auxiliary {
            examples: &aux,
            weight: 0.3,
            augment,
        };
        for threads in [1, 2] {
            let cfg = TrainConfig {
                threads,
                ..TrainConfig::default()
            }
            .check()
            .unwrap();
            let borrowed = train_with_aux(&data, Some(&aux), &cfg, "abc", &["x".into()])
                .unwrap()
                .model
                .to_json();
            let owned = train_with_aux_owned(data.clone(), Some(&aux), &cfg, "abc", &["x".into()])
                .unwrap()
                .model
                .to_json();
            assert_eq!(borrowed, owned, "augment {augment}, {threads} threads");
        }
    }
}

#[test]
fn model_round_trips_through_its_file() {
    let data = corpus();
    let model = train(&data, &TrainConfig::default().check().unwrap(), "", &[])
        .unwrap()
        .model;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.json");
    model.save(&path).unwrap();
    let loaded = StanceModel::load(&path).unwrap();
    assert_eq!(loaded.to_json(), model.to_json());
    for e in &data {
        assert_eq!(
            loaded.predict(&e.text, e.span, &[]),
            model.predict(&e.text, e.span, &[])
        );
    }
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[test]
fn broken_model_files_are_errors_not_panics() {
    let model = train(&corpus(), &TrainConfig::default().check().unwrap(), "", &[])
        .unwrap()
        .model;
    let json = model.to_json();
    let cases: Vec<(String, &str)> = vec![
        (json[..json.len() / 2].to_string(), "truncated"),
        (
            json.replacen("\"version\":2", "\"version\":99", 1),
            "version 99",
        ),
        (
            json.replacen("\"format\":\"stancekit-model\"", "\"format\":\"other\"", 1),
            "not a stancekit model",
        ),
        (
            json.replacen("\"weights\":[[", "\"weights\":[[1.0,", 1),
            "checksum mismatch",
        ),
        // The same edit with a checksum to match: the shape check catches it.
        (
            stancekit::model::checksum::seal(
                &(json[..json.rfind(",\"checksum\"").unwrap()].to_string() + "}").replacen(
                    "\"weights\":[[",
                    "\"weights\":[[1.0,",
                    1,
                ),
            ),
            "entries for",
        ),
        (
            json.replacen("\"intercepts\":[", "\"intercepts\":[1e999,", 1),
            "not a valid model file",
        ),
        ("\u{0}\u{1}binary".to_string(), "not a valid model file"),
        (String::new(), "not a valid model file"),
    ];
    for (text, expected) in cases {
        let err = StanceModel::from_json(&text, "m.json")
            .err()
            .unwrap_or_else(|| panic!("{expected}: accepted"));
        assert!(err.to_string().contains(expected), "{expected}: got {err}");
    }
}

/// Auxiliary rows from a domain where "tough" is praise ("a tough ally"),
/// while in the main data it is criticism.
fn tough_domains() -> (Vec<Example>, Vec<Example>) {
    let mut main = corpus();
    let parties = ["Russia", "China", "Japan", "Brazil", "Kenya", "France"];
    for p in parties {
        main.push(ex(&format!("The minister is tough on {p}"), p, "critical"));
    }
    let mut aux = Vec::new();
    for p in parties {
        for _ in 0..4 {
            aux.push(ex(&format!("{p} is a tough partner"), p, "conciliatory"));
            aux.push(ex(&format!("{p} holds a meeting"), p, "neutral"));
            aux.push(ex(&format!("{p} fails badly"), p, "critical"));
        }
    }
    (main, aux)
}

fn p_critical(model: &StanceModel, text: &str, target: &str) -> f64 {
    let p = model.predict(text, stancekit::text::find_whole_word_ci(text, target), &[]);
    p.probs
        .iter()
        .find(|(l, _)| *l == "critical")
        .map(|(_, x)| *x)
        .unwrap()
}

#[test]
fn auxiliary_data_with_its_own_feature_copies_sways_the_main_domain_less_than_plain_rows() {
    let (main, aux) = tough_domains();
    let cfg = TrainConfig {
        threads: 1,
        ..TrainConfig::default()
    }
    .check()
    .unwrap();
    let fit = |augment| {
        let aux = Auxiliary {
            examples: &aux,
            weight: 1.0,
            augment,
        };
        train_with_aux(&main, Some(&aux), &cfg, "", &[])
            .unwrap()
            .model
    };
    let alone = train(&main, &cfg, "", &[]).unwrap().model;
    let (augmented, plain) = (fit(true), fit(false));
    // The feature copies are dropped: the model has one weight per
    // vocabulary entry, as a model without auxiliary data has.
    assert_eq!(augmented.n_features(), plain.n_features());
    let text = "The minister is tough on Peru";
    let (a, p, m) = (
        p_critical(&augmented, text, "Peru"),
        p_critical(&plain, text, "Peru"),
        p_critical(&alone, text, "Peru"),
    );
    assert!(
        a > p,
        "augmented {a} should keep more of the main meaning than plain {p}"
    );
    assert!(m >= a - 1e-9, "without auxiliary data {m}, augmented {a}");
    // The auxiliary domain is still learnt from: its words are in the model.
    assert!(augmented.n_features() > alone.n_features());
}

#[test]
fn auxiliary_labels_must_be_labels_of_the_main_data() {
    let main = corpus();
    let mut odd = ex("Chile is fine", "Chile", "positive");
    odd.line = 7;
    let aux = [odd];
    let aux = Auxiliary {
        examples: &aux,
        weight: 0.5,
        augment: true,
    };
    let err = train_with_aux(
        &main,
        Some(&aux),
        &TrainConfig::default().check().unwrap(),
        "",
        &[],
    )
    .err()
    .expect("a label the main data lacks is an error")
    .to_string();
    assert!(err.contains("line 7") && err.contains("positive"), "{err}");
}

#[test]
fn auxiliary_weight_must_be_positive() {
    let main = corpus();
    for weight in [0.0, -1.0, f64::NAN] {
        let aux = Auxiliary {
            examples: &main,
            weight,
            augment: true,
        };
        assert!(train_with_aux(
            &main,
            Some(&aux),
            &TrainConfig::default().check().unwrap(),
            "",
            &[]
        )
        .is_err());
    }
}
