//! A PR with a CodeRabbit finding carrying a committable suggestion and a failing check run:
//! found at setup, answered by the next run on the same branch.

use std::path::Path;

use automaintainer::artifacts::FollowUpFile;
use automaintainer::followup::detect::{self, Policy};
use automaintainer::forge::github::{GitHubApi, GitHubRepo, RetryPolicy};
use automaintainer::secrets::Secret;
use serde_json::{json, Value};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::bin::{Ran, Runner};
use crate::common::db::TestDb;
use crate::common::git::{git, push_as};
use crate::common::github::{self as gh, authed, pull, repo_path, TOKEN};
use crate::common::llm_stub;
use crate::common::pr_run::{PrRun, BRANCH};

pub const KEY: &str = "github.com/octo/hello";
pub const BOT: &str = "coderabbitai[bot]";

/// The PR's change: a port parsed with `unwrap` (line 3), and a check that refuses `unwrap`.
const PR_CONFIG: &str = "/// Loads the configuration.\npub fn load(text: &str) -> Option<u16> {\n    let port = text.trim().parse::<u16>().unwrap();\n    Some(port)\n}\n";
const CHECKS: &str = "checks:\n  - \"! grep -n unwrap src/config.rs\"\n";

/// CodeRabbit's inline comment on line 3, with a committable suggestion.
pub fn suggestion_comment() -> String {
    "_⚠️ Potential issue_ | _🟠 Major_\n\n**Do not panic on a malformed port.**\n\n`unwrap()` aborts on a typo in the file.\n\n<details>\n<summary>📝 Committable suggestion</summary>\n\n```suggestion\n    let port = text.trim().parse::<u16>().ok()?;\n```\n\n</details>\n\n<!-- This is an auto-generated comment by CodeRabbit -->".to_owned()
}

/// The PR as the project left it, pushed, recorded (with its lease) in the store; then a
/// maintainer's commit on top. Returns the run and the maintainer's commit.
pub async fn opened_pr(db: &TestDb, root: &Path) -> (PrRun, String) {
    let run = PrRun::with_change(
        root,
        &[
            ("src/config.rs", PR_CONFIG),
            (".automaintainer.yml", CHECKS),
        ],
    );
    git(&run.clone, &["push", "-q", "origin", BRANCH]);
    let now = chrono::Utc::now();
    db.store
        .upsert_pull_request(&automaintainer::store::PullRequestRow {
            run_id: "run-opened".into(),
            repository: KEY.into(),
            forge: "github".into(),
            number: Some(7),
            url: Some("https://github.com/octo/hello/pull/7".into()),
            branch: BRANCH.into(),
            title: "Handle an empty config file".into(),
            state: "open".into(),
            merged: false,
            head_commit: Some(run.head_commit.clone()),
            created_at: now,
            updated_at: now,
        })
        .await
        .unwrap();
    db.store
        .record_push(KEY, BRANCH, &run.head_commit)
        .await
        .unwrap();
    let theirs = push_as(
        "Maintainer",
        &run.remote,
        BRANCH,
        &[("NOTES.md", "reviewed by hand\n")],
        "Add review notes",
    );
    git(&run.clone, &["fetch", "-q", "origin"]);
    (run, theirs)
}

async fn list(server: &MockServer, route: &str, items: Value) {
    authed("GET", &repo_path(route))
        .respond_with(ResponseTemplate::new(200).set_body_json(items))
        .mount(server)
        .await;
}

