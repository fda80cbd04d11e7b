//! Learnings age: before a run reads them, the repository's learnings are tidied.
//!
//! - Unused ones expire: a learning neither reinforced nor used by a run for
//!   [`DEFAULT_MAX_AGE_DAYS`] (60) days is retired. Until then its weight in retrieval decays
//!   with a half-life of 30 days (see [`ranking`](crate::store::ranking)).
//! - Ones whose evidence no longer holds are retired: a path to avoid that is gone from the
//!   clone; an instruction all of whose cited files are gone; a rule to avoid that its linter,
//!   which still reports other findings, no longer reports (only judged when the context's
//!   findings were not cut to a limit).
//! - Near-duplicates merge: two active learnings with the same effect, or two instructions of the
//!   same kind whose texts are near-duplicates, become the heavier one, which takes the other's
//!   weight and evidence; the other is retired as merged.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::{DateTime, Duration, Utc};

use crate::artifacts::{EffectAction, Finding};
use crate::implement::offline_selection::rule_of;
use crate::store::{LearningRow, Store, StoreError};

use super::similarity::{similarity, DEFAULT_THRESHOLD};

/// Days a learning may go unused before it expires.
pub const DEFAULT_MAX_AGE_DAYS: i64 = 60;

/// What the repository looks like now, to judge evidence by.
#[derive(Debug, Clone, Copy)]
pub struct Present<'a> {
    pub clone: &'a Path,
    pub findings: &'a [Finding],
    /// Whether `findings` holds everything the linters reported (not cut to a limit).
    pub complete: bool,
}

/// What one ageing pass did: (learning id, why it was retired).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Aged {
    pub retired: Vec<(i64, String)>,
}

/// Ages the learnings of `repository` as of `now`.
pub async fn age(
    store: &dyn Store,
    repository: &str,
    present: Option<Present<'_>>,
    now: DateTime<Utc>,
    max_age_days: i64,
) -> Result<Aged, StoreError> {
    let mut aged = Aged::default();
    let mut active = store.learnings(repository).await?;
    for learning in &active {
        if let Some(reason) = why_retired(learning, present.as_ref(), now, max_age_days) {
            if store.retire_learning(learning.id, &reason).await? {
                tracing::info!("learning {} retired: {reason}", learning.id);
                aged.retired.push((learning.id, reason));
            }
        }
    }
    let retired: BTreeSet<i64> = aged.retired.iter().map(|(id, _)| *id).collect();
    active.retain(|l| !retired.contains(&l.id));
    // Heaviest first (as the store lists them): a duplicate merges into the heavier learning.
    let mut merged: BTreeSet<i64> = BTreeSet::new();
    for (index, keeper) in active.iter().enumerate() {
        if merged.contains(&keeper.id) {
            continue;
        }
        for other in &active[index + 1..] {
            if merged.contains(&other.id) || !same(keeper, other) {
                continue;
            }
            store
                .reinforce_learning(keeper.id, other.weight, &other.evidence.0)
                .await?;
            let reason = format!("merged into learning {}", keeper.id);
            if store.retire_learning(other.id, &reason).await? {
                aged.retired.push((other.id, reason));
            }
            merged.insert(other.id);
        }
    }
    Ok(aged)
}

/// Why a learning should be retired now, if it should.
fn why_retired(
    learning: &LearningRow,
    present: Option<&Present<'_>>,
    now: DateTime<Utc>,
    max_age_days: i64,
) -> Option<String> {
    let last_active = learning
        .last_used_at
        .map_or(learning.updated_at, |used| used.max(learning.updated_at));
    if now - last_active > Duration::days(max_age_days) {
        return Some(format!("unused for more than {max_age_days} days"));
    }
    let present = present?;
    let effect = learning.effect()?;
    match effect.action {
        EffectAction::AvoidPath => {
            let path = effect.target.trim_end_matches('/');
            (!path.is_empty() && !present.clone.join(path).exists())
                .then(|| format!("the path it avoids, {path}, is gone"))
        }
        EffectAction::AvoidRule if present.complete => {
            let tool = linter_of(&effect.target);
            let tool_reports = present.findings.iter().any(|f| f.tool == tool);
            let rule_reported = present
                .findings
                .iter()
                .any(|f| rule_of(f).as_deref() == Some(effect.target.as_str()));
            (tool_reports && !rule_reported)
                .then(|| format!("{tool} no longer reports the rule {}", effect.target))
        }
        EffectAction::Instruct => {
            let cited: BTreeSet<&str> = learning
                .evidence
                .0
                .iter()
                .filter_map(|e| e.path.as_deref())
                .collect();
            (!cited.is_empty() && cited.iter().all(|p| !present.clone.join(p).exists()))
                .then(|| "every file its evidence cites is gone".to_owned())
        }
        _ => None,
    }
}

/// The linter that reports a rule, by the rule's shape.
fn linter_of(rule: &str) -> &'static str {
    if rule.starts_with("clippy::") {
        "clippy"
    } else if rule.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
        "ruff"
    } else {
        "eslint"
    }
}

/// Whether two active learnings say the same thing.
fn same(a: &LearningRow, b: &LearningRow) -> bool {
    match (a.effect(), b.effect()) {
        (Some(x), Some(y))
            if x.action != EffectAction::Instruct || y.action != EffectAction::Instruct =>
        {
            x == y
        }
        _ => a.kind == b.kind && similarity(&a.content, &b.content) >= DEFAULT_THRESHOLD,
    }
}
