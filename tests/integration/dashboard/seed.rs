//! A seeded history for the dashboard's tests, written through the `Store` trait as the phases
//! write it: successful runs with PRs (one merged), a failed run, a run with nothing to do, a
//! run still going, untrusted text in titles and review comments, and learnings.

use std::sync::Arc;

use automaintainer::artifacts::{CheckRun, FindingCategory, ReviewFinding, Selection, Severity};
use automaintainer::store::{
    ChangeCommit, NewLearning, RunChange, RunFailure, RunStatus, RunTranscript, Store,
};
use chrono::{DateTime, Duration, Utc};

use crate::common::db::{artifacts, register};

pub const WIDGETS: &str = "acme/widgets";
pub const GADGETS: &str = "acme/gadgets";

/// The run whose PR title and review text carry markup.
pub const HOSTILE_RUN: &str = "run-hostile";
pub const HOSTILE_TITLE: &str = "<script>alert('pwned')</script>Fix the parser";
pub const HOSTILE_FINDING: &str = "<img src=x onerror=alert(1)> trust me";
/// The hostile run's change: markup in the code, and a line far wider than a phone.
pub const HOSTILE_DIFF: &str = "diff --git a/src/parser.rs b/src/parser.rs
index 1111111..2222222 100644
--- a/src/parser.rs
+++ b/src/parser.rs
@@ -8,4 +8,4 @@ pub fn parse(input: &str) -> Result<Ast, Error> {
     // Look at the first token.
-    let first = tokens[0];
+    let first = tokens.get(0).ok_or(Error::Empty)?; // \"<script>alert('diff')</script>\" and a comment long enough to be wider than any phone screen
     Ok(Ast::new(first))
 }
";
pub const FAILED_RUN: &str = "run-failed";
pub const FAILED_MESSAGE: &str = "cargo test failed twice: 3 tests broke";
pub const NOTHING_RUN: &str = "run-nothing";
pub const RUNNING_RUN: &str = "run-running";
pub const LEARNING_PRODUCED: &str = "Keep parser changes small and covered by a test";
pub const LEARNING_USED: &str = "Run cargo fmt before committing";
/// Filler runs of `GADGETS`, so the timeline has more than one page.
pub const GADGET_RUNS: usize = 30;
/// Every run seeded.
pub const TOTAL_RUNS: usize = 4 + 1 + GADGET_RUNS;

fn days_ago(days: i64, hours: i64) -> DateTime<Utc> {
    // Whole microseconds, as the store keeps them.
    let now = Utc::now() - Duration::days(days) - Duration::hours(hours);
    now - Duration::nanoseconds(i64::from(now.timestamp_subsec_nanos() % 1_000))
}

