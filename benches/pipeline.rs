//! Criterion benches for every stage of the article pipeline on fixed inputs:
//! the project's test articles (tests/articles/*.txt) repeated into a corpus
//! of about 1 MB, and labeled/*.jsonl for the model stages.
//!
//! Stages: article parsing, quote extraction (parse + extract), party
//! matching (dictionary scan), featurisation of the extracted quotes,
//! prediction of a featurised batch, the whole predict pipeline, model
//! loading (embedded stance model, party dictionary) and training on
//! labeled/train.jsonl. Throughput is bytes of article (or statement) text.
//!
//! Run: cargo bench --bench pipeline

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use stancekit::article::Article;
use stancekit::data::{load, LoadOptions};
use stancekit::model::{other_mentions, train, StanceModel, Task, TrainConfig};
use stancekit::parties::PartyDict;
use stancekit::predict::Predictor;
use stancekit::quotes;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The test articles, in name order.
fn articles() -> Vec<(String, String)> {
    let mut paths: Vec<_> = std::fs::read_dir(root().join("tests/articles"))
        .expect("tests/articles")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let id = p.file_stem().unwrap().to_string_lossy().into_owned();
            (id, std::fs::read_to_string(&p).expect("article reads"))
        })
        .collect()
}

/// The test articles repeated to at least `bytes` of text.
fn corpus(bytes: usize) -> Vec<(String, String)> {
    let base = articles();
    let mut out = Vec::new();
    let mut n = 0;
    while n < bytes {
        for (id, text) in &base {
            n += text.len();
            out.push((format!("{id}#{}", out.len()), text.clone()));
        }
    }
    out
}

fn labelled(name: &str) -> Vec<stancekit::data::Example> {
    load(&root().join("labeled").join(name), &LoadOptions::default())
        .expect("labelled data loads")
        .examples
}

fn benches(c: &mut Criterion) {
    let docs = corpus(1_000_000);
    let bytes: u64 = docs.iter().map(|(_, t)| t.len() as u64).sum();
    let dict = PartyDict::embedded();
    let stance = stancekit::defaults::model(Task::Stance).expect("embedded stance model");
    let sentiment = stancekit::defaults::model(Task::Sentiment).expect("embedded sentiment model");
    let parsed: Vec<Article> = docs
        .iter()
        .map(|(id, t)| Article::parse(id, t.clone()))
        .collect();

    let mut g = c.benchmark_group("articles");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("parse", |b| {
        b.iter(|| {
            docs.iter()
                .map(|(id, t)| Article::parse(id, t.clone()).paragraphs.len())
                .sum::<usize>()
        })
    });
    g.bench_function("parse + extract quotes", |b| {
        b.iter(|| {
            docs.iter()
                .map(|(id, t)| quotes::extract(&Article::parse(id, t.clone()), dict).len())
                .sum::<usize>()
        })
    });
    g.bench_function("party matching (dictionary scan)", |b| {
        b.iter(|| {
            docs.iter()
                .map(|(_, t)| {
                    let (m, p) = dict.scan(t);
                    m.len() + p.len()
                })
                .sum::<usize>()
        })
    });
    let predictor = Predictor {
        stance: &stance,
        sentiment: &sentiment,
        parties: dict,
    };
    g.bench_function("predict end to end (parsed articles)", |b| {
        b.iter(|| {
            parsed
                .iter()
                .map(|a| predictor.predict(a).quotes.len())
                .sum::<usize>()
        })
    });
    g.finish();

    // Featurisation and prediction of the quotes the extractor finds.
    let quote_texts: Vec<String> = parsed
        .iter()
        .take(articles().len())
        .flat_map(|a| quotes::extract(a, dict).into_iter().map(|q| q.text))
        .collect();
    let qbytes: u64 = quote_texts.iter().map(|t| t.len() as u64).sum();
    let mut g = c.benchmark_group("quotes");
    g.throughput(Throughput::Bytes(qbytes));
    g.bench_function("featurize (sentiment model)", |b| {
        b.iter(|| {
            quote_texts
                .iter()
                .map(|t| sentiment.featurize(t, None, &[]).len())
                .sum::<usize>()
        })
    });
    g.finish();

    let test_set = labelled("test.jsonl");
    let tbytes: u64 = test_set.iter().map(|e| e.text.len() as u64).sum();
    let others = other_mentions(&test_set);
    let mut g = c.benchmark_group("statements");
    g.throughput(Throughput::Bytes(tbytes));
    g.bench_function("featurize labeled/test.jsonl (stance)", |b| {
        b.iter(|| {
            test_set
                .iter()
                .zip(&others)
                .map(|(e, o)| stance.featurize(&e.text, e.span, o).len())
                .sum::<usize>()
        })
    });
    let rows: Vec<_> = test_set
        .iter()
        .zip(&others)
        .map(|(e, o)| stance.featurize(&e.text, e.span, o))
        .collect();
    g.bench_function("predict featurised batch", |b| {
        b.iter(|| {
            rows.iter()
                .map(|r| stance.predict_row(r).label.len())
                .sum::<usize>()
        })
    });
    g.finish();

    let json = stance.to_json();
    let mut g = c.benchmark_group("load");
    g.sample_size(20);
    g.throughput(Throughput::Bytes(json.len() as u64));
    g.bench_function("stance model from JSON", |b| {
        b.iter(|| {
            StanceModel::from_json(&json, "bench")
                .expect("loads")
                .n_features()
        })
    });
    // The shipped model as the binary loads it: numbers embedded as binary
    // at build time (build.rs), the rest as JSON. Same throughput unit (the
    // model's JSON bytes), so the two rows compare directly.
    g.bench_function("stance model embedded (default)", |b| {
        b.iter(|| {
            stancekit::defaults::model(stancekit::model::Task::Stance)
                .expect("loads")
                .n_features()
        })
    });
    let toml = std::fs::read_to_string(root().join("models/parties.toml")).expect("parties.toml");
    g.throughput(Throughput::Bytes(toml.len() as u64));
    g.bench_function("party dictionary from TOML", |b| {
        b.iter(|| {
            PartyDict::from_toml_str(&toml, "bench")
                .expect("loads")
                .parties()
                .len()
        })
    });
    g.finish();

    let train_set = labelled("train.jsonl");
    let mut g = c.benchmark_group("train");
    g.sample_size(10);
    for threads in [1, 2] {
        let cfg = TrainConfig {
            threads,
            ..TrainConfig::default()
        }
        .check()
        .expect("valid settings");
        g.bench_function(
            format!("stance on labeled/train.jsonl, {threads} threads"),
            |b| {
                b.iter(|| {
                    train(&train_set, &cfg, "", &[])
                        .expect("trains")
                        .model
                        .n_features()
                })
            },
        );
    }
    g.finish();
}

criterion_group!(pipeline_benches, benches);
criterion_main!(pipeline_benches);
