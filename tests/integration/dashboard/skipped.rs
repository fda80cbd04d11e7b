//! Runs turned away because another run held their repository show as `skipped` on every
//! page and in `/api/data`, counted apart and out of the success rate, on both backends.

use std::sync::Arc;

use automaintainer::store::{RunStatus, Store};
use axum::http::StatusCode;
use fantoccini::Locator;

use super::harness::{config, get, Server};
use crate::common::browser::Browser;
use crate::common::db::{at, register, Backend, TestDb};

const REPOSITORY: &str = "/srv/git/held.git";
const REASON: &str = "skipped: another run holds the repository (run run-holder)";

crate::store_tests!(a_skipped_run_is_shown_as_skipped_and_counted_apart);

/// A run that held the repository and succeeded, and one turned away while it ran.
async fn seed(store: &dyn Store) {
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
}

async fn a_skipped_run_is_shown_as_skipped_and_counted_apart(db: TestDb) {
    seed(db.store.as_ref()).await;

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_shows_a_skipped_run_and_filters_by_it() {
    let db = TestDb::new(Backend::Sqlite).await;
    seed(db.store.as_ref()).await;
    let store: Arc<dyn Store> = db.store.clone();
    let server = Server::start(store, config(None)).await;
    let browser = Browser::start().await;

    browser.client.goto(&server.url("/")).await.unwrap();
    assert!(
        browser.text("body").await.contains("· 1 skipped"),
        "{}",
        browser.text("body").await
    );
    browser.client.goto(&server.url("/timeline")).await.unwrap();
    assert_eq!(browser.count("tr[data-run]").await, 2);
    browser
        .click(Locator::Css("#status option[value=skipped]"))
        .await;
    browser.click(Locator::Id("apply-filter")).await;
    browser.wait_for_url("status=skipped").await;
    let rows = browser
        .eval("return [...document.querySelectorAll('tr[data-run]')].map(r => [r.dataset.run, r.querySelector('.badge').textContent, r.querySelector('td[data-label=Task]').textContent]);")
        .await;
    assert_eq!(
        rows,
        serde_json::json!([["run-turned-away", "skipped", REASON]]),
    );

    browser
        .client
        .goto(&server.url("/runs/run-turned-away"))
        .await
        .unwrap();
    assert_eq!(browser.text("#skip-reason").await, REASON);
    assert_eq!(browser.text(".lede .badge").await, "skipped");
    browser.close().await;
}