/// Seeds the history; returns nothing, the constants above name what is in it.
pub async fn history(store: &Arc<dyn Store>) {
    let store = store.as_ref();

    // A learning from an earlier run, used by the hostile run.
    let used = store
        .add_learning(&NewLearning {
            repository: WIDGETS.to_owned(),
            kind: "preference".to_owned(),
            content: LEARNING_USED.to_owned(),
            source: "review".to_owned(),
            run_id: None,
            weight: 1.5,
            effect: None,
            evidence: Vec::new(),
        })
        .await
        .unwrap();

    // The hostile run: succeeded, PR on GitHub with markup in its title, a review finding with
    // markup in its body, a merged PR, learnings used and produced.
    register(store, HOSTILE_RUN, WIDGETS, days_ago(1, 0)).await;
    let mut run = artifacts(HOSTILE_RUN, WIDGETS, "am/fix-parser", 82.5);
    if let Some(task) = run.task.as_mut() {
        if let Selection::Selected { task } = &mut task.selection {
            task.title = HOSTILE_TITLE.to_owned();
        }
        task.learnings_used = vec![used];
    }
    if let Some(implementation) = run.implementation.as_mut() {
        if let Some(task) = implementation.task.as_mut() {
            task.title = HOSTILE_TITLE.to_owned();
        }
        implementation.checks = vec![
            CheckRun {
                command: "cargo test".to_owned(),
                exit_code: Some(101),
                passed: false,
                duration_secs: 12.5,
                timed_out: false,
                output_tail: "test parser::tests::nested ... FAILED".to_owned(),
                attempt: 1,
            },
            CheckRun {
                command: "cargo test".to_owned(),
                exit_code: Some(0),
                passed: true,
                duration_secs: 11.0,
                timed_out: false,
                output_tail: "test result: ok. 42 passed".to_owned(),
                attempt: 2,
            },
        ];
        implementation.attempts = 2;
    }
    if let Some(pr) = run.pull_request.as_mut() {
        pr.forge = "github".to_owned();
        pr.number = Some(42);
        pr.url = Some("https://github.com/acme/widgets/pull/42".to_owned());
        pr.title = HOSTILE_TITLE.to_owned();
        pr.repository = WIDGETS.to_owned();
    }
    if let Some(review) = run.review.as_mut() {
        review.findings.push(ReviewFinding {
            category: FindingCategory::Security,
            severity: Severity::Major,
            path: Some("src/parser.rs".to_owned()),
            line_start: Some(10),
            line_end: Some(14),
            title: "Unchecked index".to_owned(),
            body: HOSTILE_FINDING.to_owned(),
            suggestion: Some("use .get()".to_owned()),
            actionable: true,
        });
        review.counts.total = 2;
        review.counts.actionable = 2;
        review.counts.security = 1;
    }
    run.change = Some(RunChange::capped(
        "0123456789abcdef".to_owned(),
        "fedcba9876543210".to_owned(),
        HOSTILE_DIFF.to_owned(),
        vec![ChangeCommit {
            sha: "fedcba9876543210".to_owned(),
            summary: "Fix the parser".to_owned(),
            body: "Bounds-check the index.".to_owned(),
            author: "automaintainer".to_owned(),
        }],
    ));
    run.transcript = Some(RunTranscript::capped(hostile_transcript()));
    run.status = Some(RunStatus::Succeeded);
    store.persist_artifacts(&run).await.unwrap();
    store
        .set_pull_request_state(WIDGETS, "am/fix-parser", "merged", true)
        .await
        .unwrap();
    store
        .add_learning(&NewLearning {
            repository: WIDGETS.to_owned(),
            kind: "success".to_owned(),
            content: LEARNING_PRODUCED.to_owned(),
            source: "outcome".to_owned(),
            run_id: Some(HOSTILE_RUN.to_owned()),
            weight: 1.0,
            effect: None,
            evidence: Vec::new(),
        })
        .await
        .unwrap();

    // A PR whose URL is a script: it must never become a link.
    register(store, "run-sneaky-link", WIDGETS, days_ago(2, 0)).await;
    let mut run = artifacts("run-sneaky-link", WIDGETS, "am/docs", 64.0);
    if let Some(pr) = run.pull_request.as_mut() {
        pr.forge = "github".to_owned();
        pr.number = Some(41);
        pr.url = Some("javascript:alert(document.cookie)".to_owned());
    }
    run.status = Some(RunStatus::Succeeded);
    store.persist_artifacts(&run).await.unwrap();

    // A failed run: the implementation failed its checks.
    register(store, FAILED_RUN, WIDGETS, days_ago(3, 0)).await;
    store.set_phase(FAILED_RUN, "implement").await.unwrap();
    store
        .record_failure(&RunFailure {
            run_id: FAILED_RUN.to_owned(),
            phase: "implement".to_owned(),
            message: FAILED_MESSAGE.to_owned(),
            at: days_ago(3, 0) + Duration::minutes(7),
        })
        .await
        .unwrap();
    store
        .close_run(FAILED_RUN, RunStatus::Failed)
        .await
        .unwrap();

    // Nothing worth doing.
    register(store, NOTHING_RUN, WIDGETS, days_ago(4, 0)).await;
    store.set_phase(NOTHING_RUN, "select").await.unwrap();
    store
        .close_run(NOTHING_RUN, RunStatus::Nothing)
        .await
        .unwrap();

    // Many ordinary runs of another repository, over the last weeks, scores rising.
    for i in 0..GADGET_RUNS {
        let run_id = format!("run-gadget-{i:02}");
        let age = (GADGET_RUNS - i) as i64;
        register(store, &run_id, GADGETS, days_ago(age + 4, 3)).await;
        let mut run = artifacts(
            &run_id,
            GADGETS,
            &format!("am/task-{i:02}"),
            50.0 + i as f64,
        );
        if let Some(pr) = run.pull_request.as_mut() {
            pr.repository = GADGETS.to_owned();
        }
        run.status = Some(if i % 5 == 4 {
            RunStatus::Failed
        } else {
            RunStatus::Succeeded
        });
        store.persist_artifacts(&run).await.unwrap();
    }

    // The newest run, still going: in review.
    register(store, RUNNING_RUN, WIDGETS, days_ago(0, 1)).await;
    store.set_phase(RUNNING_RUN, "review").await.unwrap();
}

/// The hostile run's conversation: markup in a tool result and a path far wider than a phone.
fn hostile_transcript() -> String {
    let long = format!("src/{}.rs", "very_long_module_name_".repeat(8));
    [
        serde_json::json!({"kind": "system", "text": "You are AutoMaintainer."}),
        serde_json::json!({"kind": "user", "text": "# Task: Fix the parser"}),
        serde_json::json!({"kind": "assistant", "step": 1, "text": "Reading the parser.",
            "tool_calls": [{"id": "c1", "name": "read_file", "arguments": {"path": long}}]}),
        serde_json::json!({"kind": "tool_result", "step": 1, "call_id": "c1", "tool": "read_file",
            "is_error": false, "content": format!("<script>alert('transcript')</script> {long}")}),
        serde_json::json!({"kind": "end", "outcome": "committed", "reason": "fedcba9876543210"}),
    ]
    .iter()
    .map(|line| format!("{line}\n"))
    .collect()
}
