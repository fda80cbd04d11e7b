//! The repository's linters and formatters surveyed for the context: each tool the project knows
//! is asked whether the repository uses it; the used ones run, and every outcome (ran with N
//! findings, missing, crashed with its first error line, not used and why) is kept, so a "nothing
//! to do" later can say exactly what ran, what was missing and which configuration was found.

use super::tool::{Ctx, Failure, Tool, Use, ALL};
use crate::artifacts::{Finding, ToolState, ToolStatus};

/// Every used tool's findings, and the status of every tool whose language is present.
#[derive(Debug, Clone, Default)]
pub struct Survey {
    pub findings: Vec<Finding>,
    pub tools: Vec<ToolStatus>,
}

/// Surveys the repository at `ctx.root` with every tool.
pub async fn survey(ctx: &Ctx) -> Survey {
    let mut survey = Survey::default();
    for tool in ALL {
        let Some(status) = survey_one(ctx, *tool, &mut survey.findings).await else {
            continue;
        };
        tracing::info!("{}", status.describe());
        survey.tools.push(status);
    }
    survey
}

async fn survey_one(ctx: &Ctx, tool: Tool, findings: &mut Vec<Finding>) -> Option<ToolStatus> {
    let status = |version, config: String, state, detail: String| ToolStatus {
        tool: tool.name().to_owned(),
        version,
        config,
        state,
        detail,
    };
    let config = match tool.detect(ctx).await {
        Use::Absent => return None,
        Use::NotUsed(why) => {
            return Some(status(None, why, ToolState::NotUsed, "not run".to_owned()));
        }
        Use::Used(config) => config,
    };
    let result = tool.findings(ctx).await;
    let version = tool.version(ctx).await;
    Some(match result {
        Ok(found) => {
            let fixable = found.iter().filter(|f| f.fixable).count();
            let detail = format!("{} finding(s), {fixable} fixable", found.len());
            findings.extend(found);
            status(version, config, ToolState::Ran, detail)
        }
        Err(Failure::Missing(what)) => status(version, config, ToolState::Missing, what),
        Err(Failure::Crashed(line)) => status(version, config, ToolState::Crashed, line),
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