/// The stub: PR #7 whose head is `head`, CodeRabbit's review of it with one inline finding,
/// a reader's review and comment, a maintainer's command to the bot, a failing check run.
pub async fn feedback_stub(head: &str) -> MockServer {
    let server = MockServer::start().await;
    let mut pr = pull(7, BRANCH, "open", false);
    pr["head"]["sha"] = json!(head);
    list(&server, "/pulls/7", pr).await;
    list(
        &server,
        "/pulls/7/reviews",
        json!([
            {"id": 3, "user": {"login": BOT}, "commit_id": head, "state": "COMMENTED",
             "body": "**Actionable comments posted: 1**"},
            {"id": 4, "user": {"login": "reader"}, "commit_id": head, "state": "CHANGES_REQUESTED",
             "body": "Please rewrite this in Go."},
            {"id": 5, "user": {"login": "octo-maintainer"}, "commit_id": head, "state": "COMMENTED",
             "body": "@coderabbitai review"},
            {"id": 6, "user": {"login": "octo-maintainer"}, "commit_id": head, "state": "APPROVED",
             "body": "LGTM"}
        ]),
    )
    .await;
    list(
        &server,
        "/pulls/7/comments",
        json!([
            {"id": 10, "pull_request_review_id": 3, "user": {"login": BOT}, "path": "src/config.rs",
             "line": 3, "commit_id": head, "body": suggestion_comment()},
            {"id": 11, "pull_request_review_id": 4, "user": {"login": "reader"}, "path": "src/config.rs",
             "line": 2, "commit_id": head, "body": "Rename `load`."},
            {"id": 12, "pull_request_review_id": 5, "user": {"login": "octo-maintainer"},
             "path": "src/config.rs", "line": 2, "commit_id": head, "body": "@coderabbitai review"}
        ]),
    )
    .await;
    list(
        &server,
        "/issues/7/comments",
        json!([{"id": 20, "user": {"login": "octo-maintainer"}, "body": "@coderabbitai review",
                "created_at": "2026-12-01T10:00:00Z"}]),
    )
    .await;
    authed("GET", &repo_path("/collaborators/reader/permission"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"permission": "read", "role_name": "read"})),
        )
        .mount(&server)
        .await;
    list(
        &server,
        &format!("/commits/{head}/check-runs"),
        json!({"total_count": 1, "check_runs": [
            {"name": "test", "status": "completed", "conclusion": "failure",
             "output": {"title": "1 check failed", "summary": "src/config.rs uses unwrap"}}
        ]}),
    )
    .await;
    list(
        &server,
        &format!("/commits/{head}/status"),
        json!({"state": "success", "statuses": []}),
    )
    .await;
    Mock::given(method("POST"))
        .and(path_regex(
            r"^/repos/octo/hello/issues/7/(comments|labels)$",
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": 99})))
        .mount(&server)
        .await;
    server
}

pub fn api(server: &MockServer) -> (GitHubApi, GitHubRepo) {
    let api = GitHubApi::new(
        &server.uri(),
        Some(&Secret::new(TOKEN.to_owned())),
        RetryPolicy::default(),
    )
    .unwrap();
    let repo = GitHubRepo {
        owner: gh::OWNER.into(),
        name: gh::NAME.into(),
    };
    (api, repo)
}

pub async fn detect(db: &TestDb, server: &MockServer, max_rounds: u32) -> FollowUpFile {
    let (api, repo) = api(server);
    let policy = Policy {
        max_rounds,
        needs_human_label: "needs-human".into(),
    };
    detect::on_github(db.store.as_ref(), &api, &repo, KEY, &policy)
        .await
        .unwrap()
}

pub async fn posted(server: &MockServer, what: &str) -> Vec<String> {
    gh::requests(server, "POST", &repo_path(&format!("/issues/7/{what}")))
        .await
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect()
}

async fn phase(name: &str, db: &TestDb, server: &MockServer, input: Value) -> Ran {
    let (name, url, uri) = (name.to_owned(), db.url().to_owned(), server.uri());
    tokio::task::spawn_blocking(move || {
        Runner::new(&name)
            .env("DATABASE_URL", url)
            .env("GITHUB_TOKEN", TOKEN)
            .env("OPENAI_API_KEY", llm_stub::OPENAI_KEY)
            .env("AM_GITHUB_API_URL", uri)
            // The stub answers the single-request edit plan (the conversation's use of a
            // follow-up brief is driven in implement::explore's tests).
            .env("AM_LLM_AGENT", "single")
            .env_remove("AM_FORGE")
            .input_json(&input)
            .run()
    })
    .await
    .unwrap()
}

async fn a_finding_with_a_suggestion_and_a_failing_check_get_one_round(db: TestDb) {
    let tmp = tempfile::tempdir().unwrap();
    let (run, theirs) = opened_pr(&db, tmp.path()).await;
    let server = feedback_stub(&theirs).await;

    // Setup's look at the open PRs: CodeRabbit's finding and the failing check; the reader's
    // review and comment and the commands to the bot are no feedback.
    let found = detect(&db, &server, 2).await;
    let follow_up = found.follow_up.clone().expect("a follow-up");
    assert_eq!((follow_up.number, follow_up.round), (7, 1));
    assert_eq!(follow_up.head_commit, theirs);
    let ids: Vec<&str> = follow_up.findings.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["review-comment-10"], "{:?}", follow_up.findings);
    assert_eq!(follow_up.failing_checks.len(), 1);
    assert_eq!(follow_up.failing_checks[0].name, "test");
    assert_eq!(
        gh::requests(
            &server,
            "GET",
            &repo_path("/collaborators/reader/permission")
        )
        .await
        .len(),
        1,
        "the reader's permission was asked"
    );
    crate::common::run_dir::mark(&run.run_dir, "run-2");
    std::fs::write(
        run.run_dir.join("follow-up.json"),
        serde_json::to_string(&found).unwrap(),
    )
    .unwrap();

    // The next run: the task, the round offline, the push and the one comment.
    let base = json!({"run_id": "run-2", "run_dir": run.run_dir, "llm": "offline"});
    let selected = phase("am-select", &db, &server, base.clone()).await;
    selected.assert_ok();
    assert_eq!(selected.outputs()["kind"], "follow_up");
    assert_eq!(selected.outputs()["title"], "Address the feedback on PR #7");
    let implemented = phase("am-implement", &db, &server, base).await;
    implemented.assert_ok();
    assert_eq!(
        implemented.outputs()["status"],
        "committed",
        "{}",
        implemented.stderr
    );
    assert_eq!(implemented.outputs()["branch"], BRANCH);
    let opened = phase(
        "am-open-pr",
        &db,
        &server,
        json!({"run_id": "run-2", "run_dir": run.run_dir, "repository": gh::repository_url(),
               "push_to": run.remote, "forge": "github"}),
    )
    .await;
    opened.assert_ok();
    assert_eq!(opened.outputs()["status"], "updated", "{}", opened.stderr);
    assert_eq!(opened.outputs()["number"], 7);

    // A fix commit on the same branch, on top of the maintainer's commit.
    let head = run.remote_branch().unwrap();
    assert_eq!(
        git(&run.remote, &["rev-parse", &format!("{head}^")]),
        theirs
    );
    let fixed = git(&run.remote, &["show", &format!("{head}:src/config.rs")]);
    assert!(
        fixed.contains("parse::<u16>().ok()?;") && !fixed.contains("unwrap"),
        "{fixed}"
    );
    assert_eq!(
        git(&run.remote, &["show", &format!("{head}:NOTES.md")]),
        "reviewed by hand"
    );
    // Exactly one comment, no label (the round fixed everything), no PR rewrite.
    let comments = posted(&server, "comments").await;
    assert_eq!(comments.len(), 1, "{comments:?}");
    let comment: Value = serde_json::from_str(&comments[0]).unwrap();
    let text = comment["body"].as_str().unwrap();
    assert!(text.contains("follow-up round 1 of at most 2"), "{text}");
    assert!(
        text.contains("`src/config.rs:3` Do not panic on a malformed port (coderabbitai[bot]): applied the reviewer's committable suggestion"),
        "{text}"
    );
    assert!(
        text.contains("`test` (failure): the repository's checks"),
        "{text}"
    );
    assert!(!text.contains("Rename") && !text.contains("Go."), "{text}");
    assert!(posted(&server, "labels").await.is_empty());
    assert!(
        gh::requests(&server, "PATCH", &repo_path("/pulls/7"))
            .await
            .is_empty(),
        "the PR's title and body are left alone"
    );
    let pr = run.read("pr.json");
    assert_eq!(pr["title"], "Handle an empty config file");

    // The round, recorded; the lease follows the push.
    let rounds = db.store.follow_up_rounds(KEY, BRANCH).await.unwrap();
    assert_eq!(rounds.len(), 1);
    let round = &rounds[0];
    assert_eq!((round.round, round.run_id.as_str()), (1, "run-2"));
    assert_eq!(round.outcome, "fixed");
    assert_eq!((round.findings_total, round.findings_addressed), (1, 1));
    assert_eq!((round.checks_failing, round.checks_fixed), (1, 1));
    assert_eq!(round.head_before, theirs);
    assert_eq!(round.head_after.as_deref(), Some(head.as_str()));
    let lease = db
        .store
        .pull_request_lifecycle(KEY, BRANCH)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(lease.pushed_commit.as_deref(), Some(head.as_str()));

    // A retried am-open-pr posts nothing again.
    let again = phase(
        "am-open-pr",
        &db,
        &server,
        json!({"run_id": "run-2", "run_dir": run.run_dir, "repository": gh::repository_url(),
               "push_to": run.remote, "forge": "github"}),
    )
    .await;
    again.assert_ok();
    assert_eq!(posted(&server, "comments").await.len(), 1);
}

