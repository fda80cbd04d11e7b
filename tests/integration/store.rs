//! The memory store, one suite run against PostgreSQL and SQLite with identical assertions:
//! every case is declared with `store_tests!`, giving `<case>::postgres` and `<case>::sqlite`.

use automaintainer::store::{
    NewLearning, PullRequestRow, RunFailure, RunQuery, RunStatus, Store, StoreError,
};

use serde_json::json;

use crate::common::bin::Runner;
use crate::common::db::{artifacts, at, register, snapshot, write_artifacts, TestDb};

const REPO: &str = "/srv/git/fixture.git";

fn learning(repository: &str, content: &str, weight: f64) -> NewLearning {
    NewLearning {
        repository: repository.to_owned(),
        kind: "mistake".to_owned(),
        content: content.to_owned(),
        source: "review".to_owned(),
        run_id: None,
        weight,
        effect: None,
        evidence: Vec::new(),
    }
}

mod binaries;
mod counters;
mod identities;
mod latest;
mod learnings;
mod leases;
mod outcomes;
mod pull_requests;
mod repo_locks;
mod rollups;
mod runs;
mod shared_open;
mod spend;
mod upgrades;
