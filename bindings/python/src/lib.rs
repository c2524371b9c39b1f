//! The native half of the `stancekit` Python package: thin handles on
//! `stancekit::api`, the only part of the library this file calls, so a
//! rename inside the library is a fix there. Records cross into Python as
//! the CLI's JSON text (the Python half parses it), so a Python record and
//! a CLI record cannot differ. Every call that does work releases the GIL;
//! every library error becomes a `StanceKitError` with the library's
//! message, never a panic.

use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use stancekit::api::{self, ArticleInput, Rows, Solver, Task, TrainOptions};
use std::path::PathBuf;
use std::sync::Arc;

create_exception!(
    _stancekit,
    StanceKitError,
    PyValueError,
    "An error stancekit reports about its input: the CLI's message, naming the file (and line) where there is one."
);

fn err(e: stancekit::Error) -> PyErr {
    StanceKitError::new_err(e.to_string())
}

fn task(name: &str) -> PyResult<Task> {
    match name {
        "stance" => Ok(Task::Stance),
        "sentiment" => Ok(Task::Sentiment),
        other => Err(StanceKitError::new_err(format!(
            "task must be \"stance\" or \"sentiment\", got {other:?}"
        ))),
    }
}

fn task_name(t: Task) -> &'static str {
    match t {
        Task::Stance => "stance",
        Task::Sentiment => "sentiment",
    }
}

/// Labelled rows: a file path, or JSON Lines text the Python half made
/// from dicts (named `origin` in messages).
fn rows(path: Option<PathBuf>, jsonl: Option<String>, origin: String) -> PyResult<Rows> {
    match (path, jsonl) {
        (Some(p), None) => Ok(Rows::File(p)),
        (None, Some(text)) => Ok(Rows::Jsonl { text, origin }),
        _ => Err(StanceKitError::new_err(
            "rows: give either a path or JSON Lines text",
        )),
    }
}

/// A loaded or trained model.
#[pyclass(frozen, module = "stancekit._stancekit")]
struct NativeModel {
    inner: Arc<api::Model>,
}

#[pymethods]
impl NativeModel {
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let model = py.allow_threads(|| api::Model::load(&path)).map_err(err)?;
        Ok(NativeModel {
            inner: Arc::new(model),
        })
    }

    #[staticmethod]
    fn embedded(py: Python<'_>, task_name: &str) -> PyResult<Self> {
        let t = task(task_name)?;
        let model = py.allow_threads(|| api::Model::embedded(t)).map_err(err)?;
        Ok(NativeModel {
            inner: Arc::new(model),
        })
    }

    #[getter]
    fn task(&self) -> &'static str {
        task_name(self.inner.task())
    }

    #[getter]
    fn labels(&self) -> Vec<String> {
        self.inner.labels().to_vec()
    }

    #[getter]
    fn n_features(&self) -> usize {
        self.inner.n_features()
    }

    #[getter]
    fn origin(&self) -> String {
        self.inner.origin().to_string()
    }

    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.inner.warnings().to_vec()
    }

    fn meta_json(&self) -> String {
        self.inner.meta_json()
    }

    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let model = Arc::clone(&self.inner);
        py.allow_threads(move || model.save(&path)).map_err(err)
    }

    /// The classify JSON object and whether the target was found.
    #[pyo3(signature = (text, target, explain))]
    fn classify(
        &self,
        py: Python<'_>,
        text: String,
        target: Option<String>,
        explain: bool,
    ) -> PyResult<(String, bool)> {
        let model = Arc::clone(&self.inner);
        py.allow_threads(move || model.classify(&text, target.as_deref(), explain))
            .map_err(err)
    }

    #[pyo3(signature = (path, jsonl, origin))]
    fn classify_rows(
        &self,
        py: Python<'_>,
        path: Option<PathBuf>,
        jsonl: Option<String>,
        origin: String,
    ) -> PyResult<String> {
        let rows = rows(path, jsonl, origin)?;
        let model = Arc::clone(&self.inner);
        py.allow_threads(move || model.classify_rows(&rows))
            .map_err(err)
    }

    #[pyo3(signature = (path, jsonl, origin))]
    fn evaluate(
        &self,
        py: Python<'_>,
        path: Option<PathBuf>,
        jsonl: Option<String>,
        origin: String,
    ) -> PyResult<String> {
        let rows = rows(path, jsonl, origin)?;
        let model = Arc::clone(&self.inner);
        py.allow_threads(move || model.evaluate(&rows)).map_err(err)
    }
}

/// Models and a party dictionary for predict and extract.
#[pyclass(frozen, module = "stancekit._stancekit")]
struct NativePipeline {
    inner: Arc<api::Pipeline>,
}