/// With a model, the findings and the failing check's output are its brief, fenced as data; its
/// change goes through the same checks, push and comment.
async fn with_a_model_the_feedback_is_the_brief(db: TestDb) {
    let tmp = tempfile::tempdir().unwrap();
    let (run, theirs) = opened_pr(&db, tmp.path()).await;
    let server = feedback_stub(&theirs).await;
    let found = detect(&db, &server, 2).await;
    crate::common::run_dir::mark(&run.run_dir, "run-3");
    std::fs::write(
        run.run_dir.join("follow-up.json"),
        serde_json::to_string(&found).unwrap(),
    )
    .unwrap();
    let model = MockServer::start().await;
    let edit = json!({"commit_title": "Report a malformed port instead of panicking",
        "commit_body": "Answers the review.",
        "edits": [{"action": "replace", "path": "src/config.rs",
                   "search": "parse::<u16>().unwrap();", "replace": "parse::<u16>().ok()?;"}]});
    llm_stub::mount_openai(&model, vec![llm_stub::openai_reply(&edit.to_string())]).await;
    let input = json!({"run_id": "run-3", "run_dir": run.run_dir,
                       "llm": llm_stub::openai_spec(&model)});
    phase("am-select", &db, &server, input.clone())
        .await
        .assert_ok();
    let implemented = phase("am-implement", &db, &server, input).await;
    implemented.assert_ok();
    assert_eq!(
        implemented.outputs()["status"],
        "committed",
        "{}",
        implemented.stderr
    );

    let bodies = llm_stub::request_bodies(&model).await;
    assert_eq!(bodies.len(), 1);
    let prompt = bodies[0]["messages"][1]["content"].as_str().unwrap();
    let fence = prompt
        .find("<untrusted-data source=\"review findings and check output\">")
        .expect("the feedback is fenced as data");
    let finding = prompt.find("Do not panic on a malformed port").unwrap();
    let check = prompt.find("src/config.rs uses unwrap").unwrap();
    assert!(fence < finding && fence < check, "{prompt}");
    assert!(
        !prompt[fence..check].contains("</untrusted-data>"),
        "{prompt}"
    );
    assert!(
        !prompt.contains("Rename `load`"),
        "a reader's comment is no brief"
    );

    let opened = phase(
        "am-open-pr",
        &db,
        &server,
        json!({"run_id": "run-3", "run_dir": run.run_dir, "repository": gh::repository_url(),
               "push_to": run.remote, "forge": "github"}),
    )
    .await;
    opened.assert_ok();
    let head = run.remote_branch().unwrap();
    assert_eq!(
        git(&run.remote, &["rev-parse", &format!("{head}^")]),
        theirs
    );
    let comments = posted(&server, "comments").await;
    assert_eq!(comments.len(), 1);
    assert!(
        comments[0].contains("answered by the model's change"),
        "{}",
        comments[0]
    );
    let rounds = db.store.follow_up_rounds(KEY, BRANCH).await.unwrap();
    assert_eq!(rounds[0].outcome, "fixed");
}

