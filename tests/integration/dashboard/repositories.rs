//! `/repositories`, `/repositories/{id}` and `/api/data?view=repositories` over repositories
//! named by their real identities (`github.com/acme/app`, an absolute local path with a space):
//! the router on both backends, and both pages in headless Chromium, reached by their links.

use std::sync::Arc;

use automaintainer::store::{NewLearning, RunStatus, Store};
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use fantoccini::Locator;

use super::harness::{config, get, Server};
use crate::common::browser::Browser;
use crate::common::db::{artifacts, register, Backend, TestDb};

const HOSTED: &str = "github.com/acme/app";
const HOSTED_PATH: &str = "/repositories/github.com%2Facme%2Fapp";
const LOCAL: &str = "/srv/git/my repo";
const LOCAL_PATH: &str = "/repositories/%2Fsrv%2Fgit%2Fmy%20repo";
const LEARNING: &str = "Prefer small parser changes covered by a test";

crate::store_tests!(
    api_data_has_a_repository_view,
    repository_pages_answer_at_encoded_and_plain_identities,
);

/// Two runs of the hosted repository that opened PRs (scores 70 then 80; the first merged two
/// hours after it opened), a failed one, and one local run with nothing to do; recent, so the
/// score trend has points.
async fn seed(db: &TestDb) {
    let store = db.store.as_ref();
    let start = Utc::now() - Duration::days(3);
    for (i, (branch, score)) in [("am/one", 70.0), ("am/two", 80.0)].into_iter().enumerate() {
        let run_id = format!("run-app-{i}");
        register(store, &run_id, HOSTED, start + Duration::days(i as i64)).await;
        let mut run = artifacts(&run_id, HOSTED, branch, score);
        run.status = Some(RunStatus::Succeeded);
        store.persist_artifacts(&run).await.unwrap();
    }
    let opened = store
        .pull_request_for_branch(HOSTED, "am/one")
        .await
        .unwrap()
        .unwrap()
        .created_at;
    let merged_at = automaintainer::store::clock::sqlite_text(opened + Duration::hours(2));
    db.execute(&format!(
        "UPDATE pull_requests SET state = 'merged', merged = TRUE, merged_at = '{merged_at}'
         WHERE repository = '{HOSTED}' AND branch = 'am/one'"
    ))
    .await;
    register(store, "run-app-failed", HOSTED, start + Duration::days(2)).await;
    store
        .record_failure(&automaintainer::store::RunFailure {
            run_id: "run-app-failed".into(),
            phase: "implement".into(),
            message: "checks failed".into(),
            at: start + Duration::days(2),
        })
        .await
        .unwrap();
    register(store, "run-local", LOCAL, start).await;
    store
        .close_run("run-local", RunStatus::Nothing)
        .await
        .unwrap();
    store
        .add_learning(&NewLearning {
            repository: HOSTED.to_owned(),
            kind: "mistake".to_owned(),
            content: LEARNING.to_owned(),
            source: "review".to_owned(),
            run_id: Some("run-app-0".to_owned()),
            weight: 1.0,
            effect: None,
            evidence: Vec::new(),
        })
        .await
        .unwrap();
}

async fn api_data_has_a_repository_view(db: TestDb) {
    seed(&db).await;
    let answer = get(&db.store, "/api/data?view=repositories").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let data = answer.json();
    let page = &data["repositories"];
    assert_eq!(page["total"], 2);
    assert_eq!(
        (page["page"].as_u64(), page["pages"].as_u64()),
        (Some(1), Some(1))
    );
    let items = page["items"].as_array().unwrap();
    assert_eq!(items[0]["repository"], LOCAL, "alphabetically: / before g");
    assert_eq!(
        items[0]["runs_by_status"],
        serde_json::json!({ "nothing": 1 })
    );
    let app = &items[1];
    assert_eq!(app["repository"], HOSTED);
    assert_eq!(app["runs"], 3);
    assert_eq!(app["runs_by_status"]["failed"], 1);
    assert_eq!(
        (app["prs_opened"].as_i64(), app["prs_merged"].as_i64()),
        (Some(2), Some(1))
    );
    assert_eq!(app["prs_open"], 1);
    assert_eq!(app["merge_rate"], 0.5);
    assert_eq!(app["median_secs_to_merge"], 7200);
    assert_eq!(app["last_score"], 80.0);
    assert_eq!(app["tokens"], 200);
    assert!(app["success_rate"].as_f64().unwrap() > 0.66);
    assert!(data.get("runs").is_none(), "the run view is not in it");

    let second = get(&db.store, "/api/data?view=repositories&per_page=1&page=2")
        .await
        .json();
    assert_eq!(second["repositories"]["items"][0]["repository"], HOSTED);
    assert_eq!(second["repositories"]["pages"], 2);
    // The run view is still the default, and still filters by the identity.
    let runs = get(&db.store, "/api/data?repository=github.com%2Facme%2Fapp")
        .await
        .json();
    assert_eq!(runs["runs"]["total"], 3);
    for (uri, named) in [
        ("/api/data?view=everything", "`view`"),
        ("/api/data?view=repositories&per_page=1000", "`per_page`"),
    ] {
        let answer = get(&db.store, uri).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(
            answer.json()["error"].as_str().unwrap().contains(named),
            "{}",
            answer.body
        );
    }
}

