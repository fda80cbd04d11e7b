//! readability judged by a model: the added lines of the change (delimited as untrusted data)
//! and the deterministic signals go to `prompts/readability-judge.md`; the reply is a score
//! 0-100 with an explanation. Marked `measured` (a reviewer's judgement of this very change,
//! not an estimate from proxies); when the model fails, the deterministic estimate stands, and
//! its evidence says why.

use std::path::Path;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

use crate::analysis::Language;
use crate::artifacts::{Component, Method, Usage};
use crate::llm::{prompts, LlmClient, LlmError};

use super::readability::{readability, signals};
use super::score::component;
use crate::repo::change::ChangedFile;

/// Characters of added lines sent to the model at most.
const BUDGET_CHARS: usize = 24_000;

/// The model's verdict.
#[derive(Debug, Clone, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReadabilityVerdict {
    /// 0-100, by the rubric.
    #[schemars(range(min = 0, max = 100))]
    pub score: u8,
    /// Two or three sentences: what most helps or hurts readability.
    pub explanation: String,
}

/// The model's judgement, or the deterministic estimate when the model is offline or fails.
pub async fn judged_readability(client: &LlmClient, files: &[ChangedFile]) -> (Component, Usage) {
    let fallback = readability(files);
    if client.is_offline() {
        return (fallback, Usage::default());
    }
    match ask(client, files).await {
        Ok(None) => (fallback, Usage::default()),
        Ok(Some((verdict, usage))) => (
            component(
                f64::from(verdict.score.min(100)),
                Method::Measured,
                format!(
                    "judged by {}: {}",
                    client.label(),
                    verdict.explanation.trim()
                ),
            ),
            usage,
        ),
        Err(error) => {
            tracing::warn!("the readability judge failed: {error}");
            let mut fallback = fallback;
            fallback.evidence =
                format!("the model could not judge ({error}); {}", fallback.evidence);
            (fallback, Usage::default())
        }
    }
}

/// None when there is no code for the model to read.
async fn ask(
    client: &LlmClient,
    files: &[ChangedFile],
) -> Result<Option<(ReadabilityVerdict, Usage)>, LlmError> {
    let Some(signals) = signals(files) else {
        return Ok(None);
    };
    let mut budget = BUDGET_CHARS;
    let mut truncated = false;
    let mut shown = Vec::new();
    for file in files {
        let Some(language) = Language::of_path(Path::new(&file.path)) else {
            continue;
        };
        let mut added = String::new();
        for (number, text) in file.added_lines.iter().zip(file.added_text()) {
            let line = format!("{number:>5}: {text}\n");
            if line.len() > budget {
                truncated = true;
                break;
            }
            budget -= line.len();
            added.push_str(&line);
        }
        if !added.is_empty() {
            shown.push(json!({"path": file.path, "language": language.name(), "added": added}));
        }
    }
    if shown.is_empty() {
        return Ok(None);
    }
    let show = |v: Option<f64>| v.map_or("n/a".to_owned(), |v| format!("{v:.2}"));
    let prompt = prompts::render(
        "readability-judge",
        &json!({
            "files": shown,
            "truncated": truncated,
            "signals": {
                "function_length": show(signals.function_length),
                "nesting": show(signals.nesting),
                "identifiers": show(signals.identifiers),
                "comments": show(signals.comments),
            },
        }),
    )?;
    client
        .structured::<ReadabilityVerdict>(&prompt)
        .await
        .map(Some)
}
