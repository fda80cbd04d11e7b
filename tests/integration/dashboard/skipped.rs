//! Runs turned away because another run held their repository show as `skipped` on every
//! page and in `/api/data`, counted apart and out of the success rate, on both backends.

use automaintainer::store::RunStatus;
use axum::http::StatusCode;

use super::harness::get;
use crate::common::db::{at, register, TestDb};

const REPOSITORY: &str = "/srv/git/held.git";
const REASON: &str = "skipped: another run holds the repository (run run-holder)";

crate::store_tests!(a_skipped_run_is_shown_as_skipped_and_counted_apart);

async fn a_skipped_run_is_shown_as_skipped_and_counted_apart(db: TestDb) {
    let store = db.store.as_ref();
    register(store, "run-holder", REPOSITORY, at(0)).await;
    assert_eq!(
        store
            .lock_repository(REPOSITORY, "run-holder")
            .await
            .unwrap(),
        None
    );
    register(store, "run-turned-away", REPOSITORY, at(1)).await;
    store.skip_run("run-turned-away", REASON).await.unwrap();
    store
        .close_run("run-holder", RunStatus::Succeeded)
        .await
        .unwrap();

    let overview = get(&db.store, "/").await;
    assert_eq!(overview.status, StatusCode::OK);
    assert!(
        overview.body.contains("0 failed") && overview.body.contains(" · 1 skipped"),
        "{}",
        overview.body
    );
    assert!(
        overview
            .body
            .contains(r#"<span class="badge skipped">skipped</span>"#),
        "{}",
        overview.body
    );

    let timeline = get(&db.store, "/timeline?status=skipped").await;
    assert_eq!(timeline.status, StatusCode::OK);
    assert!(
        timeline
            .body
            .contains(r#"data-run="run-turned-away" data-status="skipped""#),
        "{}",
        timeline.body
    );
    assert!(!timeline.body.contains(r#"data-run="run-holder""#));
    assert!(
        timeline.body.contains(r#"<option value="skipped""#),
        "the filter offers it: {}",
        timeline.body
    );

    let page = get(&db.store, "/runs/run-turned-away").await;
    assert_eq!(page.status, StatusCode::OK);
    let reason = minijinja::HtmlEscape(REASON).to_string();
    assert!(
        page.body.contains(&format!(
            r#"<p class="muted" id="skip-reason">{reason}</p>"#
        )),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("another run holds the repository</span>"),
        "the setup step says why: {}",
        page.body
    );
    assert!(!page.body.contains(r#"id="errors""#), "a skip is no error");

    let api = get(&db.store, "/api/data").await.json();
    assert_eq!(api["stats"]["skipped_runs"], 1, "{api}");
    assert_eq!(api["stats"]["failed_runs"], 0, "{api}");
    assert_eq!(api["stats"]["total_runs"], 2, "{api}");
    assert_eq!(api["stats"]["success_rate"], 1.0, "{api}");
    let only = get(&db.store, "/api/data?status=skipped").await.json();
    assert_eq!(only["runs"]["total"], 1, "{only}");
    assert_eq!(only["runs"]["items"][0]["status"], "skipped", "{only}");
    assert_eq!(only["runs"]["items"][0]["error"], REASON, "{only}");
}
