//! am-open-pr as a binary against a GitHub stub (method, path, token and body checked) and a real
//! bare remote.

use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::bin::{Ran, Runner};
use crate::common::github::{self, authed, pull, repo_path, FakePulls, TOKEN};
use crate::common::pr_run::{PrRun, BRANCH};

async fn open_pr(server: &MockServer, input: Value) -> Ran {
    let uri = server.uri();
    tokio::task::spawn_blocking(move || {
        Runner::new("am-open-pr")
            .env("GITHUB_TOKEN", TOKEN)
            .env("AM_GITHUB_API_URL", uri)
            .env_remove("AM_FORGE")
            .input_json(&input)
            .run()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn github_creates_the_pr_after_pushing_the_branch() {
    let tmp = tempfile::tempdir().unwrap();
    let run = PrRun::new(tmp.path());
    std::fs::write(run.clone.join(".automaintainer.yml"), "draft: true\n").unwrap();
    let server = MockServer::start().await;
    FakePulls::default().mount(&server).await;

    let ran = open_pr(&server, run.open_pr_input(&github::repository_url())).await;
    ran.assert_ok();
    let outputs = ran.outputs();
    assert_eq!(outputs["status"], "created");
    assert_eq!(outputs["forge"], "github");
    assert_eq!(outputs["number"], 1);

    let created = github::requests(&server, "POST", &repo_path("/pulls")).await;
    assert_eq!(created.len(), 1);
    let body: Value = created[0].body_json().unwrap();
    assert_eq!(body["title"], "Handle an empty config file");
    assert_eq!(body["head"], BRANCH);
    assert_eq!(body["base"], "main");
    assert_eq!(body["draft"], true, "draft from .automaintainer.yml");
    let text = body["body"].as_str().unwrap();
    assert!(
        text.contains("An empty config.toml makes the server exit"),
        "{text}"
    );
    assert!(text.contains("- `src/config.rs` (+3 -0)"), "{text}");
    assert!(text.contains("| `cargo test` | passed | 2 |"), "{text}");
    assert!(text.contains("Closes #42"), "{text}");
    let labels = github::requests(&server, "POST", &repo_path("/issues/1/labels")).await;
    assert_eq!(
        labels[0].body_json::<Value>().unwrap(),
        json!({"labels": ["automaintainer"]})
    );

    // The branch reached the remote before the PR was opened, and the token stayed out of git.
    assert_eq!(
        run.remote_branch().as_deref(),
        Some(run.head_commit.as_str())
    );
    let config = std::fs::read_to_string(run.clone.join(".git/config")).unwrap();
    assert!(!config.contains(TOKEN));

    let pr = run.read("pr.json");
    assert_eq!(pr["action"], "created");
    assert_eq!(pr["number"], 1);
    assert_eq!(pr["repository"], "github.com/octo/hello");
    assert_eq!(pr["url"], "https://github.com/octo/hello/pull/1");
    assert_eq!(pr["head_commit"], run.head_commit.as_str());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_repeated_run_updates_the_open_pr_instead_of_opening_another() {
    let tmp = tempfile::tempdir().unwrap();
    let run = PrRun::new(tmp.path());
    let server = MockServer::start().await;
    FakePulls::default().mount(&server).await;

    open_pr(&server, run.open_pr_input(&github::repository_url()))
        .await
        .assert_ok();
    // The next run's change differs: the PR is updated (an identical one is `unchanged`, see
    // the lifecycle tests).
    crate::common::git::git(
        &run.clone,
        &[
            "commit",
            "-q",
            "--amend",
            "-m",
            "Handle an empty config file, better",
        ],
    );
    std::fs::write(run.clone.join("src/config.rs"), "/// Loads the configuration.\npub fn load(text: &str) -> Option<u16> {\n    text.trim().parse().ok().or(Some(8080))\n}\n").unwrap();
    crate::common::git::git(&run.clone, &["commit", "-q", "-a", "--amend", "--no-edit"]);
    let mut implementation = run.implementation(Some(42));
    implementation["commit"] = json!(crate::common::git::git(&run.clone, &["rev-parse", "HEAD"]));
    std::fs::write(
        run.run_dir.join("implementation.json"),
        implementation.to_string(),
    )
    .unwrap();
    let again = open_pr(&server, run.open_pr_input(&github::repository_url())).await;
    again.assert_ok();
    assert_eq!(again.outputs()["status"], "updated", "{}", again.stderr);
    assert_eq!(again.outputs()["number"], 1);
    assert_eq!(
        github::requests(&server, "POST", &repo_path("/pulls"))
            .await
            .len(),
        1
    );
    let updates = github::requests(&server, "PATCH", &repo_path("/pulls/1")).await;
    assert_eq!(updates.len(), 1);
    let body: Value = updates[0].body_json().unwrap();
    assert_eq!(body["title"], "Handle an empty config file");
    assert!(
        body.get("state").is_none(),
        "an update does not touch the state"
    );
    assert_eq!(run.read("pr.json")["action"], "updated");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pr_closed_unmerged_is_not_reopened_or_pushed_to() {
    let tmp = tempfile::tempdir().unwrap();
    let run = PrRun::new(tmp.path());
    let server = MockServer::start().await;
    FakePulls::with(vec![pull(5, BRANCH, "closed", false)])
        .mount(&server)
        .await;

    let ran = open_pr(&server, run.open_pr_input(&github::repository_url())).await;
    ran.assert_ok();
    assert_eq!(ran.outputs()["status"], "skipped_closed");
    assert_eq!(ran.outputs()["number"], 5);
    assert!(github::requests(&server, "POST", &repo_path("/pulls"))
        .await
        .is_empty());
    assert!(github::requests(&server, "PATCH", &repo_path("/pulls/5"))
        .await
        .is_empty());
    assert_eq!(
        run.remote_branch(),
        None,
        "nothing pushed for a PR left closed"
    );
    assert_eq!(run.read("pr.json")["action"], "skipped_closed");
}

#[tokio::test(flavor = "multi_thread")]
async fn reopen_closed_in_the_repo_config_reopens_it() {
    let tmp = tempfile::tempdir().unwrap();
    let run = PrRun::new(tmp.path());
    std::fs::write(
        run.clone.join(".automaintainer.yml"),
        "reopen_closed: true\nlabels: [bot, chore]\n",
    )
    .unwrap();
    let server = MockServer::start().await;
    FakePulls::with(vec![pull(5, BRANCH, "closed", false)])
        .mount(&server)
        .await;

    let ran = open_pr(&server, run.open_pr_input(&github::repository_url())).await;
    ran.assert_ok();
    assert_eq!(ran.outputs()["status"], "updated");
    let patch = github::requests(&server, "PATCH", &repo_path("/pulls/5")).await;
    assert_eq!(patch[0].body_json::<Value>().unwrap()["state"], "open");
    let labels = github::requests(&server, "POST", &repo_path("/issues/5/labels")).await;
    assert_eq!(
        labels[0].body_json::<Value>().unwrap(),
        json!({"labels": ["bot", "chore"]})
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_validation_error_is_reported_with_githubs_message() {
    let tmp = tempfile::tempdir().unwrap();
    let run = PrRun::new(tmp.path());
    let server = MockServer::start().await;
    authed("GET", &repo_path("/pulls"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    authed("POST", &repo_path("/pulls"))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({
            "message": "Validation Failed",
            "errors": [{"resource": "PullRequest", "code": "custom", "message": "No commits between main and automaintainer/handle-empty-config"}],
            "documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request"
        })))
        .expect(1)
        .mount(&server)
        .await;

    let ran = open_pr(&server, run.open_pr_input(&github::repository_url())).await;
    assert_eq!(ran.code, 1, "{ran:?}");
    let first = ran.stderr.lines().next().unwrap();
    assert_eq!(
        first,
        "am-open-pr: failed to create the pull request: GitHub rejected the request: Validation Failed: No commits between main and automaintainer/handle-empty-config"
    );
    assert!(!ran.stderr.contains(TOKEN));
}

/// am-open-pr against a GitHub that answers the first `verb` call on the pulls endpoint with
/// `failure` and then works: the PR must be created after exactly one more try.
async fn created_after_one_failure(verb: &str, failure: ResponseTemplate) -> Ran {
    let tmp = tempfile::tempdir().unwrap();
    let run = PrRun::new(tmp.path());
    let server = MockServer::start().await;
    authed(verb, &repo_path("/pulls"))
        .respond_with(failure)
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    FakePulls::default().mount(&server).await;
    let ran = open_pr(&server, run.open_pr_input(&github::repository_url())).await;
    ran.assert_ok();
    assert_eq!(ran.outputs()["status"], "created");
    assert_eq!(
        github::requests(&server, verb, &repo_path("/pulls"))
            .await
            .len(),
        2
    );
    ran
}

#[tokio::test(flavor = "multi_thread")]
async fn a_secondary_rate_limit_is_waited_out_then_the_call_succeeds() {
    let ran = created_after_one_failure(
        "GET",
        ResponseTemplate::new(403)
            .insert_header("retry-after", "1")
            .set_body_json(json!({"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."})),
    )
    .await;
    assert!(ran.stderr.contains("rate limit"), "{}", ran.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rate_limit_longer_than_the_limit_fails_without_waiting() {
    let tmp = tempfile::tempdir().unwrap();
    let run = PrRun::new(tmp.path());
    let server = MockServer::start().await;
    authed("GET", &repo_path("/pulls"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", "9999999999")
                .set_body_json(json!({"message": "API rate limit exceeded"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let mut input = run.open_pr_input(&github::repository_url());
    input["rate_limit_wait_secs"] = json!(5);
    let ran = open_pr(&server, input).await;
    assert_eq!(ran.code, 1);
    assert!(
        ran.stderr
            .contains("still rate limited after waiting 0s (the limit is 5s)"),
        "{}",
        ran.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn server_errors_are_retried() {
    created_after_one_failure(
        "POST",
        ResponseTemplate::new(502).set_body_string("<html>Bad Gateway</html>"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_branch_lookup_follows_pagination() {
    let tmp = tempfile::tempdir().unwrap();
    let run = PrRun::new(tmp.path());
    let server = MockServer::start().await;
    let next = format!("{}{}?state=all&page=2", server.uri(), repo_path("/pulls"));
    authed("GET", &repo_path("/pulls"))
        .and(query_param_is_missing("page"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header(
                    "link",
                    format!("<{next}>; rel=\"next\", <{next}>; rel=\"last\"").as_str(),
                )
                .set_body_json(json!([pull(3, BRANCH, "closed", true)])),
        )
        .mount(&server)
        .await;
    authed("GET", &repo_path("/pulls"))
        .and(query_param("page", "2"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!([pull(9, BRANCH, "open", false)])),
        )
        .expect(1)
        .mount(&server)
        .await;
    authed("PATCH", &repo_path("/pulls/9"))
        .respond_with(ResponseTemplate::new(200).set_body_json(pull(9, BRANCH, "open", false)))
        .expect(1)
        .mount(&server)
        .await;
    authed("POST", &repo_path("/issues/9/labels"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(repo_path("/pulls")))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;

    let ran = open_pr(&server, run.open_pr_input(&github::repository_url())).await;
    ran.assert_ok();
    assert_eq!(ran.outputs()["status"], "updated");
    assert_eq!(ran.outputs()["number"], 9);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_pushes_nothing_and_says_what_it_would_do() {
    let tmp = tempfile::tempdir().unwrap();
    let run = PrRun::new(tmp.path());
    let server = MockServer::start().await;
    FakePulls::with(vec![pull(4, BRANCH, "open", false)])
        .mount(&server)
        .await;
    let mut input = run.open_pr_input(&github::repository_url());
    input["dry_run"] = json!(true);
    let ran = open_pr(&server, input).await;
    ran.assert_ok();
    let outputs = ran.outputs();
    assert_eq!(outputs["status"], "dry_run");
    let message = outputs["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("dry run: would push {BRANCH} to ")),
        "{message}"
    );
    assert!(
        message.ends_with(
            "and update pull request #4 \"Handle an empty config file\" into main on github.com/octo/hello"
        ),
        "{message}"
    );
    let requests = server.received_requests().await.unwrap();
    assert!(
        requests.iter().all(|r| r.method.as_str() == "GET"),
        "a dry run only reads"
    );
    assert_eq!(run.remote_branch(), None);
    let pr = run.read("pr.json");
    assert_eq!(pr["action"], "dry_run");
    assert!(pr["body"].as_str().unwrap().contains("Closes #42"));
}

#[test]
fn a_dry_run_without_a_token_touches_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let run = PrRun::new(tmp.path());
    let mut input = run.open_pr_input(&github::repository_url());
    input["dry_run"] = json!(true);
    input["forge"] = json!("github");
    input["github_api_url"] = json!("http://127.0.0.1:9");
    let ran = Runner::new("am-open-pr").input_json(&input).run();
    ran.assert_ok();
    let message = ran.outputs()["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains("and open or update a pull request"),
        "{message}"
    );
    assert_eq!(run.remote_branch(), None);
}

#[test]
fn nothing_committed_means_nothing_to_open() {
    let tmp = tempfile::tempdir().unwrap();
    let run = PrRun::new(tmp.path());
    let mut implementation = run.implementation(None);
    implementation["status"] = json!("failed");
    implementation["commit"] = Value::Null;
    std::fs::write(
        run.run_dir.join("implementation.json"),
        implementation.to_string(),
    )
    .unwrap();
    let ran = Runner::new("am-open-pr")
        .input_json(&run.open_pr_input(&github::repository_url()))
        .run();
    ran.assert_ok();
    assert_eq!(ran.outputs()["status"], "nothing");
    assert_eq!(run.remote_branch(), None);
}

#[test]
fn bad_input_names_the_field() {
    let ran = Runner::new("am-open-pr")
        .input_json(&json!({"run_id": "r", "run_dir": "/tmp/x", "repository": "https://github.com/o/n", "forge": "gitlab"}))
        .run();
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("field `forge`"), "{}", ran.stderr);
}

// ---- the local forge: a real bare remote, PRs in the store ----------------------------------

async fn open_locally(db: &crate::common::db::TestDb, run: &PrRun) -> Ran {
    let input = json!({
        "run_id": "run-local",
        "run_dir": run.run_dir,
        "repository": run.remote,
        "forge": "local",
    });
    let url = db.url().to_owned();
    tokio::task::spawn_blocking(move || {
        Runner::new("am-open-pr")
            .env("DATABASE_URL", url)
            .env_remove("AM_FORGE")
            .input_json(&input)
            .run()
    })
    .await
    .unwrap()
}

/// Starts a second task on a new branch from main in the same clone; returns its head commit.
fn second_task(run: &PrRun, branch: &str) -> String {
    use crate::common::git::{commit_files, git};
    git(&run.clone, &["checkout", "-q", "main"]);
    git(&run.clone, &["checkout", "-q", "-b", branch]);
    let head = commit_files(&run.clone, &[("README.md", "# fixture\n")], "Add a README");
    let mut implementation = run.implementation(None);
    implementation["branch"] = json!(branch);
    implementation["commit"] = json!(head);
    std::fs::write(
        run.run_dir.join("implementation.json"),
        implementation.to_string(),
    )
    .unwrap();
    head
}

async fn local_forge_pushes_and_numbers_prs_per_repository(db: crate::common::db::TestDb) {
    let tmp = tempfile::tempdir().unwrap();
    let run = PrRun::new(&tmp.path().join("a"));
    let remote = run.remote.canonicalize().unwrap().display().to_string();

    let first = open_locally(&db, &run).await;
    first.assert_ok();
    assert_eq!(first.outputs()["status"], "created");
    assert_eq!(first.outputs()["forge"], "local");
    assert_eq!(first.outputs()["number"], 1);
    assert_eq!(
        run.remote_branch().as_deref(),
        Some(run.head_commit.as_str())
    );
    let row = db
        .store
        .pull_request_for_branch(&remote, BRANCH)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (row.number, row.state.as_str(), row.forge.as_str()),
        (Some(1), "open", "local")
    );
    assert_eq!(row.head_commit.as_deref(), Some(run.head_commit.as_str()));
    assert_eq!(run.read("pr.json")["repository"], remote.as_str());

    // The same task again: the same PR, which already holds the change.
    let again = open_locally(&db, &run).await;
    again.assert_ok();
    assert_eq!(again.outputs()["status"], "unchanged");
    assert_eq!(again.outputs()["number"], 1);

    // Another task of the same repository: the next number.
    let second_head = second_task(&run, "automaintainer/add-readme");
    let second = open_locally(&db, &run).await;
    second.assert_ok();
    assert_eq!(second.outputs()["status"], "created");
    assert_eq!(second.outputs()["number"], 2);
    assert_eq!(
        crate::common::git::git(&run.remote, &["rev-parse", "automaintainer/add-readme"]),
        second_head
    );

    // Closed unmerged: left closed.
    db.store
        .set_pull_request_state(&remote, "automaintainer/add-readme", "closed", false)
        .await
        .unwrap();
    let closed = open_locally(&db, &run).await;
    closed.assert_ok();
    assert_eq!(closed.outputs()["status"], "skipped_closed");
    assert_eq!(closed.outputs()["number"], 2);

    // Another repository counts from 1.
    let other = PrRun::new(&tmp.path().join("b"));
    let ran = open_locally(&db, &other).await;
    ran.assert_ok();
    assert_eq!(ran.outputs()["number"], 1);
    assert_eq!(db.store.pull_requests(&remote).await.unwrap().len(), 2);
}

crate::store_tests!(local_forge_pushes_and_numbers_prs_per_repository);
