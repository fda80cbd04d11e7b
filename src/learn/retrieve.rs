//! The learnings a run reads: the most relevant to it (full-text relevance x weight x recency),
//! and, whatever their relevance, every active learning that steers the choice of task (a rule,
//! tool, path or kind to avoid or prefer), so the selection can honour all of them.

use crate::artifacts::{EffectAction, Learning};
use crate::store::{Store, StoreError};

/// Most steering learnings added beyond the relevant ones.
const MAX_STEERING: usize = 50;

pub async fn for_run(
    store: &dyn Store,
    repository: &str,
    query: &str,
    limit: u32,
) -> Result<Vec<Learning>, StoreError> {
    let mut learnings = store.relevant_learnings(repository, query, limit).await?;
    let steering: Vec<Learning> = store
        .learnings(repository)
        .await?
        .iter()
        .filter(|row| {
            row.effect()
                .is_some_and(|effect| effect.action != EffectAction::Instruct)
        })
        .filter(|row| !learnings.iter().any(|l| l.id == row.id))
        .take(MAX_STEERING)
        .map(Learning::from)
        .collect();
    learnings.extend(steering);
    Ok(learnings)
}
