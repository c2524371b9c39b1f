//! Criterion benches for the model stages on fixed inputs from labeled/:
//! featurisation, prediction of a batch, model loading, and training.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use stancekit::data::{load, LoadOptions};
use stancekit::model::{other_mentions, train, StanceModel, Task, TrainConfig};
use std::path::Path;

fn corpus(name: &str) -> Vec<stancekit::data::Example> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("labeled")
        .join(name);
    load(&path, &LoadOptions::default())
        .expect("labelled data loads")
        .examples
}

fn benches(c: &mut Criterion) {
    let train_set = corpus("train.jsonl");
    let test_set = corpus("test.jsonl");
    let model = stancekit::defaults::model(Task::Stance).expect("embedded model");
    let bytes: usize = test_set.iter().map(|e| e.text.len()).sum();
    let others = other_mentions(&test_set);

    let mut g = c.benchmark_group("model");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("featurize test set", |b| {
        b.iter(|| {
            test_set
                .iter()
                .zip(&others)
                .map(|(e, o)| model.featurize(&e.text, e.span, o).len())
                .sum::<usize>()
        })
    });
    let rows: Vec<_> = test_set
        .iter()
        .zip(&others)
        .map(|(e, o)| model.featurize(&e.text, e.span, o))
        .collect();
    g.bench_function("predict featurised test set", |b| {
        b.iter(|| {
            rows.iter()
                .map(|r| model.predict_row(r).label.len())
                .sum::<usize>()
        })
    });
    g.finish();

    let json = model.to_json();
    let mut g = c.benchmark_group("load");
    g.throughput(Throughput::Bytes(json.len() as u64));
    g.bench_function("parse embedded stance model", |b| {
        b.iter(|| {
            StanceModel::from_json(&json, "bench")
                .expect("loads")
                .n_features()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("train");
    g.sample_size(10);
    let cfg = TrainConfig {
        threads: 1,
        ..TrainConfig::default()
    };
    g.bench_function("train stance on labeled/train.jsonl, 1 thread", |b| {
        b.iter(|| {
            train(&train_set, &cfg, "", &[])
                .expect("trains")
                .model
                .n_features()
        })
    });
    g.finish();
}

criterion_group!(model_benches, benches);
criterion_main!(model_benches);
