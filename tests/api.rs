//! `stancekit::api`, the entry points the Python package calls: its records
//! are the CLI's, byte for byte, and its checks give the CLI's messages.

mod support;

use stancekit::api::{self, ArticleInput, Model, Pipeline, Rows, Task, TrainOptions};
use std::path::Path;
use std::sync::Arc;

/// tests/articles/*.txt as the CLI names them when given relative paths.
fn articles() -> Vec<String> {
    let mut paths: Vec<String> = std::fs::read_dir("tests/articles")
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| p.ends_with(".txt"))
        .collect();
    paths.sort();
    paths
}

fn input(path: &str) -> ArticleInput {
    ArticleInput {
        id: path.to_string(),
        text: std::fs::read_to_string(path).unwrap(),
        date: None,
    }
}

fn cli_lines(args: &[&str]) -> Vec<String> {
    let out = support::run(args);
    assert!(out.status.success(), "{}", support::stderr(&out));
    support::text(&out).0.lines().map(str::to_string).collect()
}

#[test]
fn predict_and_extract_records_are_the_cli_lines_on_tests_articles() {
    let paths = articles();
    let args = |cmd: &'static str| {
        let mut a = vec![cmd, "--threads", "1"];
        a.extend(paths.iter().map(String::as_str));
        a
    };
    let pipeline = Pipeline::new(None, None, None).unwrap();
    let predicted: Vec<String> = paths
        .iter()
        .map(|p| {
            pipeline
                .predict_json(&input(p), api::DEFAULT_MIN_PROB)
                .unwrap()
        })
        .collect();
    assert_eq!(predicted, cli_lines(&args("predict")));
    let extracted: Vec<String> = paths
        .iter()
        .map(|p| pipeline.extract_json(&input(p)))
        .collect();
    assert_eq!(extracted, cli_lines(&args("extract")));
}

#[test]
fn predicting_many_keeps_the_input_order_on_any_number_of_threads() {
    let inputs: Vec<ArticleInput> = articles().iter().rev().map(|p| input(p)).collect();
    let pipeline = Pipeline::new(None, None, None).unwrap();
    let one = pipeline.predict_json_many(&inputs, 0.5, 1).unwrap();
    assert_eq!(one.len(), inputs.len());
    for threads in [2, 3, 64] {
        assert_eq!(
            pipeline.predict_json_many(&inputs, 0.5, threads).unwrap(),
            one
        );
    }
    assert!(pipeline.predict_json_many(&[], 0.5, 4).unwrap().is_empty());
}

#[test]
fn a_sentiment_model_in_the_stance_models_place_is_an_error_naming_it() {
    let sentiment = Arc::new(Model::embedded(Task::Sentiment).unwrap());
    let e = Pipeline::new(Some(sentiment), None, None).err().unwrap();
    assert!(
        e.to_string().starts_with(
            "model: embedded models/sentiment.json: the stance model must be a stance model"
        ),
        "{e}"
    );
}

#[test]
fn a_model_trained_from_a_file_is_the_one_stancekit_train_writes() {
    let dir = tempfile::tempdir().unwrap();
    let data = support::write(dir.path(), "train.jsonl", support::corpus(3).as_bytes());
    let cli = dir.path().join("cli.json");
    let out = support::run(&[
        "train",
        "--data",
        &data,
        "--out",
        cli.to_str().unwrap(),
        "--threads",
        "1",
    ]);
    assert!(out.status.success(), "{}", support::stderr(&out));
    let options = TrainOptions {
        threads: Some(1),
        ..TrainOptions::default()
    };
    let model = api::train(&Rows::File(data.into()), None, &options).unwrap();
    let ours = dir.path().join("api.json");
    model.save(&ours).unwrap();
    assert_eq!(std::fs::read(ours).unwrap(), std::fs::read(cli).unwrap());
}

#[test]
fn a_bad_row_is_an_error_naming_the_rows_and_its_line() {
    let rows = Rows::Jsonl {
        text: "{\"text\": \"We condemn Russia\", \"target\": \"Russia\", \"label\": \"critical\"}\n{\"text\": 3}\n".into(),
        origin: "rows".into(),
    };
    let e = api::train(&rows, None, &TrainOptions::default())
        .err()
        .unwrap();
    assert!(e.to_string().starts_with("rows:2: "), "{e}");
    let model = Model::load(Path::new("models/stance.json")).unwrap();
    let e = model.evaluate(&rows).err().unwrap();
    assert!(e.to_string().starts_with("rows:2: "), "{e}");
}

#[test]
fn classify_is_the_cli_classify_json() {
    let model = Model::embedded(Task::Stance).unwrap();
    let text = "We condemn the Kremlin's reckless strikes";
    let (json, found) = model.classify(text, Some("Russia"), false).unwrap();
    assert!(found, "the Kremlin stands for Russia");
    let cli = cli_lines(&["classify", "--json", "--text", text, "--target", "Russia"]);
    assert_eq!(vec![json], cli);
    let e = model.classify(text, None, false).err().unwrap();
    assert!(e.to_string().contains("needs a target"), "{e}");
}
