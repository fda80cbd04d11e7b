//! Every page in headless Chromium over a seeded SQLite store served on a free port: the pages
//! render their data, the charts are drawn, the timeline filter works, and at phone width
//! nothing scrolls sideways. Set `AM_DASHBOARD_SCREENSHOTS=<dir>` to keep screenshots.

use automaintainer::store::Store;
use fantoccini::Locator;
use std::sync::Arc;

use super::harness::{config, Server};
use super::seed::{self, FAILED_RUN, HOSTILE_RUN, TOTAL_RUNS};
use crate::common::browser::Browser;
use crate::common::db::{Backend, TestDb};

const PAGES: [&str; 4] = ["/", "/timeline", "/analytics", "/runs/run-hostile"];

async fn seeded() -> (TestDb, Server) {
    let db = TestDb::new(Backend::Sqlite).await;
    seed::history(&db.store).await;
    let store: Arc<dyn Store> = db.store.clone();
    let server = Server::start(store, config(None)).await;
    (db, server)
}

async fn screenshot(browser: &Browser, name: &str) {
    let Some(dir) = std::env::var_os("AM_DASHBOARD_SCREENSHOTS") else {
        return;
    };
    // The whole page: the window grows to the page's height for the shot, then shrinks back.
    let (width, height) = browser.client.get_window_size().await.unwrap();
    let (width, height) = (width as u32, height as u32);
    let page_height = browser
        .eval("return document.documentElement.scrollHeight;")
        .await
        .as_u64()
        .unwrap_or(u64::from(height)) as u32;
    let chrome = height.saturating_sub(browser_inner_height(browser).await);
    let tall = page_height.clamp(height, 4_000) + chrome;
    browser.client.set_window_size(width, tall).await.unwrap();
    let png = browser.client.screenshot().await.expect("screenshot");
    browser.client.set_window_size(width, height).await.unwrap();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png).unwrap();
}

