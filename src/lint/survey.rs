//! The repository's linters and formatters surveyed for the context: each tool the project knows
//! for a language the repository has is asked whether the repository uses it; the used ones run,
//! side by side, and every outcome (ran with N findings, missing, crashed with its first error
//! line, not used and why) is kept, so a "nothing to do" later can say exactly what ran, what was
//! missing and which configuration was found.

use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::presence::Languages;
use super::tool::{Ctx, Failure, Tool, Use, ALL};
use crate::artifacts::{Finding, ToolState, ToolStatus};

/// Tools running at once, at most: each is a process (clippy a build using every core), so a
/// few at a time keep the machine busy without crowding it.
const AT_ONCE: usize = 4;

/// Every used tool's findings, and the status of every tool whose language is present.
#[derive(Debug, Clone, Default)]
pub struct Survey {
    pub findings: Vec<Finding>,
    pub tools: Vec<ToolStatus>,
}

/// Surveys the repository at `ctx.root` with every tool of the languages it has. The tools run
/// side by side (each is its own process); statuses and findings come in the order of
/// [`ALL`] whichever finishes first.
pub async fn survey(ctx: &Ctx) -> Survey {
    let root = ctx.root.clone();
    let languages = tokio::task::spawn_blocking(move || Languages::of(&root))
        .await
        .unwrap_or_default();
    let ctx = Arc::new(ctx.clone());
    let permits = Arc::new(Semaphore::new(AT_ONCE.min(parallelism().max(2))));
    let mut running = JoinSet::new();
    for (index, tool) in ALL.iter().copied().enumerate() {
        if !languages.has(tool.language()) {
            continue;
        }
        let (ctx, permits) = (ctx.clone(), permits.clone());
        running.spawn(async move {
            let _permit = permits.acquire_owned().await;
            (index, survey_one(&ctx, tool).await)
        });
    }
    let mut done = Vec::new();
    while let Some(joined) = running.join_next().await {
        match joined {
            Ok(one) => done.push(one),
            Err(e) => tracing::warn!("a linter's survey failed: {e}"),
        }
    }
    done.sort_by_key(|(index, _)| *index);
    let mut survey = Survey::default();
    for (_, one) in done {
        let Some((status, found)) = one else {
            continue;
        };
        tracing::info!("{}", status.describe());
        survey.findings.extend(found);
        survey.tools.push(status);
    }
    survey
}

fn parallelism() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
}

/// One tool: whether the repository uses it, and if so its findings and version (asked side by
/// side).
async fn survey_one(ctx: &Ctx, tool: Tool) -> Option<(ToolStatus, Vec<Finding>)> {
    let status = |version, config: String, state, detail: String| ToolStatus {
        tool: tool.name().to_owned(),
        version,
        config,
        state,
        detail,
    };
    // rustfmt's detection may check the base already: its findings then come with it.
    let (used, checked) = match tool {
        Tool::Rustfmt => super::rustfmt::detect_with_findings(ctx).await,
        _ => (tool.detect(ctx).await, None),
    };
    let config = match used {
        Use::Absent => return None,
        Use::NotUsed(why) => {
            return Some((
                status(None, why, ToolState::NotUsed, "not run".to_owned()),
                Vec::new(),
            ));
        }
        Use::Used(config) => config,
    };
    let findings = async {
        match checked {
            Some(found) => Ok(found),
            None => tool.findings(ctx).await,
        }
    };
    let (result, version) = tokio::join!(findings, tool.version(ctx));
    Some(match result {
        Ok(found) => {
            let fixable = found.iter().filter(|f| f.fixable).count();
            let detail = format!("{} finding(s), {fixable} fixable", found.len());
            (status(version, config, ToolState::Ran, detail), found)
        }
        Err(Failure::Missing(what)) => (
            status(version, config, ToolState::Missing, what),
            Vec::new(),
        ),
        Err(Failure::Crashed(line)) => (
            status(version, config, ToolState::Crashed, line),
            Vec::new(),
        ),
    })
}

/// The tools of `statuses` that ran, for a sentence: `ruff 0.6.9 (pyproject.toml [tool.ruff])`.
pub fn explain(statuses: &[ToolStatus]) -> String {
    if statuses.is_empty() {
        return "no linter or formatter applies to this repository's languages".to_owned();
    }
    statuses
        .iter()
        .map(ToolStatus::describe)
        .collect::<Vec<_>>()
        .join("; ")
}
