//! stancekit: who said what about whom in news articles, and with which stance.
//!
//! The pipeline, one module per stage, data flowing one way:
//! `article` (date, title, paragraphs, noise removed) → `quotes` (spans,
//! kind, speaker; sentences split by `sentences`, speakers found by
//! `speakers`) → `targets` (the parties each quote is about, from the
//! `parties` alias dictionary) → `features` (tokens, stems, negation,
//! target-aware n-grams, TF-IDF) → `model` (train, predict, save/load) →
//! `predict` (a quote's sentiment and its stance toward each target, the
//! article's dyads) → `dyads` and `report` (aggregates, Markdown/JSON/SVG)
//! → `html` (one self-contained page to share).
//!
//! Each stage has one record, serialised and read with serde: `extract`
//! writes [`quotes::ArticleQuotes`] of [`quotes::Quote`]s; `predict` writes
//! [`predict::ArticlePrediction`], the same quote and target records with
//! sentiment and stances added, which `dyads` reads back.

pub mod api;
pub mod article;
pub mod error;
pub mod parties;
pub mod quotes;
mod sentences;
mod speakers;
mod targets;
pub mod text;

pub use error::{Error, Result};
pub mod data;
pub mod defaults;
pub mod dyads;
pub mod features;
pub mod html;
mod json;
pub mod label;
pub mod lexicon;
pub mod lint;
pub mod model;
pub mod predict;
pub mod report;
pub mod suggest;
