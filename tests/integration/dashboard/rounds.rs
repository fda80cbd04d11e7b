//! The run page shows the follow-up rounds of the run's pull request: each round's outcome, what
//! it addressed and fixed, and the comment it posted (reviewer text escaped).

use automaintainer::store::FollowUpRound;
use axum::http::StatusCode;

use super::harness::get;
use crate::common::db::{at, register, TestDb};

fn round(n: i64, run_id: &str, outcome: &str, needs_human: bool) -> FollowUpRound {
    FollowUpRound {
        repository: "github.com/octo/hello".into(),
        branch: "automaintainer/bug-fix-x".into(),
        round: n,
        run_id: run_id.into(),
        number: Some(7),
        head_before: "0123456789abcdef0123".into(),
        head_after: Some("fedcba9876543210fedc".into()),
        findings_total: 2,
        findings_addressed: n,
        checks_failing: 1,
        checks_fixed: 1,
        outcome: outcome.into(),
        failure_signature: None,
        summary: "Addressed:\n- `src/a.rs:3` <script>alert(1)</script>: applied".into(),
        needs_human,
        created_at: at(n),
    }
}

async fn the_run_page_shows_the_pull_requests_rounds(db: TestDb) {
    register(db.store.as_ref(), "run-2", "github.com/octo/hello", at(1)).await;
    db.store
        .record_follow_up_round(&round(1, "run-1", "partial", false))
        .await
        .unwrap();
    db.store
        .record_follow_up_round(&round(2, "run-2", "partial", true))
        .await
        .unwrap();
    let page = get(&db.store, "/runs/run-2").await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    assert!(body.contains("Follow-up rounds"), "{body}");
    assert_eq!(body.matches("data-round=").count(), 2, "{body}");
    assert!(body.contains("PR #7, round 1"));
    let link = format!(r#"href="{}""#, minijinja::HtmlEscape("/runs/run-1"));
    assert!(body.contains(&link), "{body}");
    assert!(body.contains("(this run)"));
    assert!(body.contains("2 of 2 finding(s) addressed, 1 of 1 failing check(s) fixed"));
    assert!(body.contains("needs a human"));
    assert!(body.contains("0123456789"));
    assert!(
        !body.contains("<script>alert(1)</script>"),
        "escaped: {body}"
    );
    // A run without rounds has no such section.
    register(db.store.as_ref(), "run-3", "github.com/octo/other", at(3)).await;
    let other = get(&db.store, "/runs/run-3").await;
    assert!(!other.body.contains("Follow-up rounds"));
}

crate::store_tests!(the_run_page_shows_the_pull_requests_rounds);
