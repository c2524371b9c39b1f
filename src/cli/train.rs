//! `stancekit train`: labelled examples in, one model file out.

use super::util::{check_labels, load_for_task, sha256_files, DataArgs, TrainArgs};
use anyhow::Result;
use stancekit::model::{
    dev_metrics, train_with_aux, train_with_aux_owned, Auxiliary, AuxiliaryMeta, StanceModel,
};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Train a stance (or sentiment) model from labelled JSON Lines or CSV.
///
/// Example: stancekit train --data labeled/train.jsonl --dev labeled/dev.jsonl --out models/stance.json
#[derive(clap::Args)]
pub struct Args {
    /// Labelled training data (JSON Lines or CSV); repeat to concatenate files.
    #[arg(long, required = true, value_name = "FILE")]
    data: Vec<PathBuf>,
    /// Labelled development data: reported in the model file and, when
    /// --alpha is not given, used to choose alpha from --alpha-grid (instead
    /// of the default 1.0).
    #[arg(long, value_name = "FILE")]
    dev: Option<PathBuf>,
    /// Where to write the model (written atomically).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Alpha values tried on --dev when --alpha is not given.
    #[arg(long, value_delimiter = ',', default_value = "0.25,0.5,1,2,4")]
    alpha_grid: Vec<f64>,
    /// Auxiliary labelled data from another domain (same labels), e.g.
    /// news sentences labelled for sentiment toward a target; repeat to
    /// concatenate. Weighted by --aux-weight and, unless --aux-plain, given
    /// their own copy of every feature besides the shared one (the copies
    /// are dropped from the model).
    #[arg(long, value_name = "FILE")]
    aux: Vec<PathBuf>,
    /// Weight of an auxiliary example relative to a main one.
    #[arg(long, default_value_t = 0.3, value_name = "W")]
    aux_weight: f64,
    /// Auxiliary examples as plain extra rows, without their own feature copies.
    #[arg(long)]
    aux_plain: bool,
    /// Store the training wall time in the model file (makes the file differ
    /// between otherwise identical runs).
    #[arg(long)]
    record_timing: bool,
    #[command(flatten)]
    data_args: DataArgs,
    #[command(flatten)]
    train_args: TrainArgs,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let started = Instant::now();
    let mut cfg = args.train_args.config()?;
    let opts = stancekit::data::LoadOptions {
        keep_extra: false,
        ..args.data_args.options(cfg.task, true)?
    };
    let mut examples = Vec::new();
    for path in &args.data {
        examples.extend(load_for_task(path, &opts, cfg.task)?);
    }
    let mut aux_examples = Vec::new();
    for path in &args.aux {
        aux_examples.extend(load_for_task(path, &opts, cfg.task)?);
    }
    let aux = (!args.aux.is_empty()).then(|| Auxiliary {
        examples: &aux_examples,
        weight: args.aux_weight,
        augment: !args.aux_plain,
    });
    let sha = sha256_files(&args.data)?;
    let files: Vec<String> = args.data.iter().map(|p| p.display().to_string()).collect();
    let dev = match &args.dev {
        Some(p) => Some((p, load_for_task(p, &opts, cfg.task)?)),
        None => None,
    };
    if aux_examples.is_empty() {
        eprintln!("training on {} examples", examples.len());
    } else {
        eprintln!(
            "training on {} examples and {} auxiliary ones (weight {}{})",
            examples.len(),
            aux_examples.len(),
            args.aux_weight,
            if args.aux_plain {
                ", plain rows"
            } else {
                ", own feature copies"
            }
        );
    }
    let mut search = Vec::new();
    if let (Some((dev_path, dev_examples)), None) = (&dev, args.train_args.alpha) {
        // Model selection: the alpha with the best dev macro-F1 (first wins ties).
        let mut best: Option<(f64, f64)> = None;
        for &alpha in &args.alpha_grid {
            let trial_cfg = cfg.with_alpha(alpha)?;
            let trained = train_with_aux(&examples, aux.as_ref(), &trial_cfg, &sha, &files)?;
            let dev_examples = check_labels(
                dev_examples,
                &trained.model,
                dev_path,
                args.data_args.skip_invalid,
            )?;
            let m = dev_metrics(
                &trained.model,
                &dev_examples,
                &dev_path.display().to_string(),
            );
            eprintln!("  alpha {alpha}: dev macro-F1 {:.4}", m.macro_f1);
            search.push((alpha, m.macro_f1));
            if best.is_none_or(|(_, f)| m.macro_f1 > f) {
                best = Some((alpha, m.macro_f1));
            }
        }
        if let Some((alpha, _)) = best {
            cfg = cfg.with_alpha(alpha)?;
            eprintln!("chose alpha {alpha}");
        }
    }
    // The last training owns the examples: they are freed once featurised.
    let trained = train_with_aux_owned(examples, aux.as_ref(), &cfg, &sha, &files)?;
    eprintln!(
        "featurised in {:.3}s, optimised in {:.3}s",
        trained.featurize_seconds, trained.solve_seconds
    );
    // Where the solver's time went, for benchmarking (benches/RESULTS.md).
    if let (Some(s), Some(_)) = (&trained.solver_stats, std::env::var_os("STANCEKIT_TRACE")) {
        let t = s.timings;
        eprintln!(
            "solver: {:.3}s in loss/gradient, {:.3}s forming directions, {:.3}s updating the memory, {:.3}s setting up",
            t.loss_and_gradient, t.directions, t.memory_updates, t.setup
        );
        eprintln!(
            "solver: {} iterations, {} evaluations, nnz {}",
            s.iterations, s.evaluations, s.nnz
        );
    }
    let mut model: StanceModel = trained.model;
    model.meta.alpha_search = search;
    if let Some(a) = &aux {
        model.meta.auxiliary = Some(AuxiliaryMeta {
            examples: a.examples.len(),
            data_sha256: sha256_files(&args.aux)?,
            data_files: args.aux.iter().map(|p| p.display().to_string()).collect(),
            weight: a.weight,
            augment: a.augment,
        });
    }
    if let Some((dev_path, dev_examples)) = &dev {
        let dev_examples =
            check_labels(dev_examples, &model, dev_path, args.data_args.skip_invalid)?;
        let m = dev_metrics(&model, &dev_examples, &dev_path.display().to_string());
        eprintln!(
            "dev: n={} accuracy {:.4} macro-F1 {:.4}",
            m.n, m.accuracy, m.macro_f1
        );
        model.meta.dev = Some(m);
    }
    if args.record_timing {
        model.meta.seconds = Some(started.elapsed().as_secs_f64());
    }
    model.save(&args.out)?;
    let iters = model
        .meta
        .iterations
        .map_or("n/a".to_string(), |i| i.to_string());
    eprintln!(
        "wrote {} ({} features, {} labels, {} iterations, converged: {}) in {:.2}s",
        args.out.display(),
        model.n_features(),
        model.labels.len(),
        iters,
        model
            .meta
            .converged
            .map_or("n/a".to_string(), |c| c.to_string()),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
