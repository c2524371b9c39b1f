//! The models shipped in `models/`, embedded in the binary so stancekit works
//! from any directory. Parsed on first use only.

use crate::model::{StanceModel, Task};
use crate::Result;

const STANCE_JSON: &str = include_str!("../models/stance.json");
const SENTIMENT_JSON: &str = include_str!("../models/sentiment.json");

/// The embedded default model for a task.
pub fn model(task: Task) -> Result<StanceModel> {
    match task {
        Task::Stance => StanceModel::from_json(STANCE_JSON, "embedded models/stance.json"),
        Task::Sentiment => StanceModel::from_json(SENTIMENT_JSON, "embedded models/sentiment.json"),
    }
}