#[pymethods]
impl NativePipeline {
    #[new]
    #[pyo3(signature = (model, sentiment_model, parties))]
    fn new(
        py: Python<'_>,
        model: Option<PyRef<'_, NativeModel>>,
        sentiment_model: Option<PyRef<'_, NativeModel>>,
        parties: Option<PathBuf>,
    ) -> PyResult<Self> {
        let stance = model.map(|m| Arc::clone(&m.inner));
        let sentiment = sentiment_model.map(|m| Arc::clone(&m.inner));
        let pipeline = py
            .allow_threads(move || api::Pipeline::new(stance, sentiment, parties.as_deref()))
            .map_err(err)?;
        Ok(NativePipeline {
            inner: Arc::new(pipeline),
        })
    }

    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.inner.warnings().to_vec()
    }

    fn predict(
        &self,
        py: Python<'_>,
        id: String,
        text: String,
        date: Option<String>,
        min_prob: f64,
    ) -> PyResult<String> {
        let pipeline = Arc::clone(&self.inner);
        let input = ArticleInput { id, text, date };
        py.allow_threads(move || pipeline.predict_json(&input, min_prob))
            .map_err(err)
    }

    fn extract(&self, py: Python<'_>, id: String, text: String, date: Option<String>) -> String {
        let pipeline = Arc::clone(&self.inner);
        let input = ArticleInput { id, text, date };
        py.allow_threads(move || pipeline.extract_json(&input))
    }

    /// Records for (id, text, date) triples, in order, on `threads` threads.
    fn predict_many(
        &self,
        py: Python<'_>,
        items: Vec<(String, String, Option<String>)>,
        min_prob: f64,
        threads: usize,
    ) -> PyResult<Vec<String>> {
        let pipeline = Arc::clone(&self.inner);
        let inputs: Vec<ArticleInput> = items
            .into_iter()
            .map(|(id, text, date)| ArticleInput { id, text, date })
            .collect();
        py.allow_threads(move || pipeline.predict_json_many(&inputs, min_prob, threads))
            .map_err(err)
    }
}

/// Trains a model; the keyword names are `stancekit train`'s flags.
#[pyfunction]
#[pyo3(signature = (
    path, jsonl, origin, dev_path, dev_jsonl, dev_origin, *, task_name, alpha, alpha_grid,
    class_weight, solver, max_iter, tol, ngram_max, min_df, max_features, stem, negation,
    context_window, target_identity, sentence_scope, lexicon, clause_scope, threads
))]
#[allow(clippy::too_many_arguments)]
fn train(
    py: Python<'_>,
    path: Option<PathBuf>,
    jsonl: Option<String>,
    origin: String,
    dev_path: Option<PathBuf>,
    dev_jsonl: Option<String>,
    dev_origin: String,
    task_name: &str,
    alpha: Option<f64>,
    alpha_grid: Vec<f64>,
    class_weight: &str,
    solver: &str,
    max_iter: usize,
    tol: f64,
    ngram_max: usize,
    min_df: usize,
    max_features: Option<usize>,
    stem: bool,
    negation: bool,
    context_window: usize,
    target_identity: bool,
    sentence_scope: bool,
    lexicon: bool,
    clause_scope: bool,
    threads: Option<usize>,
) -> PyResult<NativeModel> {
    let rows = rows(path, jsonl, origin)?;
    let dev = match (dev_path, dev_jsonl) {
        (None, None) => None,
        (p, j) => Some(self::rows(p, j, dev_origin)?),
    };
    let class_weight_balanced = match class_weight {
        "balanced" => true,
        "none" => false,
        other => {
            return Err(StanceKitError::new_err(format!(
                "class_weight must be \"balanced\" or \"none\", got {other:?}"
            )))
        }
    };
    let solver = match solver {
        "sparse" => Solver::Sparse,
        "linfa" => Solver::Linfa,
        other => {
            return Err(StanceKitError::new_err(format!(
                "solver must be \"sparse\" or \"linfa\", got {other:?}"
            )))
        }
    };
    let options = TrainOptions {
        task: task(task_name)?,
        alpha,
        alpha_grid,
        class_weight_balanced,
        solver,
        max_iter,
        tol,
        ngram_max,
        min_df,
        max_features,
        stem,
        negation,
        context_window,
        target_identity,
        sentence_scope,
        lexicon,
        clause_scope,
        threads,
    };
    let model = py
        .allow_threads(move || api::train(&rows, dev.as_ref(), &options))
        .map_err(err)?;
    Ok(NativeModel {
        inner: Arc::new(model),
    })
}

#[pymodule]
fn _stancekit(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("StanceKitError", m.py().get_type::<StanceKitError>())?;
    m.add("DEFAULT_MIN_PROB", api::DEFAULT_MIN_PROB)?;
    m.add_class::<NativeModel>()?;
    m.add_class::<NativePipeline>()?;
    m.add_function(wrap_pyfunction!(train, m)?)?;
    Ok(())
}
