//! The rounds are bounded: the limit reached (or a round that fixed nothing) means one comment
//! and the "needs a human" label, once, and no follow-up; an acknowledged duplicate is no
//! feedback at all.

use automaintainer::store::FollowUpRound;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::github::{detect, feedback_stub, opened_pr, posted, BOT, KEY};
use crate::common::db::TestDb;
use crate::common::github::{authed, pull, repo_path};
use crate::common::pr_run::BRANCH;

fn round(n: i64, outcome: &str, head: &str) -> FollowUpRound {
    FollowUpRound {
        repository: KEY.into(),
        branch: BRANCH.into(),
        round: n,
        run_id: format!("run-round-{n}"),
        number: Some(7),
        head_before: head.into(),
        head_after: Some(head.into()),
        findings_total: 1,
        findings_addressed: 1,
        checks_failing: 0,
        checks_fixed: 0,
        outcome: outcome.into(),
        failure_signature: None,
        summary: "earlier round".into(),
        needs_human: false,
        created_at: chrono::Utc::now(),
    }
}

async fn the_round_limit_is_honoured_and_a_human_is_asked_once(db: TestDb) {
    let tmp = tempfile::tempdir().unwrap();
    let (_run, theirs) = opened_pr(&db, tmp.path()).await;
    for n in 1..=2 {
        db.store
            .record_follow_up_round(&round(n, "partial", &theirs))
            .await
            .unwrap();
    }
    let server = feedback_stub(&theirs).await;
    let found = detect(&db, &server, 2).await;
    assert_eq!(found.follow_up, None, "two rounds were the limit");
    assert!(
        found
            .notes
            .iter()
            .any(|n| n.contains("PR #7: needs a human: 2 follow-up round(s) were made")),
        "{:?}",
        found.notes
    );
    let comments = posted(&server, "comments").await;
    assert_eq!(comments.len(), 1);
    assert!(comments[0].contains("needs a human"), "{}", comments[0]);
    let labels = posted(&server, "labels").await;
    assert_eq!(labels.len(), 1);
    assert!(labels[0].contains("needs-human"), "{}", labels[0]);

    // The next run says nothing more; with a higher limit the PR gets its third round.
    let again = detect(&db, &server, 2).await;
    assert_eq!(again.follow_up, None);
    assert_eq!(posted(&server, "comments").await.len(), 1);
    assert_eq!(posted(&server, "labels").await.len(), 1);
    let more = detect(&db, &server, 3).await;
    assert_eq!(more.follow_up.map(|f| f.round), Some(3));
    let rounds = db.store.follow_up_rounds(KEY, BRANCH).await.unwrap();
    assert!(rounds[1].needs_human && !rounds[0].needs_human);
}

async fn a_round_that_fixed_nothing_stops_the_rounds(db: TestDb) {
    let tmp = tempfile::tempdir().unwrap();
    let (_run, theirs) = opened_pr(&db, tmp.path()).await;
    db.store
        .record_follow_up_round(&round(1, "nothing", &theirs))
        .await
        .unwrap();
    let server = feedback_stub(&theirs).await;
    let found = detect(&db, &server, 5).await;
    assert_eq!(found.follow_up, None);
    assert!(
        found
            .notes
            .iter()
            .any(|n| n.contains("round 1 fixed nothing")),
        "{:?}",
        found.notes
    );
}

