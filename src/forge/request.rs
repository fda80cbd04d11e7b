//! What am-open-pr asks a forge for, and what the forge did, whichever forge it is.

use crate::artifacts::PrAction;

/// One pull request for one task's branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrRequest {
    pub branch: String,
    pub base_branch: String,
    pub head_commit: Option<String>,
    pub title: String,
    pub body: String,
    pub labels: Vec<String>,
    pub draft: bool,
    /// Reopen a PR of this branch that was closed unmerged (otherwise it is left closed).
    pub reopen_closed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrOutcome {
    pub action: PrAction,
    pub number: Option<u64>,
    pub url: Option<String>,
}

/// A pull request that already exists for the branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingPr {
    pub number: u64,
    pub open: bool,
    pub merged: bool,
    pub url: Option<String>,
}

/// What to do about the PRs a branch already has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    Create,
    Update(ExistingPr),
    Reopen(ExistingPr),
    SkipClosed(ExistingPr),
}

/// An open PR is updated, never duplicated. Otherwise the newest one decides: closed unmerged is
/// left alone unless reopening is configured; merged (or none) means a new PR.
pub fn plan(existing: &[ExistingPr], reopen_closed: bool) -> Plan {
    if let Some(open) = existing.iter().find(|pr| pr.open) {
        return Plan::Update(open.clone());
    }
    match existing.iter().max_by_key(|pr| pr.number) {
        Some(pr) if !pr.merged && reopen_closed => Plan::Reopen(pr.clone()),
        Some(pr) if !pr.merged => Plan::SkipClosed(pr.clone()),
        _ => Plan::Create,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pr(number: u64, open: bool, merged: bool) -> ExistingPr {
        ExistingPr {
            number,
            open,
            merged,
            url: None,
        }
    }

    #[test]
    fn open_is_updated_closed_is_left_merged_starts_anew() {
        assert_eq!(plan(&[], false), Plan::Create);
        assert_eq!(
            plan(&[pr(3, false, false), pr(4, true, false)], false),
            Plan::Update(pr(4, true, false))
        );
        assert_eq!(
            plan(&[pr(3, false, false)], false),
            Plan::SkipClosed(pr(3, false, false))
        );
        assert_eq!(
            plan(&[pr(3, false, false)], true),
            Plan::Reopen(pr(3, false, false))
        );
        assert_eq!(
            plan(&[pr(3, false, false), pr(5, false, true)], false),
            Plan::Create
        );
    }
}
