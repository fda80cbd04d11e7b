//! Notifications to a webhook, received by a local HTTP server: a real local run tells it about
//! the pull request it opened and the day's digest, the next run's lifecycle sync about the
//! merge; a failed run is told without its secrets; a receiver that answers 500 or is not there
//! at all fails no run; the digest sums up the last 24 hours across repositories.

use automaintainer::notify::digest;
use automaintainer::store::{RunFailure, RunStatus, SpendRow};
use serde_json::Value;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::bin::run_locally_with;
use crate::common::db::{artifacts, register, TestDb};
use crate::common::{git, llm_stub};

/// The webhook's path: like Slack's, it is the token.
const HOOK_PATH: &str = "/services/T0000/B0000/hook-token-0123456789abcdef";

async fn receiver(status: u16) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(status))
        .mount(&server)
        .await;
    server
}

fn hook_url(server: &MockServer) -> String {
    format!("{}{HOOK_PATH}", server.uri())
}

/// The JSON bodies the receiver got, in order.
async fn bodies(server: &MockServer) -> Vec<Value> {
    llm_stub::request_bodies(server).await
}

fn texts(bodies: &[Value], field: &str) -> Vec<String> {
    bodies
        .iter()
        .map(|b| b[field].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn assert_no_secret(bodies: &[Value], secrets: &[&str]) {
    for body in bodies {
        let text = body.to_string();
        for secret in secrets {
            assert!(!text.contains(secret), "a secret in {text}");
        }
    }
}

#[tokio::test]
async fn a_local_run_notifies_its_pull_request_the_digest_and_later_the_merge() {
    let data = tempfile::tempdir().unwrap();
    let server = receiver(200).await;
    let url = hook_url(&server);
    let env = [("AM_WEBHOOK_URL", url.as_str())];

    run_locally_with(data.path(), &[], &env).await.assert_ok();
    let received = bodies(&server).await;
    let said = texts(&received, "text");
    assert_eq!(said.len(), 2, "{said:?}");
    let remote = data.path().join("example/remote.git");
    let identity = remote.canonicalize().unwrap().display().to_string();
    assert!(
        said[0].starts_with(&format!(
            "AutoMaintainer opened pull request #1 on {identity}: "
        )),
        "{said:?}"
    );
    // The run's cleanup, the first of the day, sends the digest, which counts that run.
    assert!(
        said[1].starts_with("AutoMaintainer daily digest, "),
        "{said:?}"
    );
    assert!(
        said[1].contains("runs 1 on repositories 1 (1 succeeded"),
        "{}",
        said[1]
    );
    assert!(
        said[1].contains(&format!("- {identity}: runs 1, 1 succeeded")),
        "{}",
        said[1]
    );
    assert!(received.iter().all(|b| b.get("content").is_none()));

    // A maintainer merges the pull request (a fast-forward of main on the remote); the next
    // run's lifecycle sync sees it and says so. The digest was sent today already.
    let branches = git::git(&remote, &["branch", "--list", "automaintainer/*"]);
    let branch = branches.trim().trim_start_matches("* ").to_owned();
    let head = git::git(&remote, &["rev-parse", &branch]);
    git::git(&remote, &["update-ref", "refs/heads/main", head.trim()]);
    let ran = run_locally_with(data.path(), &[], &env).await;
    ran.assert_ok();
    let received = bodies(&server).await;
    let said = texts(&received, "text");
    assert_eq!(said.len(), 3, "{said:?}\n{}", ran.stderr);
    assert!(
        said[2].starts_with(&format!(
            "AutoMaintainer's pull request #1 on {identity} was merged: "
        )),
        "{said:?}"
    );
    assert_no_secret(&received, &[HOOK_PATH, "hook-token-0123456789abcdef"]);
    assert!(!ran.stderr.contains("hook-token"), "{}", ran.stderr);
}

#[tokio::test]
async fn a_failed_run_is_notified_without_its_secrets() {
    let data = tempfile::tempdir().unwrap();
    let hook = receiver(204).await;
    let url = hook_url(&hook);
    // The model server refuses the key and quotes it back.
    let model = MockServer::start().await;
    llm_stub::mount_openai(
        &model,
        vec![ResponseTemplate::new(401).set_body_string(format!(
            "invalid api key {} for {url}",
            llm_stub::OPENAI_KEY
        ))],
    )
    .await;
    let spec = llm_stub::openai_spec(&model);
    let env = [
        ("AM_WEBHOOK_URL", url.as_str()),
        ("AM_WEBHOOK_FORMAT", "discord"),
        ("AM_WEBHOOK_EVENTS", "run_failed,pr_opened"),
        ("AM_LLM", spec.as_str()),
        ("AM_LLM_MAX_RETRIES", "0"),
        ("OPENAI_API_KEY", llm_stub::OPENAI_KEY),
    ];
    let ran = run_locally_with(data.path(), &[], &env).await;
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    let received = bodies(&hook).await;
    let said = texts(&received, "content");
    assert_eq!(said.len(), 1, "only the failure, no digest: {said:?}");
    assert!(said[0].starts_with("AutoMaintainer run local-"), "{said:?}");
    assert!(said[0].contains(" failed in select: "), "{said:?}");
    assert!(said[0].contains("HTTP 401"), "{said:?}");
    assert!(received[0].get("text").is_none(), "{:?}", received[0]);
    assert_no_secret(
        &received,
        &[
            llm_stub::OPENAI_KEY,
            HOOK_PATH,
            "hook-token-0123456789abcdef",
        ],
    );
}

#[tokio::test]
async fn a_webhook_that_fails_or_is_gone_fails_no_run() {
    let data = tempfile::tempdir().unwrap();
    let failing = receiver(500).await;
    let url = hook_url(&failing);
    let ran = run_locally_with(data.path(), &[], &[("AM_WEBHOOK_URL", url.as_str())]).await;
    ran.assert_ok();
    assert!(
        ran.stderr
            .contains("could not notify the webhook of pr_opened: the webhook answered HTTP 500"),
        "{}",
        ran.stderr
    );
    // Both the pull request and the digest were tried.
    assert_eq!(failing.received_requests().await.unwrap().len(), 2);
    assert!(!ran.stderr.contains("hook-token"), "{}", ran.stderr);

    // Nobody listens on the port any more: the digest, given back after the failure, is tried
    // again by the next run, which cannot connect and still succeeds.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        format!("http://127.0.0.1:{port}{HOOK_PATH}")
    };
    let ran = run_locally_with(data.path(), &[], &[("AM_WEBHOOK_URL", closed.as_str())]).await;
    ran.assert_ok();
    assert!(
        ran.stderr
            .contains("could not notify the webhook of digest: could not connect to the webhook"),
        "{}",
        ran.stderr
    );
    assert!(!ran.stderr.contains("hook-token"), "{}", ran.stderr);
}

async fn the_digest_sums_up_the_last_day_across_repositories(db: TestDb) {
    let store = db.store.as_ref();
    let now = automaintainer::store::clock::now();
    let hours = |h: i64| now - chrono::Duration::hours(h);
    register(store, "merged-run", "github.com/o/alpha", hours(5)).await;
    store
        .persist_artifacts(&artifacts(
            "merged-run",
            "github.com/o/alpha",
            "am/one",
            80.0,
        ))
        .await
        .unwrap();
    store
        .close_run("merged-run", RunStatus::Succeeded)
        .await
        .unwrap();
    store
        .set_pull_request_state("github.com/o/alpha", "am/one", "merged", true)
        .await
        .unwrap();
    register(store, "broken-run", "github.com/o/beta", hours(3)).await;
    store
        .record_failure(&RunFailure {
            run_id: "broken-run".to_owned(),
            phase: "implement".to_owned(),
            message: "failed to commit\n  caused by: disk full".to_owned(),
            at: hours(2),
        })
        .await
        .unwrap();
    // Older than a day: not in the digest.
    register(store, "old-run", "github.com/o/gamma", hours(30)).await;
    store
        .add_spend(&SpendRow {
            repository: "github.com/o/alpha".to_owned(),
            day: automaintainer::store::spend::day_of(now),
            calls: 2,
            input_tokens: 1500,
            output_tokens: 500,
            cost_usd: 0.5,
        })
        .await
        .unwrap();

    let text = digest::collect(store, automaintainer::store::clock::now())
        .await
        .unwrap()
        .text();
    assert!(
        text.contains("runs 2 on repositories 2 (1 succeeded, 0 nothing to do, 1 failed"),
        "{text}"
    );
    assert!(
        text.contains("pull requests opened or updated 1, merged 1"),
        "{text}"
    );
    assert!(text.contains("model spend 2000 tokens, $0.50"), "{text}");
    assert!(
        text.contains("- github.com/o/alpha: runs 1, 1 succeeded, 0 failed, pull requests #1, last score 80.0, 1 merged"),
        "{text}"
    );
    assert!(
        text.contains(
            "- failed: run broken-run on github.com/o/beta in implement: failed to commit"
        ),
        "{text}"
    );
    assert!(!text.contains("gamma"), "{text}");
    assert!(!text.contains("disk full"), "one line per failure: {text}");
}

crate::store_tests!(the_digest_sums_up_the_last_day_across_repositories);