async fn browser_inner_height(browser: &Browser) -> u32 {
    browser
        .eval("return window.innerHeight;")
        .await
        .as_u64()
        .unwrap_or(0) as u32
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_pages_render_their_data_and_charts() {
    let (_db, server) = seeded().await;
    let browser = Browser::start().await;

    browser.client.goto(&server.url("/")).await.unwrap();
    assert_eq!(browser.text("h1").await, "Overview");
    assert_eq!(
        browser.text(r#"[data-stat="runs"] .value"#).await,
        TOTAL_RUNS.to_string()
    );
    assert_eq!(
        browser.text(r#"[data-stat="prs_merged"] .value"#).await,
        "1"
    );
    assert!(browser.text("#last-run-card").await.contains("run-running"));
    // The untrusted title is text on the page, and no script ran.
    let page_text = browser.text("main").await;
    assert!(page_text.contains("<script>alert('pwned')</script>Fix the parser"));
    assert_eq!(browser.count("main script").await, 0);
    screenshot(&browser, "overview").await;

    browser
        .client
        .goto(&server.url("/analytics"))
        .await
        .unwrap();
    assert_eq!(browser.count("svg.chart").await, 6);
    // The charts are drawn, not just present: points, bars, columns with real sizes.
    assert!(browser.count("svg.chart-line circle.chart-point").await >= 10);
    assert!(browser.count("svg.chart-bars rect.chart-bar").await >= 4 + 2);
    let drawn_width = browser
        .eval("return document.querySelector('[data-chart=score_trend] svg').getBoundingClientRect().width;")
        .await;
    assert!(drawn_width.as_f64().unwrap() > 200.0, "{drawn_width}");
    screenshot(&browser, "analytics").await;

    browser
        .client
        .goto(&server.url(&format!("/runs/{HOSTILE_RUN}")))
        .await
        .unwrap();
    assert!(browser.text("h1").await.starts_with("<script>"));
    assert!(browser
        .text("#review")
        .await
        .contains("<img src=x onerror=alert(1)> trust me"));
    assert_eq!(browser.count("#review img").await, 0);
    assert_eq!(browser.count("ol.phases li.done").await, 10);
    assert!(browser.text("#evaluation").await.contains("82.5"));
    let pr_link = browser
        .client
        .find(Locator::Css("#pull-request a"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap();
    assert_eq!(
        pr_link.as_deref(),
        Some("https://github.com/acme/widgets/pull/42")
    );
    screenshot(&browser, "run").await;

    browser
        .client
        .goto(&server.url(&format!("/runs/{FAILED_RUN}")))
        .await
        .unwrap();
    assert!(browser.text("#errors").await.contains(seed::FAILED_MESSAGE));
    assert_eq!(browser.count("ol.phases li.failed").await, 1);

    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_timeline_filter_and_paging_work() {
    let (_db, server) = seeded().await;
    let browser = Browser::start().await;

    browser.client.goto(&server.url("/timeline")).await.unwrap();
    assert_eq!(browser.count("tr[data-run]").await, 25);
    // Choose a state and a repository the way a visitor does, and submit.
    browser
        .click(Locator::Css("#status option[value=failed]"))
        .await;
    browser
        .click(Locator::Css("#repository option[value='acme/widgets']"))
        .await;
    browser.click(Locator::Id("apply-filter")).await;
    let url = browser.wait_for_url("status=failed").await;
    assert!(
        url.query()
            .unwrap_or("")
            .contains("repository=acme%2Fwidgets"),
        "{url}"
    );
    let rows = browser
        .eval("return [...document.querySelectorAll('tr[data-run]')].map(r => [r.dataset.run, r.dataset.status, r.dataset.repository]);")
        .await;
    assert_eq!(
        rows,
        serde_json::json!([[FAILED_RUN, "failed", "acme/widgets"]]),
        "only the failed widget run"
    );
    // The filter keeps its choice after the reload.
    let chosen = browser
        .eval("return document.querySelector('#status').value;")
        .await;
    assert_eq!(chosen, "failed");

    // Paging through all runs.
    browser.client.goto(&server.url("/timeline")).await.unwrap();
    browser.click(Locator::Css("a[rel=next]")).await;
    browser.wait_for_url("page=2").await;
    assert_eq!(browser.count("tr[data-run]").await, TOTAL_RUNS - 25);
    assert!(browser.text(".pager").await.contains("Page 2 of 2"));
    screenshot(&browser, "timeline").await;

    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_phone_width_never_scrolls_sideways() {
    let (_db, server) = seeded().await;
    let browser = Browser::start().await;
    browser.client.set_window_size(375, 812).await.unwrap();

    for path in PAGES
        .iter()
        .copied()
        .chain(["/runs/run-failed", "/runs/nope"])
    {
        browser.client.goto(&server.url(path)).await.unwrap();
        let sizes = browser
            .eval("return [window.innerWidth, document.documentElement.scrollWidth, document.documentElement.clientWidth];")
            .await;
        let [inner, scroll, client] = [0, 1, 2].map(|i| sizes[i].as_f64().unwrap());
        assert!(inner <= 400.0, "the viewport is phone-sized: {sizes}");
        assert!(
            scroll <= client,
            "{path} scrolls sideways at phone width: scrollWidth {scroll} > clientWidth {client}"
        );
        let name = format!("phone{}", path.replace('/', "_"));
        screenshot(&browser, &name).await;
    }
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_run_page_shows_the_diff_at_phone_and_desktop_width() {
    let (_db, server) = seeded().await;
    let browser = Browser::start().await;
    for width in [375_u32, 1280] {
        browser.client.set_window_size(width, 900).await.unwrap();
        browser
            .client
            .goto(&server.url(&format!("/runs/{HOSTILE_RUN}")))
            .await
            .unwrap();
        assert_eq!(
            browser.count("details.diff-file[open]").await,
            1,
            "at {width}px"
        );
        assert_eq!(browser.count(".diff tr.add").await, 1);
        assert_eq!(browser.count(".diff tr.del").await, 1);
        assert!(browser.count(".diff .tk-kw").await >= 2);
        assert!(browser.count(".diff .tk-com").await >= 1);
        // The diff's markup is text: no element came from it.
        assert_eq!(browser.count("main script").await, 0);
        assert!(browser
            .text(".diff tr.add")
            .await
            .contains("<script>alert('diff')</script>"));
        assert!(browser
            .text("#commits + ul")
            .await
            .contains("Fix the parser"));
        let sizes = browser
            .eval("const d = document.querySelector('.diff'); return [document.documentElement.scrollWidth, document.documentElement.clientWidth, d.scrollWidth, d.clientWidth];")
            .await;
        let [page_scroll, page_client, diff_scroll, diff_client] =
            [0, 1, 2, 3].map(|i| sizes[i].as_f64().unwrap());
        assert!(
            page_scroll <= page_client,
            "the run page scrolls sideways at {width}px: {sizes}"
        );
        if width == 375 {
            // The long line scrolls inside the diff block, not the page.
            assert!(diff_scroll > diff_client, "{sizes}");
        }
        screenshot(&browser, &format!("run-diff-{width}")).await;
    }
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_run_page_shows_the_conversation_collapsed_and_inert() {
    let (_db, server) = seeded().await;
    let browser = Browser::start().await;
    browser.client.set_window_size(375, 812).await.unwrap();
    browser
        .client
        .goto(&server.url(&format!("/runs/{HOSTILE_RUN}")))
        .await
        .unwrap();
    assert_eq!(browser.count("details.transcript").await, 1);
    assert_eq!(
        browser.count("details.transcript[open]").await,
        0,
        "collapsed"
    );
    browser
        .client
        .find(Locator::Css("details.transcript > summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(browser.count("details.transcript[open]").await, 1);
    assert_eq!(browser.count(".transcript-entries > li").await, 5);
    assert!(browser
        .text(".transcript-entries")
        .await
        .contains("<script>alert('transcript')</script>"));
    assert_eq!(browser.count("main script").await, 0, "the result is text");
    let sizes = browser
        .eval(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];",
        )
        .await;
    let [scroll, client] = [0, 1].map(|i| sizes[i].as_f64().unwrap());
    assert!(
        scroll <= client,
        "the open conversation scrolls sideways: {sizes}"
    );
    screenshot(&browser, "run-transcript-phone").await;
    browser.close().await;
}
