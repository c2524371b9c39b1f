//! stancekit: who said what about whom in news articles, and with which stance.
//!
//! The pipeline, one module per stage, data flowing one way:
//! `article` (date, title, paragraphs, noise removed) → `quotes` (spans, kind,
//! speaker) → `parties` (alias dictionary, mentions, speaker affiliation) →
//! `features` (tokens, stems, negation, target-aware n-grams, TF-IDF) →
//! `model` (train, predict, save/load) → `report` (metrics, Markdown/JSON/SVG).

pub mod api;
pub mod article;
pub mod error;
pub mod parties;
pub mod quotes;
mod speakers;
pub mod text;

pub use error::{Error, Result};
pub mod data;
pub mod defaults;
pub mod dyads;
pub mod features;
mod json;
pub mod label;
pub mod lexicon;
pub mod lint;
pub mod model;
pub mod predict;
pub mod report;
