//! The learning loop on real stores (PostgreSQL and SQLite) with am-reflect run as a binary:
//! a review finding becomes a learning, the next run's context retrieves it, a merged PR
//! raises the weight of what its run used (once), a closed one lowers it, and the same finding
//! again reinforces one row instead of adding a second. Earlier PRs' outcomes come from the local
//! forge's bare remote, or from GitHub through a stub server, where a reviewer's request for
//! changes on an open PR is applied once per review.

mod effects;
mod github;
mod local;
mod retrieval;

use std::path::Path;

use automaintainer::artifacts::{
    PrAction, PullRequestFile, ReviewStatus, Selection, Severity, TaskFile, TaskKind, TaskSpec,
    Usage,
};
use automaintainer::store::{NewLearning, NewRun, PullRequestRow, Store};
use chrono::Utc;
use serde_json::json;

use crate::common::artifacts::{finding, review, write};
use crate::common::bin::{Ran, Runner};
use crate::common::db::TestDb;
use crate::common::git::{bare_clone, commit_files, git, init_repo};

/// The repository as the store names it (its identity: host/owner/name).
const REPOSITORY: &str = "example.com/acme/shipping";
const FINDING: &str = "Unwrap on user input in the config parser";

async fn register(store: &dyn Store, run_id: &str) {
    store
        .register_run(&NewRun {
            run_id: run_id.to_owned(),
            repository: REPOSITORY.to_owned(),
            trigger: "local".to_owned(),
            model: "offline".to_owned(),
            started_at: Utc::now(),
        })
        .await
        .unwrap();
}

fn task_file(learnings_used: Vec<i64>) -> TaskFile {
    TaskFile {
        selection: Selection::Selected {
            task: TaskSpec {
                kind: TaskKind::BugFix,
                title: "Parse the config without panicking".to_owned(),
                rationale: "crash on bad input".to_owned(),
                target_files: vec!["src/config.rs".to_owned()],
                acceptance_criteria: vec![],
                issue: None,
                pull_request: None,
                tool: None,
                rules: Vec::new(),
            },
        },
        learnings_used,
        shaped_by: Vec::new(),
        usage: Usage::default(),
        fingerprint: None,
        skipped: Vec::new(),
    }
}

fn pr_file(remote: &Path, branch: &str) -> PullRequestFile {
    PullRequestFile {
        action: PrAction::Created,
        forge: "local".to_owned(),
        repository: remote.to_string_lossy().into_owned(),
        number: None,
        url: None,
        branch: branch.to_owned(),
        base_branch: "main".to_owned(),
        head_commit: None,
        title: format!("Fix config parsing ({branch})"),
        body: String::new(),
        draft: false,
        labels: vec![],
    }
}

/// Records the run's open PR in the store, as am-open-pr does for the local forge.
async fn open_pr(store: &dyn Store, run_id: &str, remote: &Path, branch: &str, head: &str) {
    let now = Utc::now();
    store
        .upsert_pull_request(&PullRequestRow {
            run_id: run_id.to_owned(),
            repository: remote.to_string_lossy().into_owned(),
            forge: "local".to_owned(),
            number: None,
            url: None,
            branch: branch.to_owned(),
            title: format!("Fix config parsing ({branch})"),
            state: "open".to_owned(),
            merged: false,
            head_commit: Some(head.to_owned()),
            created_at: now,
            updated_at: now,
        })
        .await
        .unwrap();
}

/// Writes a run directory with the run's artifacts and runs am-reflect on it.
fn reflect(
    db: &TestDb,
    run_dir: &Path,
    run_id: &str,
    pr: Option<PullRequestFile>,
    used: Vec<i64>,
    findings: bool,
) -> Ran {
    std::fs::create_dir_all(run_dir).unwrap();
    write(&run_dir.join("task.json"), &task_file(used));
    if let Some(pr) = pr {
        write(&run_dir.join("pr.json"), &pr);
    }
    let found = if findings {
        vec![finding(
            Severity::Major,
            true,
            "src/config.rs",
            FINDING,
            "`.unwrap()` panics on a malformed file.",
        )]
    } else {
        vec![]
    };
    write(
        &run_dir.join("review.json"),
        &review(ReviewStatus::Reviewed, found),
    );
    let ran = Runner::new("am-reflect")
        .env("DATABASE_URL", db.url())
        .input_json(&json!({"run_id": run_id, "run_dir": run_dir, "repository": REPOSITORY}))
        .run();
    ran.assert_ok();
    ran
}

