//! Putting candidate learnings into the store without duplicates: a candidate with the same
//! effect as a stored learning (the same rule, tool, path or kind to avoid or prefer), or, for
//! instructions, close to a stored learning of the same kind (see
//! [`similarity`](super::similarity)), raises that learning's weight by the candidate's and adds
//! its evidence; anything else becomes a new row.

use chrono::Utc;

use crate::artifacts::{EffectAction, EvidenceList};
use crate::store::{LearningRow, NewLearning, Store, StoreError};

use super::extract::Candidate;
use super::similarity::similarity;

/// What remembering a batch of candidates did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Remembered {
    pub added: Vec<i64>,
    pub reinforced: Vec<i64>,
}

/// The stored learning the candidate is one with: the same non-instruction effect (similarity
/// 1), else the learning of its kind most similar to it, at or above `threshold`: (its id, the
/// similarity).
pub fn closest(known: &[LearningRow], candidate: &Candidate, threshold: f64) -> Option<(i64, f64)> {
    if let Some(effect) = candidate
        .effect
        .as_ref()
        .filter(|e| e.action != EffectAction::Instruct)
    {
        return known
            .iter()
            .find(|row| row.effect().as_ref() == Some(effect))
            .map(|row| (row.id, 1.0));
    }
    known
        .iter()
        .filter(|row| row.kind == candidate.kind)
        .filter(|row| {
            row.effect()
                .is_none_or(|e| e.action == EffectAction::Instruct)
        })
        .map(|row| (row.id, similarity(&row.content, &candidate.content)))
        .filter(|(_, similarity)| *similarity >= threshold)
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

/// The candidate as a row to add.
pub fn new_learning(repository: &str, run_id: Option<&str>, candidate: &Candidate) -> NewLearning {
    NewLearning {
        repository: repository.to_owned(),
        kind: candidate.kind.clone(),
        content: candidate.content.clone(),
        source: candidate.source.clone(),
        run_id: run_id.map(str::to_owned),
        weight: candidate.weight,
        effect: candidate.effect.clone(),
        evidence: candidate.evidence.clone(),
    }
}

pub async fn remember(
    store: &dyn Store,
    repository: &str,
    run_id: Option<&str>,
    candidates: &[Candidate],
    threshold: f64,
) -> Result<Remembered, StoreError> {
    let mut known = store.learnings(repository).await?;
    let mut result = Remembered::default();
    for candidate in candidates {
        if let Some((id, similarity)) = closest(&known, candidate, threshold) {
            tracing::debug!("learning {id} matches a candidate ({similarity:.2}); reinforcing it");
            store
                .reinforce_learning(id, candidate.weight, &candidate.evidence)
                .await?;
            result.reinforced.push(id);
            continue;
        }
        let learning = new_learning(repository, run_id, candidate);
        let id = store.add_learning(&learning).await?;
        result.added.push(id);
        // Later candidates of the same batch merge into this one too.
        let now = Utc::now();
        known.push(LearningRow {
            id,
            repository: learning.repository,
            kind: learning.kind,
            content: learning.content,
            source: learning.source,
            weight: learning.weight,
            uses: 0,
            created_at: now,
            updated_at: now,
            effect_action: learning
                .effect
                .as_ref()
                .map(|e| e.action.as_str().to_owned()),
            effect_target: learning.effect.as_ref().map(|e| e.target.clone()),
            evidence: EvidenceList(learning.evidence),
            last_used_at: None,
            retired_at: None,
            retired_reason: None,
        });
    }
    Ok(result)
}
