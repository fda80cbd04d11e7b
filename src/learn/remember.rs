//! Putting candidate learnings into the store without duplicates: a candidate close to a stored
//! learning of the same kind (see [`similarity`](super::similarity)) raises that learning's
//! weight by the candidate's; anything else becomes a new row.

use chrono::Utc;

use crate::store::{LearningRow, NewLearning, Store, StoreError};

use super::extract::Candidate;
use super::similarity::similarity;

/// What remembering a batch of candidates did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Remembered {
    pub added: Vec<i64>,
    pub reinforced: Vec<i64>,
}

/// The stored learning of the candidate's kind most similar to it, at or above `threshold`:
/// (its id, the similarity).
pub fn closest(known: &[LearningRow], candidate: &Candidate, threshold: f64) -> Option<(i64, f64)> {
    known
        .iter()
        .filter(|row| row.kind == candidate.kind)
        .map(|row| (row.id, similarity(&row.content, &candidate.content)))
        .filter(|(_, similarity)| *similarity >= threshold)
        .max_by(|a, b| a.1.total_cmp(&b.1))
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
            store.adjust_learning_weight(id, candidate.weight).await?;
            result.reinforced.push(id);
            continue;
        }
        let learning = NewLearning {
            repository: repository.to_owned(),
            kind: candidate.kind.clone(),
            content: candidate.content.clone(),
            source: candidate.source.clone(),
            run_id: run_id.map(str::to_owned),
            weight: candidate.weight,
        };
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
        });
    }
    Ok(result)
}
