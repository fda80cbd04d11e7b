//! am-review as a binary against a GitHub stub: pagination, waiting, notices, the fallback.

use super::*;

fn write_github_pr(run: &PrRun, number: u64, head: &str) {
    let pr = json!({
        "action": "created", "forge": "github", "repository": "github.com/octo/hello", "number": number,
        "url": format!("https://github.com/octo/hello/pull/{number}"), "branch": BRANCH,
        "base_branch": "main", "head_commit": head, "title": "Handle an empty config file",
        "body": "", "draft": false, "labels": []
    });
    std::fs::write(run.run_dir.join("pr.json"), pr.to_string()).unwrap();
}

async fn am_review(server: &MockServer, input: Value) -> Ran {
    let uri = server.uri();
    tokio::task::spawn_blocking(move || {
        Runner::new("am-review")
            .env("GITHUB_TOKEN", TOKEN)
            .env("AM_GITHUB_API_URL", uri)
            .env_remove("AM_REVIEW")
            .input_json(&input)
            .run()
    })
    .await
    .unwrap()
}

async fn mount_list(server: &MockServer, route: &str, items: Value) {
    authed("GET", &repo_path(route))
        .respond_with(ResponseTemplate::new(200).set_body_json(items))
        .mount(server)
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn am_review_reads_coderabbit_across_pages() {
    let tmp = tempfile::tempdir().unwrap();
    let run = PrRun::new(tmp.path());
    write_github_pr(&run, 7, HEAD);
    let activity = reviewed_activity();
    let server = MockServer::start().await;
    // Reviews come in two pages: the bot's review of the head commit is on the second.
    let next = format!(
        "{}{}?per_page=100&page=2",
        server.uri(),
        repo_path("/pulls/7/reviews")
    );
    authed("GET", &repo_path("/pulls/7/reviews"))
        .and(query_param_is_missing("page"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("link", format!("<{next}>; rel=\"next\"").as_str())
                .set_body_json(json!(&activity.reviews[..2])),
        )
        .mount(&server)
        .await;
    authed("GET", &repo_path("/pulls/7/reviews"))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!(&activity.reviews[2..])))
        .expect(1)
        .mount(&server)
        .await;
    mount_list(
        &server,
        "/pulls/7/comments",
        json!(activity.review_comments),
    )
    .await;
    mount_list(
        &server,
        "/issues/7/comments",
        json!(activity.issue_comments),
    )
    .await;

    let ran = am_review(
        &server,
        json!({"run_id": "run-1", "run_dir": run.run_dir, "wait_secs": 5}),
    )
    .await;
    ran.assert_ok();
    let outputs = ran.outputs();
    assert_eq!(outputs["source"], "coderabbit");
    assert_eq!(outputs["status"], "reviewed");
    assert_eq!(outputs["counts"]["total"], 8);
    let review = run.read("review.json");
    assert_eq!(review["complexity_score"], 60.0);
    assert_eq!(
        review["findings"][0]["title"],
        "Avoid panicking on a malformed port"
    );
    assert_eq!(ran.metric("review_findings").unwrap()["value"], 8.0);
}

#[tokio::test(flavor = "multi_thread")]
async fn am_review_waits_until_the_head_commit_is_reviewed() {
    let tmp = tempfile::tempdir().unwrap();
    let run = PrRun::new(tmp.path());
    write_github_pr(&run, 7, HEAD);
    let server = MockServer::start().await;
    // The first look finds only the review of an older commit; the second, the head's.
    authed("GET", &repo_path("/pulls/7/reviews"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([review(
            1,
            BOT,
            "0ld0ld0ld",
            &fixture("review_body_actionable.md")
        )])))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    mount_list(
        &server,
        "/pulls/7/reviews",
        json!([review(
            2,
            BOT,
            HEAD,
            &fixture("review_body_no_actionable.md")
        )]),
    )
    .await;
    mount_list(&server, "/pulls/7/comments", json!([])).await;
    mount_list(
        &server,
        "/issues/7/comments",
        json!([comment(
            1,
            BOT,
            "2026-11-24T09:00:00Z",
            &fixture("walkthrough_initial.md")
        )]),
    )
    .await;
    let input = json!({"run_id": "run-1", "run_dir": run.run_dir, "wait_secs": 30, "poll_interval_secs": 1});
    let ran = am_review(&server, input).await;
    ran.assert_ok();
    let review = run.read("review.json");
    assert_eq!(
        (review["source"].as_str(), review["status"].as_str()),
        (Some("coderabbit"), Some("reviewed"))
    );
    assert_eq!(
        review["findings"],
        json!([]),
        "the old commit's findings are not this one's"
    );
    assert_eq!(github_requests(&server, "/pulls/7/reviews").await, 2);
}

async fn github_requests(server: &MockServer, route: &str) -> usize {
    crate::common::github::requests(server, "GET", &repo_path(route))
        .await
        .len()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_paused_or_rate_limited_coderabbit_gets_the_local_review_alongside() {
    for (fixture_name, said) in [
        (
            "notice_rate_limited.md",
            "CodeRabbit: rate limited: @octo-maintainer has exceeded",
        ),
        ("notice_paused.md", "CodeRabbit: reviews paused"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let run = PrRun::new(tmp.path());
        write_github_pr(&run, 7, &run.head_commit);
        let server = MockServer::start().await;
        mount_list(&server, "/pulls/7/reviews", json!([])).await;
        mount_list(&server, "/pulls/7/comments", json!([])).await;
        mount_list(
            &server,
            "/issues/7/comments",
            json!([comment(
                1,
                BOT,
                "2026-11-24T09:00:00Z",
                &fixture(fixture_name)
            )]),
        )
        .await;
        let ran = am_review(
            &server,
            json!({"run_id": "run-1", "run_dir": run.run_dir, "wait_secs": 60, "linters": false}),
        )
        .await;
        ran.assert_ok();
        let review = run.read("review.json");
        // Reviewed (and so scored) by the local review, with CodeRabbit's notice beside it.
        assert_eq!(review["source"], "local", "{fixture_name}");
        assert_eq!(review["status"], "reviewed", "{fixture_name}");
        assert!(
            review["notice"].as_str().unwrap().starts_with(said),
            "{fixture_name}: {review}"
        );
        let summary = review["summary"].as_str().unwrap();
        assert!(
            summary.starts_with("Local review of 1 file(s)")
                && summary.contains("CodeRabbit did not review this commit"),
            "{summary}"
        );
        assert!(review["risk_flags"]
            .as_array()
            .unwrap()
            .contains(&json!("not reviewed by CodeRabbit")));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn am_review_falls_back_to_the_local_review_when_coderabbit_is_silent() {
    let tmp = tempfile::tempdir().unwrap();
    let run = PrRun::new(tmp.path());
    write_github_pr(&run, 7, &run.head_commit);
    let server = MockServer::start().await;
    mount_list(&server, "/pulls/7/reviews", json!([])).await;
    mount_list(&server, "/pulls/7/comments", json!([])).await;
    mount_list(&server, "/issues/7/comments", json!([])).await;
    let input =
        json!({"run_id": "run-1", "run_dir": run.run_dir, "wait_secs": 0, "linters": false});
    let ran = am_review(&server, input).await;
    ran.assert_ok();
    let review = run.read("review.json");
    assert_eq!(review["source"], "local");
    assert_eq!(review["status"], "reviewed");
    assert!(
        review["summary"]
            .as_str()
            .unwrap()
            .contains("CodeRabbit gave no review"),
        "{review}"
    );
}