/// An `href` as the pages write it (minijinja's HTML escaping also escapes `/`).
fn href(path: &str) -> String {
    format!(r#"href="{}""#, minijinja::HtmlEscape(path))
}

async fn repository_pages_answer_at_encoded_and_plain_identities(db: TestDb) {
    seed(&db).await;
    let list = get(&db.store, "/repositories").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains(&href(HOSTED_PATH)), "{}", list.body);
    assert!(list.body.contains(&href(LOCAL_PATH)));
    for path in [HOSTED_PATH, "/repositories/github.com/acme/app"] {
        let page = get(&db.store, path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.contains(LEARNING), "{path}");
        assert!(
            page.body.contains(r#"data-run="run-app-1""#),
            "{path}: its runs"
        );
    }
    let local = get(&db.store, LOCAL_PATH).await;
    assert_eq!(local.status, StatusCode::OK);
    assert!(local.body.contains("my repo"));
    let unknown = get(&db.store, "/repositories/github.com%2Facme%2Fnone").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    // Every run list links to the run's repository page.
    let timeline = get(&db.store, "/timeline").await;
    assert!(timeline.body.contains(&href(HOSTED_PATH)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_repository_pages_show_each_repository() {
    let db = TestDb::new(Backend::Sqlite).await;
    seed(&db).await;
    let store: Arc<dyn Store> = db.store.clone();
    let server = Server::start(store, config(None)).await;
    let browser = Browser::start().await;

    // From the navigation to the list.
    browser.client.goto(&server.url("/")).await.unwrap();
    browser
        .click(Locator::Css("nav a[href='/repositories']"))
        .await;
    browser.wait_for_url("/repositories").await;
    assert_eq!(browser.text("h1").await, "Repositories");
    assert_eq!(browser.count("#repositories tbody tr").await, 2);
    let field = |repository: &str, field: &str| {
        format!(r#"tr[data-repository="{repository}"] [data-field="{field}"]"#)
    };
    assert_eq!(browser.text(&field(HOSTED, "runs")).await, "3");
    assert_eq!(browser.text(&field(HOSTED, "prs_opened")).await, "2");
    assert_eq!(browser.text(&field(HOSTED, "prs_merged")).await, "1");
    assert_eq!(browser.text(&field(HOSTED, "merge_rate")).await, "50.0%");
    assert_eq!(
        browser.text(&field(HOSTED, "median_to_merge")).await,
        "2.0 h"
    );
    assert_eq!(browser.text(&field(HOSTED, "last_score")).await, "80.0");
    assert_eq!(browser.text(&field(HOSTED, "prs_open")).await, "1");
    assert_eq!(browser.text(&field(LOCAL, "last_score")).await, "–");

    // The hosted repository's page, by its link.
    browser
        .click(Locator::Css(&format!(
            r#"tr[data-repository="{HOSTED}"] a"#
        )))
        .await;
    browser.wait_for_url(HOSTED_PATH).await;
    assert_eq!(browser.text("h1").await, HOSTED);
    assert_eq!(browser.count("tr[data-run]").await, 3);
    assert_eq!(browser.count("#pull-requests tbody tr").await, 2);
    assert!(browser.text("#learnings").await.contains(LEARNING));
    // The score trend is drawn: one point per scored day.
    assert_eq!(
        browser
            .count("[data-chart=score_trend] svg.chart-line circle.chart-point")
            .await,
        2
    );
    assert_eq!(browser.count("main script").await, 0);

    // A run page links back to its repository; the local path's page is reached the same way.
    browser
        .client
        .goto(&server.url("/runs/run-local"))
        .await
        .unwrap();
    browser.click(Locator::Id("run-repository")).await;
    browser.wait_for_url(LOCAL_PATH).await;
    assert_eq!(browser.text("h1").await, LOCAL);
    assert!(browser.text("[data-stat=runs]").await.contains("1 nothing"));

    // Neither page scrolls sideways at phone width.
    browser.client.set_window_size(375, 812).await.unwrap();
    for path in ["/repositories", HOSTED_PATH] {
        browser.client.goto(&server.url(path)).await.unwrap();
        let sizes = browser
            .eval("return [document.documentElement.scrollWidth, document.documentElement.clientWidth];")
            .await;
        let [scroll, client] = [0, 1].map(|i| sizes[i].as_f64().unwrap());
        assert!(
            scroll <= client,
            "{path} scrolls sideways at phone width: {sizes}"
        );
    }
    browser.close().await;
}