async fn an_acknowledged_duplicate_and_green_checks_are_no_feedback(db: TestDb) {
    let tmp = tempfile::tempdir().unwrap();
    let (_run, theirs) = opened_pr(&db, tmp.path()).await;
    let server = MockServer::start().await;
    let mut pr = pull(7, BRANCH, "open", false);
    pr["head"]["sha"] = json!(theirs);
    let get = |route: &str, body: serde_json::Value| {
        authed("GET", &repo_path(route))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
    };
    get("/pulls/7", pr).mount(&server).await;
    let body = std::fs::read_to_string(format!(
        "{}/tests/fixtures/coderabbit/review_body_duplicate_addressed.md",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    get(
        "/pulls/7/reviews",
        json!([{"id": 3, "user": {"login": BOT}, "commit_id": theirs, "body": body}]),
    )
    .mount(&server)
    .await;
    get("/pulls/7/comments", json!([])).mount(&server).await;
    get("/issues/7/comments", json!([])).mount(&server).await;
    get(
        &format!("/commits/{theirs}/check-runs"),
        json!({"total_count": 1, "check_runs": [
            {"name": "test", "status": "completed", "conclusion": "success", "output": {}}]}),
    )
    .mount(&server)
    .await;
    get(
        &format!("/commits/{theirs}/status"),
        json!({"state": "success", "statuses": []}),
    )
    .mount(&server)
    .await;
    Mock::given(method("POST"))
        .and(path(repo_path("/issues/7/comments")))
        .respond_with(ResponseTemplate::new(201))
        .expect(0)
        .mount(&server)
        .await;
    let found = detect(&db, &server, 2).await;
    assert_eq!(found.follow_up, None);
    assert!(
        found.notes[0].starts_with("PR #7: no open findings and no failing checks"),
        "{:?}",
        found.notes
    );
}

/// A maintainer with write access asks for a change inline: that is a finding; the reader's
/// is not.
async fn a_writers_inline_comment_is_a_finding(db: TestDb) {
    let tmp = tempfile::tempdir().unwrap();
    let (_run, theirs) = opened_pr(&db, tmp.path()).await;
    let server = feedback_stub(&theirs).await;
    authed("GET", &repo_path("/pulls/7/comments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": 30, "pull_request_review_id": 8, "user": {"login": "octo-maintainer"},
             "path": "src/config.rs", "line": 3, "commit_id": theirs,
             "body": "Please log the value that did not parse."},
            {"id": 31, "pull_request_review_id": 9, "user": {"login": "reader"},
             "path": "src/config.rs", "line": 2, "commit_id": theirs, "body": "Rename `load`."}
        ])))
        .with_priority(1)
        .mount(&server)
        .await;
    authed(
        "GET",
        &repo_path("/collaborators/octo-maintainer/permission"),
    )
    .respond_with(
        ResponseTemplate::new(200)
            .set_body_json(json!({"permission": "write", "role_name": "maintain"})),
    )
    .mount(&server)
    .await;
    let found = detect(&db, &server, 2).await;
    let findings = found.follow_up.unwrap().findings;
    let authors: Vec<(&str, &str)> = findings
        .iter()
        .map(|f| (f.id.as_str(), f.author.as_str()))
        .collect();
    assert_eq!(
        authors,
        [("review-comment-30", "octo-maintainer")],
        "{findings:?}"
    );
    assert_eq!(
        findings[0].title,
        "Please log the value that did not parse."
    );
}

/// The check that failed before the last round fails the same way after it: no new round.
async fn the_same_check_failing_the_same_way_twice_stops_the_rounds(db: TestDb) {
    let tmp = tempfile::tempdir().unwrap();
    let (_run, theirs) = opened_pr(&db, tmp.path()).await;
    let same =
        automaintainer::followup::signature::of(&[automaintainer::artifacts::FailingCheck {
            name: "test".into(),
            conclusion: "failure".into(),
            output: "1 check failed\n\nsrc/config.rs uses unwrap".into(),
        }]);
    db.store
        .record_follow_up_round(&FollowUpRound {
            failure_signature: same,
            ..round(1, "partial", &theirs)
        })
        .await
        .unwrap();
    let server = feedback_stub(&theirs).await;
    let found = detect(&db, &server, 5).await;
    assert_eq!(found.follow_up, None);
    assert!(
        found
            .notes
            .iter()
            .any(|n| n.contains("the same checks failed the same way")),
        "{:?}",
        found.notes
    );
    assert_eq!(posted(&server, "labels").await.len(), 1);
}

crate::store_tests!(
    the_same_check_failing_the_same_way_twice_stops_the_rounds,
    a_writers_inline_comment_is_a_finding,
    the_round_limit_is_honoured_and_a_human_is_asked_once,
    a_round_that_fixed_nothing_stops_the_rounds,
    an_acknowledged_duplicate_and_green_checks_are_no_feedback,
);
