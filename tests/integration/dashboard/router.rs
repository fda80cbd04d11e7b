//! The router answered without a server (`tower::ServiceExt::oneshot`), on a real store of each
//! backend: status codes, the JSON shape, escaping of untrusted text, the token.

use std::process::Stdio;
use std::time::Duration;

use automaintainer::store::RunStatus;
use axum::http::StatusCode;
use serde_json::Value;

use super::harness::{config, get, get_with};
use super::seed::{self, FAILED_MESSAGE, FAILED_RUN, GADGETS, HOSTILE_RUN, TOTAL_RUNS, WIDGETS};
use crate::common::bin;
use crate::common::db::{at, TestDb};

/// Text as the pages escape it (minijinja's HTML escaping, which also escapes `/`).
fn html(text: &str) -> String {
    minijinja::HtmlEscape(text).to_string()
}

crate::store_tests!(
    an_empty_store_gets_the_first_run_page,
    every_page_renders_the_seeded_history,
    api_data_has_the_documented_shape,
    analytics_aggregates_the_history,
);

async fn an_empty_store_gets_the_first_run_page(db: TestDb) {
    let page = get(&db.store, "/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("No runs yet"), "{}", page.body);
    assert!(page.body.contains("automaintainer run"));
    // The other pages work on an empty store too.
    for uri in ["/timeline", "/analytics", "/api/data", "/healthz"] {
        assert_eq!(get(&db.store, uri).await.status, StatusCode::OK, "{uri}");
    }
    let analytics = get(&db.store, "/analytics").await;
    assert!(analytics.body.contains("Nothing to plot yet"));
}

async fn every_page_renders_the_seeded_history(db: TestDb) {
    seed::history(&db.store).await;

    let overview = get(&db.store, "/").await;
    assert_eq!(overview.status, StatusCode::OK);
    let body = &overview.body;
    assert!(
        body.contains(r#"http-equiv="refresh" content="15""#),
        "refreshes itself"
    );
    assert!(
        body.contains(&format!(">{TOTAL_RUNS}<")),
        "run count: {body}"
    );
    // The last run is the one still in review.
    assert!(body.contains("run-running"));
    assert!(body.contains("Last run"));
    assert!(body.contains(r#"class="badge running""#));

    let timeline = get(&db.store, "/timeline").await;
    assert_eq!(timeline.status, StatusCode::OK);
    assert!(timeline.body.contains(&format!("{TOTAL_RUNS} runs")));
    assert!(timeline.body.contains("Page 1 of 2"));
    assert_eq!(timeline.body.matches("<tr data-run=").count(), 25);
    let failed = get(&db.store, "/timeline?status=failed").await;
    // The failed widget run and every fifth gadget run.
    let failed_rows = failed.body.matches(r#"data-status="failed""#).count();
    assert_eq!(failed_rows, 1 + seed::GADGET_RUNS / 5);
    assert!(!failed.body.contains(r#"data-status="succeeded""#));
    let widgets = get(&db.store, "/timeline?repository=acme%2Fwidgets&page=1").await;
    assert!(!widgets
        .body
        .contains(&format!(r#"data-repository="{}""#, html(GADGETS))));
    assert!(widgets
        .body
        .contains(&format!(r#"data-repository="{}""#, html(WIDGETS))));
    let second = get(&db.store, "/timeline?page=2").await;
    assert_eq!(
        second.body.matches("<tr data-run=").count(),
        TOTAL_RUNS - 25
    );

    let analytics = get(&db.store, "/analytics").await;
    assert_eq!(analytics.status, StatusCode::OK);
    assert_eq!(analytics.body.matches("<svg class=\"chart").count(), 6);
    for key in [
        "score_trend",
        "components",
        "findings",
        "weekly_success",
        "tokens",
        "cost",
    ] {
        assert!(
            analytics.body.contains(&format!(r#"data-chart="{key}""#)),
            "chart {key}"
        );
    }
    assert!(
        !analytics.body.contains("Nothing to plot yet"),
        "every chart has data"
    );

    let run = get(&db.store, &format!("/runs/{HOSTILE_RUN}")).await;
    assert_eq!(run.status, StatusCode::OK);
    for expected in [
        "Phases",
        "Acceptance criteria",
        "src/lib.rs",
        "cargo test",
        "attempt 2",
        "Unchecked index",
        "src/parser.rs:10-14",
        "82.5",
        "Code quality",
        seed::LEARNING_USED,
        seed::LEARNING_PRODUCED,
        "https://github.com/acme/widgets/pull/42",
        "merged",
    ] {
        assert!(
            run.body.contains(&html(expected)),
            "run page lacks {expected}"
        );
    }
    let failed = get(&db.store, &format!("/runs/{FAILED_RUN}")).await;
    assert_eq!(failed.status, StatusCode::OK);
    assert!(failed.body.contains(FAILED_MESSAGE));
    assert!(
        failed.body.contains(r#"<li class="failed">"#),
        "the failed phase is marked"
    );

    let health = get(&db.store, "/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.json()["status"], "ok");
    assert_eq!(health.json()["backend"], db.store.backend());
}

async fn api_data_has_the_documented_shape(db: TestDb) {
    seed::history(&db.store).await;
    let answer = get(&db.store, "/api/data").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer
        .header("content-type")
        .starts_with("application/json"));
    let data = answer.json();
    assert_eq!(data["backend"], db.store.backend());
    assert!(data["generated_at"].as_str().unwrap().ends_with('Z'));
    let stats = &data["stats"];
    assert_eq!(stats["total_runs"], TOTAL_RUNS as i64);
    assert_eq!(stats["running_runs"], 1);
    assert_eq!(stats["prs_merged"], 1);
    assert!(stats["success_rate"].as_f64().unwrap() > 0.5);
    assert!(stats["average_score"].as_f64().is_some());
    let runs = &data["runs"];
    assert_eq!(runs["page"], 1);
    assert_eq!(runs["per_page"], 25);
    assert_eq!(runs["total"], TOTAL_RUNS as i64);
    assert_eq!(runs["pages"], 2);
    assert_eq!(
        runs["filter"],
        serde_json::json!({"repository": null, "status": null})
    );
    let items = runs["items"].as_array().unwrap();
    assert_eq!(items.len(), 25);
    assert_eq!(items[0]["run_id"], "run-running", "newest first");
    for key in [
        "run_id",
        "repository",
        "status",
        "trigger",
        "phase",
        "started_at",
        "finished_at",
        "duration_secs",
        "model",
        "tokens",
        "cost_usd",
        "task_title",
        "task_kind",
        "pr_number",
        "pr_url",
        "pr_state",
        "pr_merged",
        "evolution_score",
        "review_findings",
        "error",
    ] {
        assert!(items[0].get(key).is_some(), "item lacks {key}");
    }

    let filtered = get(
        &db.store,
        "/api/data?status=failed&repository=acme/widgets&per_page=5",
    )
    .await
    .json();
    assert_eq!(filtered["runs"]["total"], 1);
    assert_eq!(filtered["runs"]["items"][0]["run_id"], FAILED_RUN);
    assert_eq!(filtered["runs"]["items"][0]["error"], FAILED_MESSAGE);
    assert_eq!(filtered["runs"]["filter"]["status"], "failed");

    let last = get(&db.store, "/api/data?page=2&per_page=30").await.json();
    assert_eq!(
        last["runs"]["items"].as_array().unwrap().len(),
        TOTAL_RUNS - 30
    );
}

async fn analytics_aggregates_the_history(db: TestDb) {
    use automaintainer::store::AnalyticsQuery;
    seed::history(&db.store).await;
    let since = chrono::Utc::now() - chrono::Duration::days(90);
    let all = db
        .store
        .analytics(&AnalyticsQuery {
            repository: None,
            since,
        })
        .await
        .unwrap();
    let scored = 2 + seed::GADGET_RUNS as i64;
    assert_eq!(all.score_trend.iter().map(|d| d.runs).sum::<i64>(), scored);
    assert!(all.score_trend.windows(2).all(|w| w[0].day < w[1].day));
    let names: Vec<&str> = all
        .components
        .iter()
        .map(|c| c.component.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "code_quality",
            "test_coverage",
            "maintainability",
            "readability"
        ]
    );
    assert_eq!(all.components[0].measured, scored);
    assert_eq!(all.components[2].estimated, scored);
    assert_eq!(all.components[3].unavailable, scored);
    assert_eq!(all.components[3].average, None);
    assert_eq!(all.findings_by_category[0].category, "style");
    assert_eq!(all.findings_by_category[0].count, scored);
    assert!(all
        .findings_by_category
        .iter()
        .any(|c| c.category == "security" && c.count == 1));
    let finished: i64 = all.weekly_success.iter().map(|w| w.finished).sum();
    let succeeded: i64 = all.weekly_success.iter().map(|w| w.succeeded).sum();
    assert_eq!(finished, TOTAL_RUNS as i64 - 1, "all but the running run");
    assert_eq!(
        succeeded,
        2 + (seed::GADGET_RUNS - seed::GADGET_RUNS / 5) as i64
    );
    assert!(
        all.weekly_success
            .iter()
            .all(|w| w.week_start.format("%u").to_string() == "1"),
        "weeks start on Monday"
    );

    let widgets = db
        .store
        .analytics(&AnalyticsQuery {
            repository: Some(WIDGETS.to_owned()),
            since,
        })
        .await
        .unwrap();
    assert_eq!(widgets.score_trend.iter().map(|d| d.runs).sum::<i64>(), 2);
    let nothing_older = db
        .store
        .analytics(&AnalyticsQuery {
            repository: None,
            since: chrono::Utc::now() + chrono::Duration::days(1),
        })
        .await
        .unwrap();
    assert!(nothing_older.score_trend.is_empty());
    assert!(nothing_older.weekly_success.is_empty());
    assert_eq!(nothing_older.components.len(), 4);
    assert_eq!(
        db.store.repositories().await.unwrap(),
        [GADGETS.to_owned(), WIDGETS.to_owned()]
    );
}

#[tokio::test]
async fn untrusted_text_is_shown_as_text() {
    let db = TestDb::new(crate::common::db::Backend::Sqlite).await;
    seed::history(&db.store).await;
    for uri in ["/", "/timeline", &format!("/runs/{HOSTILE_RUN}")] {
        let page = get(&db.store, uri).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}");
        assert!(
            page.body.contains("&lt;script&gt;alert("),
            "{uri} shows the title as text"
        );
        assert!(!page.body.contains("<script"), "{uri} carries a script tag");
        // No script may run at all, whatever slipped through.
        assert!(page
            .header("content-security-policy")
            .starts_with("default-src 'none'"));
        assert_eq!(page.header("x-content-type-options"), "nosniff");
    }
    let run = get(&db.store, &format!("/runs/{HOSTILE_RUN}")).await;
    assert!(run
        .body
        .contains("&lt;img src=x onerror=alert(1)&gt; trust me"));
    assert!(!run.body.contains("<img"));
    // A PR URL that is a script is shown as no link at all.
    for uri in ["/timeline", "/runs/run-sneaky-link"] {
        let page = get(&db.store, uri).await;
        assert!(!page.body.contains("javascript:"), "{uri}");
    }
    let api = get(&db.store, "/api/data?repository=acme/widgets").await;
    // JSON carries the text as it is; it is data, not markup.
    assert!(api
        .body
        .contains("<script>alert('pwned')</script>Fix the parser"));
}

#[tokio::test]
async fn unknown_runs_and_pages_are_404() {
    let db = TestDb::new(crate::common::db::Backend::Sqlite).await;
    seed::history(&db.store).await;
    let missing = get(&db.store, "/runs/no-such-run").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("There is no run `no-such-run`"));
    assert!(missing.body.contains("<h1"), "a page, not bare text");
    let hostile = get(&db.store, "/runs/%3Cscript%3E").await;
    assert_eq!(hostile.status, StatusCode::NOT_FOUND);
    assert!(!hostile.body.contains("<script>"));
    assert_eq!(
        get(&db.store, "/nowhere").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn bad_parameters_are_400_naming_the_parameter() {
    let db = TestDb::new(crate::common::db::Backend::Sqlite).await;
    let timeline = get(&db.store, "/timeline?status=done").await;
    assert_eq!(timeline.status, StatusCode::BAD_REQUEST);
    assert!(timeline.body.contains("`status`"));
    let api = get(&db.store, "/api/data?page=0").await;
    assert_eq!(api.status, StatusCode::BAD_REQUEST);
    assert!(api.json()["error"].as_str().unwrap().contains("`page`"));
    let api = get(&db.store, "/api/data?per_page=1000").await;
    assert_eq!(api.status, StatusCode::BAD_REQUEST);
    let analytics = get(&db.store, "/analytics?days=forever").await;
    assert_eq!(analytics.status, StatusCode::BAD_REQUEST);
    assert!(analytics.body.contains("`days`"));
}

#[tokio::test]
async fn the_token_is_required_when_configured() {
    let db = TestDb::new(crate::common::db::Backend::Sqlite).await;
    seed::history(&db.store).await;
    let token = "correct horse battery staple";
    let guarded = || config(Some(token));

    for uri in [
        "/",
        "/timeline",
        "/analytics",
        "/runs/run-failed",
        "/api/data",
    ] {
        let refused = get_with(&db.store, guarded(), uri, &[]).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{uri}");
        assert!(!refused.body.contains(FAILED_MESSAGE), "{uri} leaks data");
        let wrong = get_with(
            &db.store,
            guarded(),
            uri,
            &[("authorization", "Bearer nope")],
        )
        .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{uri}");
        let right = get_with(
            &db.store,
            guarded(),
            uri,
            &[("authorization", &format!("Bearer {token}"))],
        )
        .await;
        assert_eq!(right.status, StatusCode::OK, "{uri}");
    }
    let refused_api = get_with(&db.store, guarded(), "/api/data", &[]).await;
    assert!(refused_api.json()["error"].is_string());
    let refused_page = get_with(&db.store, guarded(), "/", &[]).await;
    assert!(
        refused_page.body.contains(r#"name="token""#),
        "offers a sign-in form"
    );

    // The sign-in form's `?token=` sets a cookie and leaves the token out of the address.
    let signed_in = get_with(
        &db.store,
        guarded(),
        "/timeline?status=failed&token=correct+horse+battery+staple",
        &[],
    )
    .await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    assert_eq!(signed_in.header("location"), "/timeline?status=failed");
    let cookie = signed_in
        .header("set-cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert!(!cookie.contains("horse"));
    let with_cookie = get_with(&db.store, guarded(), "/timeline", &[("cookie", &cookie)]).await;
    assert_eq!(with_cookie.status, StatusCode::OK);
    let wrong_form = get_with(&db.store, guarded(), "/?token=guess", &[]).await;
    assert_eq!(wrong_form.status, StatusCode::UNAUTHORIZED);

    // Health checks and the stylesheet need no token.
    assert_eq!(
        get_with(&db.store, guarded(), "/healthz", &[]).await.status,
        StatusCode::OK
    );
    assert_eq!(
        get_with(&db.store, guarded(), "/assets/style.css", &[])
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_unreadable_store_is_503_not_a_panic() {
    let db = TestDb::new(crate::common::db::Backend::Sqlite).await;
    seed::history(&db.store).await;
    // Another process breaks the database under the running dashboard.
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(db.url())
        .await
        .unwrap();
    sqlx::query("DROP VIEW system_stats")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("DROP VIEW run_overview")
        .execute(&mut conn)
        .await
        .unwrap();
    let page = get(&db.store, "/").await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.body.contains("Store unavailable"));
    assert!(
        !page.body.contains("system_stats"),
        "no driver detail for visitors"
    );
    let api = get(&db.store, "/api/data").await;
    assert_eq!(api.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(api.json()["error"].is_string());
    let run = get(&db.store, "/runs/run-failed").await;
    assert_eq!(run.status, StatusCode::SERVICE_UNAVAILABLE);
    let health = get(&db.store, "/healthz").await;
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(health.json()["status"], "unavailable");
}

#[test]
fn the_binary_refuses_a_public_address_without_a_token() {
    let ran = bin::Runner::new("automaintainer")
        .arg("dashboard")
        .arg("--bind")
        .arg("0.0.0.0:0")
        .env("AM_DASHBOARD_TOKEN", "")
        .run();
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(ran.stderr.contains("AM_DASHBOARD_TOKEN"), "{}", ran.stderr);
    assert!(ran.stdout.is_empty());
}

#[tokio::test]
async fn the_binary_serves_the_store_named_by_database_url() {
    let db = TestDb::new(crate::common::db::Backend::Sqlite).await;
    seed::history(&db.store).await;
    let port = crate::common::browser::free_port();
    let mut child = std::process::Command::new(bin::path("automaintainer"))
        .args(["dashboard", "--bind", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", db.url())
        .env_remove("AM_DASHBOARD_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!(
        "http://127.0.0.1:{port}/api/data?status={}",
        RunStatus::Failed.as_str()
    );
    let client = reqwest::Client::new();
    let mut answer: Option<Value> = None;
    // The server needs a moment to open the store and listen; polled, never timed.
    for _ in 0..200 {
        if let Ok(response) = client.get(&url).send().await {
            assert_eq!(response.status(), 200);
            answer = Some(response.json().await.unwrap());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let output = child.wait_with_output().unwrap();
    let answer = answer.expect("the dashboard binary never answered");
    assert_eq!(answer["backend"], "sqlite");
    assert_eq!(answer["runs"]["filter"]["status"], "failed");
    assert!(answer["runs"]["total"].as_u64().unwrap() >= 1);
    assert!(
        output.stdout.is_empty(),
        "nothing on stdout but protocol lines"
    );
}

#[tokio::test]
async fn the_run_page_shows_how_long_each_phase_took() {
    let db = TestDb::new(crate::common::db::Backend::Sqlite).await;
    crate::common::db::register(db.store.as_ref(), "run-1", "/srv/git/x.git", at(0)).await;
    for phase in ["setup", "context", "select"] {
        db.store.set_phase("run-1", phase).await.unwrap();
    }
    // The store times phases by the clock; fixed times make the page's durations known.
    let sqlite = automaintainer::store::SqliteStore::connect(db.url())
        .await
        .unwrap();
    for (phase, start, end) in [
        ("setup", "00:00:00", Some("00:00:12")),
        ("context", "00:00:12", Some("00:04:17")),
        ("select", "00:04:17", None),
    ] {
        let text = |hms: &str| format!("2026-01-01T{hms}.000000Z");
        sqlx::query("UPDATE run_phases SET started_at = ?2, finished_at = ?3 WHERE phase = ?1")
            .bind(phase)
            .bind(text(start))
            .bind(end.map(text))
            .execute(sqlite.pool())
            .await
            .unwrap();
    }

    let page = get(&db.store, "/runs/run-1").await;
    assert_eq!(page.status, StatusCode::OK);
    let time = |duration: &str| format!(r#"<span class="phase-time">{duration}</span>"#);
    assert!(page.body.contains(&time("12s")), "setup: {}", page.body);
    assert!(
        page.body.contains(&time("4m 05s")),
        "context: {}",
        page.body
    );
    // The running phase counts up to now; phases not reached have no time.
    assert_eq!(page.body.matches(r#"class="phase-time""#).count(), 3);
}
