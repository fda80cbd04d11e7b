//! What the MCP server reads from the store, as JSON text: the repositories, one repository's
//! learnings (with what each changes and the evidence it cites), its latest runs and its pull
//! requests with their outcomes, and learnings ranked for a search text. Every text goes through
//! the redactor before it leaves.

use serde::Serialize;
use serde_json::{json, Value};

use super::uri::{Part, ResourceUri};
use crate::artifacts::{Effect, Evidence};
use crate::secrets::Redactor;
use crate::store::{LearningRow, RunQuery, Store, StoreError};

/// Runs one `runs` resource holds, newest first.
pub const RUNS_SHOWN: u32 = 50;
/// Learnings a search returns at most.
pub const MAX_SEARCH: u32 = 50;

/// Why a read gave nothing.
#[derive(Debug, thiserror::Error)]
pub enum MemoryError {
    /// The request names nothing the server has (a bad address, an unknown repository).
    #[error("{0}")]
    NotFound(String),
    /// The request itself is malformed (an empty search text).
    #[error("{0}")]
    Invalid(String),
    #[error("read the store")]
    Store(#[from] StoreError),
}

/// The store and the repositories the server shows (all of them when `only` is None).
#[derive(Debug, Clone)]
pub struct Memory<'a> {
    pub store: &'a dyn Store,
    pub only: Option<&'a str>,
    pub redactor: &'a Redactor,
}

/// One resource the server lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub uri: String,
    pub name: String,
    pub description: String,
}

impl Memory<'_> {
    /// The repositories shown.
    pub async fn repositories(&self) -> Result<Vec<String>, MemoryError> {
        let mut all = self.store.repositories().await?;
        if let Some(only) = self.only {
            all.retain(|r| r == only);
        }
        Ok(all)
    }

    /// Every resource: the repository list, then three per repository.
    pub async fn list(&self) -> Result<Vec<Listed>, MemoryError> {
        let mut listed = vec![Listed {
            uri: ResourceUri::Repositories.to_uri(),
            name: "repositories".to_owned(),
            description: "The repositories AutoMaintainer has worked on".to_owned(),
        }];
        for repository in self.repositories().await? {
            for part in Part::ALL {
                let description = match part {
                    Part::Learnings => "What earlier pull requests taught: each learning's effect (avoid a rule, tool, path or task kind; an instruction) and its evidence",
                    Part::Runs => "The latest runs: task, status, score, pull request",
                    Part::PullRequests => "The pull requests opened and their outcomes (open, merged, closed unmerged)",
                };
                listed.push(Listed {
                    uri: ResourceUri::Repository {
                        repository: repository.clone(),
                        part,
                    }
                    .to_uri(),
                    name: format!("{repository} {}", part.as_str()),
                    description: description.to_owned(),
                });
            }
        }
        Ok(listed)
    }

    /// The JSON text of the resource at `uri`.
    pub async fn read(&self, uri: &str) -> Result<String, MemoryError> {
        let resource = ResourceUri::parse(uri).map_err(MemoryError::NotFound)?;
        let value = match resource {
            ResourceUri::Repositories => json!(self.repositories().await?),
            ResourceUri::Repository { repository, part } => {
                if !self.repositories().await?.contains(&repository) {
                    return Err(MemoryError::NotFound(format!(
                        "unknown repository `{repository}`: the store has no run of it"
                    )));
                }
                match part {
                    Part::Learnings => {
                        let rows = self.store.learnings(&repository).await?;
                        json!(rows.iter().map(learning_json).collect::<Vec<_>>())
                    }
                    Part::Runs => {
                        let query = RunQuery {
                            repository: Some(repository),
                            page: 1,
                            per_page: RUNS_SHOWN,
                            ..RunQuery::default()
                        };
                        to_value(&self.store.run_overview(&query).await?.0)
                    }
                    Part::PullRequests => to_value(&self.store.pull_requests(&repository).await?),
                }
            }
        };
        Ok(self.text(&value))
    }

    /// The learnings most relevant to `query` (full-text relevance x weight x recency), in one
    /// repository or across those shown.
    pub async fn search(
        &self,
        query: &str,
        repository: Option<&str>,
        limit: u32,
    ) -> Result<String, MemoryError> {
        if query.trim().is_empty() {
            return Err(MemoryError::Invalid(
                "query: expected words to search the learnings for".to_owned(),
            ));
        }
        let limit = limit.clamp(1, MAX_SEARCH);
        let shown = self.repositories().await?;
        let repositories: Vec<String> = match repository {
            Some(wanted) if shown.iter().any(|r| r == wanted) => vec![wanted.to_owned()],
            Some(wanted) => {
                return Err(MemoryError::NotFound(format!(
                    "unknown repository `{wanted}`: the store has no run of it"
                )))
            }
            None => shown,
        };
        let mut found = Vec::new();
        for repository in repositories {
            for learning in self
                .store
                .relevant_learnings(&repository, query, limit)
                .await?
            {
                found.push((repository.clone(), learning));
            }
        }
        found.sort_by(|a, b| b.1.score.total_cmp(&a.1.score));
        found.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let value: Vec<Value> = found
            .iter()
            .map(|(repository, l)| {
                json!({
                    "repository": repository,
                    "id": l.id,
                    "kind": l.kind,
                    "content": l.content,
                    "weight": l.weight,
                    "score": l.score,
                    "effect": l.effect.as_ref().map(effect_json),
                    "evidence": l.evidence.iter().map(Evidence::cite).collect::<Vec<_>>(),
                })
            })
            .collect();
        Ok(self.text(&json!(value)))
    }

    fn text(&self, value: &Value) -> String {
        let value = self.redactor.redact_json(value);
        serde_json::to_string_pretty(&value).unwrap_or_default()
    }
}

fn to_value<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn effect_json(effect: &Effect) -> Value {
    json!({
        "action": effect.action.as_str(),
        "target": effect.target,
        "says": effect.describe(),
    })
}

fn learning_json(row: &LearningRow) -> Value {
    json!({
        "id": row.id,
        "kind": row.kind,
        "content": row.content,
        "source": row.source,
        "weight": row.weight,
        "uses": row.uses,
        "effect": row.effect().as_ref().map(effect_json),
        "evidence": row.evidence.0.iter().map(Evidence::cite).collect::<Vec<_>>(),
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "last_used_at": row.last_used_at,
    })
}