async fn weight(store: &dyn Store, id: i64) -> f64 {
    store
        .learnings(REPOSITORY)
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.id == id)
        .map(|l| l.weight)
        .unwrap()
}

/// A work repository with a bare remote and two pushed work branches: (work, remote, heads).
fn forge(root: &Path) -> (std::path::PathBuf, std::path::PathBuf, [String; 2]) {
    let work = init_repo(
        &root.join("work"),
        &[("src/config.rs", "pub fn parse() {}\n")],
    );
    let remote = bare_clone(&work, &root.join("remote.git"));
    git(&work, &["remote", "add", "forge", remote.to_str().unwrap()]);
    let mut heads = Vec::new();
    for (branch, text) in [
        ("automaintainer/run-1", "pub fn parse() -> u8 { 1 }\n"),
        ("automaintainer/run-2", "pub fn parse() -> u8 { 2 }\n"),
    ] {
        git(&work, &["checkout", "-q", "-b", branch, "main"]);
        heads.push(commit_files(&work, &[("src/config.rs", text)], branch));
        git(&work, &["push", "-q", "forge", branch]);
    }
    git(&work, &["checkout", "-q", "main"]);
    (work, remote, [heads[0].clone(), heads[1].clone()])
}

/// A learning of the repository's that run `run_id` used, at weight 1.
async fn used_by(store: &dyn Store, run_id: &str) -> i64 {
    let id = store
        .add_learning(&NewLearning {
            repository: REPOSITORY.to_owned(),
            kind: "preference".to_owned(),
            content: "Maintainers prefer one change per pull request".to_owned(),
            source: "reflection".to_owned(),
            run_id: None,
            weight: 1.0,
            effect: None,
            evidence: Vec::new(),
        })
        .await
        .unwrap();
    store.record_learning_use(run_id, &[id]).await.unwrap();
    id
}

/// am-reflect calls the model the run was given, on the run's budget ledger: `offline` never
/// reaches Anthropic though its key is set, and a run whose ledger is spent calls nothing.
#[tokio::test]
async fn reflection_uses_the_runs_model_and_its_budget_ledger() {
    let server = wiremock::MockServer::start().await;
    crate::common::llm_stub::mount_anthropic(
        &server,
        vec![wiremock::ResponseTemplate::new(500).set_body_string("stub")],
    )
    .await;
    let root = tempfile::tempdir().unwrap();
    let database_url = automaintainer::store::sqlite_url(&root.path().join("am.db"));
    let reflect_with = |run_id: &str, llm: &str, spent_tokens: u64| {
        let run_dir = root.path().join(run_id);
        crate::common::run_dir::mark(&run_dir, run_id);
        write(&run_dir.join("task.json"), &task_file(vec![]));
        write(
            &run_dir.join("review.json"),
            &review(
                ReviewStatus::Reviewed,
                vec![finding(
                    Severity::Major,
                    true,
                    "src/config.rs",
                    FINDING,
                    "why",
                )],
            ),
        );
        if spent_tokens > 0 {
            let spent = Usage {
                input_tokens: spent_tokens,
                calls: 1,
                ..Usage::default()
            };
            write(&run_dir.join("llm-usage.json"), &spent);
        }
        let runner = Runner::new("am-reflect")
            .env("DATABASE_URL", &database_url)
            .env("ANTHROPIC_API_KEY", crate::common::llm_stub::ANTHROPIC_KEY)
            .env("AM_ANTHROPIC_BASE_URL", server.uri())
            .env("AM_LLM_MAX_RETRIES", "0")
            .env("AM_LLM_BUDGET_TOKENS", "1000")
            .input_json(&json!({"run_id": run_id, "run_dir": run_dir,
                                "repository": REPOSITORY, "llm": llm}));
        std::thread::spawn(move || runner.run())
    };
    let requests = || async { server.received_requests().await.unwrap().len() };

    reflect_with("run-offline", "offline", 0)
        .join()
        .unwrap()
        .assert_ok();
    assert_eq!(requests().await, 0, "offline reached Anthropic");

    reflect_with("run-spent", "anthropic:claude-sonnet-4-5", 5_000)
        .join()
        .unwrap()
        .assert_ok();
    assert_eq!(requests().await, 0, "the run's spent budget was ignored");

    reflect_with("run-model", "anthropic:claude-sonnet-4-5", 0)
        .join()
        .unwrap()
        .assert_ok();
    assert_eq!(requests().await, 1, "the run's model is asked");
}
