//! The spend view: `/spend` shows the model spend per day, per repository and both, from the
//! store's `llm_spend` rows (over HTTP on both backends, and in Chromium), and `/api/data`
//! carries the same rows.

use std::sync::Arc;

use automaintainer::store::{SpendRow, Store};
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use fantoccini::Locator;

use super::harness::{config, get, Server};
use crate::common::browser::Browser;
use crate::common::db::{Backend, TestDb};

const ALPHA: &str = "github.com/acme/alpha";
const BETA: &str = "github.com/acme/<beta>";

fn day(days_ago: i64) -> String {
    automaintainer::store::spend::day_of(Utc::now() - Duration::days(days_ago))
}

/// Today: alpha 3 calls, beta 1; yesterday: alpha 1; 40 days ago: beta (outside 30 days).
async fn seed(store: &Arc<dyn Store>) {
    let rows = [
        (ALPHA, 0, 3, 30_000, 3_000, 1.5),
        (BETA, 0, 1, 10_000, 1_000, 0.25),
        (ALPHA, 1, 1, 5_000, 500, 0.5),
        (BETA, 40, 9, 90_000, 9_000, 9.0),
    ];
    for (repository, ago, calls, input, output, cost) in rows {
        store
            .add_spend(&SpendRow {
                repository: repository.to_owned(),
                day: day(ago),
                calls,
                input_tokens: input,
                output_tokens: output,
                cost_usd: cost,
            })
            .await
            .unwrap();
    }
}

crate::store_tests!(the_spend_page_and_api_show_spend_per_repository_and_day);

async fn the_spend_page_and_api_show_spend_per_repository_and_day(db: TestDb) {
    let empty = get(&db.store, "/spend").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains(r#"id="no-spend""#), "{}", empty.body);
    assert!(
        empty
            .body
            .contains(&format!(r#"href="{}""#, minijinja::HtmlEscape("/spend"))),
        "the navigation links the page"
    );

    seed(&db.store).await;
    let page = get(&db.store, "/spend").await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    assert!(body.contains(&format!("Today, {}", day(0))), "{body}");
    // Today across repositories: 44,000 tokens in 4 calls, $1.75.
    assert!(body.contains("44000 tokens in 4 calls, $1.75"), "{body}");
    assert!(body.contains("no fleet budget is set here"), "{body}");
    // Repository names are text, escaped.
    assert!(
        body.contains("github.com&#x2f;acme&#x2f;&lt;beta&gt;"),
        "{body}"
    );
    assert!(!body.contains("<beta>"));
    assert!(!body.contains(&day(40)), "outside the 30 days: {body}");
    let all = get(&db.store, "/spend?days=90").await;
    assert!(all.body.contains(&day(40)));
    for bad in ["/spend?days=0", "/spend?days=many", "/spend?days=400"] {
        assert_eq!(
            get(&db.store, bad).await.status,
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }

    let api = get(&db.store, "/api/data").await.json();
    let spend = api["spend"].as_array().expect("spend rows");
    assert_eq!(spend.len(), 3, "{spend:?}");
    assert_eq!(spend[0]["day"], day(0));
    assert_eq!(spend[0]["repository"], BETA);
    assert_eq!(spend[1]["repository"], ALPHA);
    assert_eq!(spend[1]["calls"], 3);
    assert_eq!(spend[1]["input_tokens"], 30_000);
    assert_eq!(spend[1]["output_tokens"], 3_000);
    assert_eq!(spend[1]["cost_usd"], 1.5);
    assert_eq!(spend[2]["day"], day(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_spend_page_lists_repositories_and_days() {
    let db = TestDb::new(Backend::Sqlite).await;
    seed(&db.store).await;
    let server = Server::start(db.store.clone(), config(None)).await;
    let browser = Browser::start().await;

    browser.client.goto(&server.url("/")).await.unwrap();
    browser.click(Locator::LinkText("Spend")).await;
    browser.wait_for_url("/spend").await;
    assert_eq!(browser.text("h1").await, "Spend");
    assert!(browser
        .text("#today")
        .await
        .starts_with("44000 tokens in 4 calls, $1.75"));
    assert_eq!(browser.count("#spend-by-day tbody tr").await, 2);
    assert_eq!(browser.count("#spend-by-repository tbody tr").await, 2);
    assert_eq!(browser.count("#spend-rows tbody tr").await, 3);
    let repositories = browser.text("#spend-by-repository tbody").await;
    assert!(repositories.contains(BETA), "{repositories}");
    assert!(
        repositories.contains("$2.00"),
        "alpha over two days: {repositories}"
    );
    assert_eq!(browser.count("main script").await, 0);

    // A wider window from the form.
    browser
        .click(Locator::Css("select[name=days] option[value='90']"))
        .await;
    browser.click(Locator::Css("form.filters button")).await;
    browser.wait_for_url("days=90").await;
    assert_eq!(browser.count("#spend-by-day tbody tr").await, 3);
    browser.close().await;
}
