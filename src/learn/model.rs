//! Reflection through the model (`prompts/reflection.md`): the run's review findings,
//! evaluation, outcome and the learnings already held go in (untrusted text fenced as data); a
//! few short learnings come back, which are merged into the store like the rules' candidates.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::artifacts::{Component, Effect, EffectAction, Evidence, Usage};
use crate::llm::{prompts, LlmClient, LlmError};
use crate::store::{LearningRow, PullRequestRow};

use super::extract::{clean_content, Candidate, PrRef};
use super::reflect::RunFacts;

/// Most learnings kept from one reflection.
const MAX_LEARNINGS: usize = 5;

#[derive(Debug, Clone, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReflectionReply {
    /// At most five short, general, reusable learnings.
    pub learnings: Vec<ProposedLearning>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProposedLearning {
    pub kind: LearningKind,
    /// One sentence.
    pub content: String,
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LearningKind {
    /// Something to avoid.
    Mistake,
    /// Something that worked.
    Success,
    /// What the maintainers prefer.
    Preference,
}

impl LearningKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Mistake => "mistake",
            Self::Success => "success",
            Self::Preference => "preference",
        }
    }
}

/// The prompt's data: the run, earlier outcomes and the learnings held.
pub fn prompt_context(
    facts: &RunFacts<'_>,
    pr: Option<(Option<i64>, &str)>,
    task: Option<(&str, &str)>,
    earlier: &[PullRequestRow],
    held: &[LearningRow],
) -> Value {
    let findings: Vec<Value> = facts
        .review
        .map(|review| {
            review
                .findings
                .iter()
                .map(|f| {
                    json!({
                        "severity": format!("{:?}", f.severity).to_lowercase(),
                        "category": format!("{:?}", f.category).to_lowercase(),
                        "path": f.path.clone().unwrap_or_default(),
                        "message": format!("{}: {}", f.title, f.body),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let evaluation = facts.evaluation.map(|e| {
        let component = |name: &str, c: &Component| {
            json!({"name": name, "score": c.score, "method": c.method.as_str(), "note": c.evidence})
        };
        json!({
            "evolution_score": e.evolution_score,
            "components": [
                component("code quality", &e.code_quality),
                component("test coverage", &e.test_coverage),
                component("maintainability", &e.maintainability),
                component("readability", &e.readability),
            ],
        })
    });
    let outcomes: Vec<String> = earlier
        .iter()
        .filter(|pr| pr.run_id != facts.run_id)
        .take(10)
        .map(|pr| {
            format!(
                "\"{}\": {}",
                pr.title,
                if pr.merged { "merged" } else { &pr.state }
            )
        })
        .collect();
    let failed_checks: Vec<&str> = facts
        .implementation
        .map(|i| {
            i.checks
                .iter()
                .filter(|c| !c.passed)
                .map(|c| c.command.as_str())
                .collect()
        })
        .unwrap_or_default();
    json!({
        "pr": pr.map(|(number, title)| json!({"number": number, "title": title})),
        "task": task.map(|(kind, title)| json!({"kind": kind, "title": title})),
        "outcome": if failed_checks.is_empty() {
            Value::Null
        } else {
            json!(format!("checks that failed during implementation: {}", failed_checks.join(", ")))
        },
        "review_findings": findings,
        "evaluation": evaluation,
        "outcomes": outcomes,
        "learnings": held.iter().take(20).map(|l| json!({"kind": l.kind, "weight": l.weight, "content": l.content, "evidence": l.evidence.0.iter().map(Evidence::cite).collect::<Vec<_>>()})).collect::<Vec<_>>(),
    })
}

/// The model's learnings as candidates.
pub async fn model_candidates(
    client: &LlmClient,
    context: &Value,
    pr: &PrRef,
) -> Result<(Vec<Candidate>, Usage), LlmError> {
    let prompt = prompts::render("reflection", context)?;
    let (reply, usage) = client.structured::<ReflectionReply>(&prompt).await?;
    let candidates = reply
        .learnings
        .into_iter()
        .filter_map(|learning| {
            let content = clean_content(&learning.content);
            (!content.is_empty()).then(|| Candidate {
                kind: learning.kind.as_str().to_owned(),
                effect: Some(Effect::new(EffectAction::Instruct, content.clone())),
                evidence: vec![Evidence {
                    outcome: "reflection".to_owned(),
                    source: client.label(),
                    detail: (!pr.title.is_empty()).then(|| pr.title.clone()),
                    ..evidence_of(pr)
                }],
                content,
                source: "reflection".to_owned(),
                weight: 1.0,
            })
        })
        .take(MAX_LEARNINGS)
        .collect();
    Ok((candidates, usage))
}

/// The run's PR as the base of a piece of evidence.
fn evidence_of(pr: &PrRef) -> Evidence {
    Evidence {
        run_id: pr.run_id.clone(),
        outcome: String::new(),
        source: String::new(),
        pr_number: pr.number,
        pr_url: pr.url.clone(),
        rule: None,
        category: None,
        path: None,
        detail: None,
        at: chrono::Utc::now(),
    }
}