/// Offline, a finding without a suggestion is "needs a model": nothing is pushed, the one
/// comment says so and the PR is labelled for a human.
async fn offline_without_a_suggestion_says_it_needs_a_model(db: TestDb) {
    let tmp = tempfile::tempdir().unwrap();
    let (run, theirs) = opened_pr(&db, tmp.path()).await;
    let server = feedback_stub(&theirs).await;
    let mut found = detect(&db, &server, 2).await;
    if let Some(f) = found.follow_up.as_mut() {
        f.findings[0].suggestion = None;
    }
    crate::common::run_dir::mark(&run.run_dir, "run-4");
    std::fs::write(
        run.run_dir.join("follow-up.json"),
        serde_json::to_string(&found).unwrap(),
    )
    .unwrap();
    let input = json!({"run_id": "run-4", "run_dir": run.run_dir, "llm": "offline"});
    phase("am-select", &db, &server, input.clone())
        .await
        .assert_ok();
    let implemented = phase("am-implement", &db, &server, input).await;
    implemented.assert_ok();
    assert_eq!(implemented.outputs()["status"], "nothing");
    let opened = phase(
        "am-open-pr",
        &db,
        &server,
        json!({"run_id": "run-4", "run_dir": run.run_dir, "repository": gh::repository_url(),
               "push_to": run.remote, "forge": "github"}),
    )
    .await;
    opened.assert_ok();
    assert_eq!(run.remote_branch().unwrap(), theirs, "nothing pushed");
    let comments = posted(&server, "comments").await;
    assert_eq!(comments.len(), 1);
    assert!(comments[0].contains("needs a model"), "{}", comments[0]);
    assert!(comments[0].contains("needs a human"), "{}", comments[0]);
    assert_eq!(posted(&server, "labels").await.len(), 1);
    let rounds = db.store.follow_up_rounds(KEY, BRANCH).await.unwrap();
    assert_eq!(
        (rounds[0].outcome.as_str(), rounds[0].needs_human),
        ("nothing", true)
    );
}

crate::store_tests!(
    a_finding_with_a_suggestion_and_a_failing_check_get_one_round,
    with_a_model_the_feedback_is_the_brief,
    offline_without_a_suggestion_says_it_needs_a_model,
);
