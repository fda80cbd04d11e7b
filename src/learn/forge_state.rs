//! Reading what became of a pull request from its forge: GitHub's API, or, for the local forge
//! (a bare git remote on disk), the remote itself: merged when the PR's head commit is reachable
//! from the remote's default branch, closed when its branch is gone unmerged.

use std::path::Path;

use git2::Repository;

use super::outcome::PrState;

/// The state of a local-forge PR whose branch `branch` had `head_commit`, in the bare remote
/// at `remote`; None when the remote cannot tell (no such repository, no head commit).
pub fn local_state(remote: &Path, branch: &str, head_commit: Option<&str>) -> Option<PrState> {
    let repository = Repository::open_bare(remote).ok()?;
    let head = git2::Oid::from_str(head_commit?).ok()?;
    let default_tip = repository.head().ok()?.peel_to_commit().ok()?.id();
    let merged = default_tip == head
        || repository
            .graph_descendant_of(default_tip, head)
            .unwrap_or(false);
    if merged {
        return Some(PrState::Merged);
    }
    let branch_exists = repository
        .find_reference(&format!("refs/heads/{branch}"))
        .is_ok();
    Some(if branch_exists {
        PrState::Open
    } else {
        PrState::Closed
    })
}

/// The state of GitHub PR `number` of `owner/name`.
pub async fn github_state(
    client: &octocrab::Octocrab,
    owner: &str,
    name: &str,
    number: u64,
) -> Result<PrState, String> {
    let pr = client
        .pulls(owner, name)
        .get(number)
        .await
        .map_err(|e| format!("read pull request #{number} of {owner}/{name}: {e}"))?;
    let merged = pr.merged_at.is_some() || pr.merged.unwrap_or(false);
    let closed = matches!(pr.state, Some(octocrab::models::IssueState::Closed));
    Ok(if merged {
        PrState::Merged
    } else if closed {
        PrState::Closed
    } else {
        PrState::Open
    })
}
