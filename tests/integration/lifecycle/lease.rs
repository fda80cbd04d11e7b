//! am-open-pr holds the PR branch with a lease: on the local forge (a bare remote, PRs in the
//! store, both backends) and on GitHub (the stub, the branch on a bare remote).

use std::path::Path;

use serde_json::{json, Value};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::bin::{Ran, Runner};
use crate::common::db::TestDb;
use crate::common::git::{commit_files, git, push_as};
use crate::common::github::{self, repo_path, FakePulls, TOKEN};
use crate::common::pr_run::{PrRun, BRANCH};

const CHANGE: &str = "/// Loads the configuration.\npub fn load(text: &str) -> Option<u16> {\n    if text.trim().is_empty() {\n        return Some(8080);\n    }\n    text.trim().parse().ok()\n}\n";
const BIGGER_CHANGE: &str = "/// Loads the configuration.\npub fn load(text: &str) -> Option<u16> {\n    let text = text.trim();\n    if text.is_empty() {\n        return Some(8080);\n    }\n    text.parse().ok()\n}\n";

async fn open_locally(db: &TestDb, run: &PrRun) -> Ran {
    let input = json!({
        "run_id": format!("run-{}", uuid::Uuid::new_v4().simple()),
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

/// A later run's change: the work branch made again from `base` with `files`, as am-implement
/// leaves it, and its implementation.json.
fn recommit(run: &mut PrRun, base: &str, files: &[(&str, &str)]) {
    git(&run.clone, &["checkout", "-q", "-B", BRANCH, base]);
    run.head_commit = commit_files(&run.clone, files, "Handle an empty config file");
    run.base_commit = base.to_owned();
    run.write_implementation(Some(42));
}

fn remote_head(remote: &Path) -> String {
    git(remote, &["rev-parse", BRANCH])
}

fn reflog(remote: &Path) -> String {
    git(
        remote,
        &[
            "reflog",
            "show",
            "--format=%H %gs",
            &format!("refs/heads/{BRANCH}"),
        ],
    )
}

async fn a_maintainers_commit_survives_and_new_work_goes_on_top(db: TestDb) {
    let tmp = tempfile::tempdir().unwrap();
    let mut run = PrRun::new(tmp.path());
    let first = open_locally(&db, &run).await;
    first.assert_ok();
    assert_eq!(first.outputs()["status"], "created");

    let theirs = push_as(
        "Maintainer",
        &run.remote,
        BRANCH,
        &[("NOTES.md", "reviewed by hand\n")],
        "Add review notes",
    );
    // The same change again: the branch holds it, with the maintainer's commit on top.
    let base = run.base_commit.clone();
    recommit(&mut run, &base, &[("src/config.rs", CHANGE)]);
    let idle = open_locally(&db, &run).await;
    idle.assert_ok();
    assert_eq!(idle.outputs()["status"], "unchanged", "{}", idle.stderr);
    assert_eq!(idle.outputs()["number"], 1);
    assert_eq!(remote_head(&run.remote), theirs);

    // New work: one commit on top of the maintainer's, nothing rewritten.
    recommit(&mut run, &base, &[("src/config.rs", BIGGER_CHANGE)]);
    let more = open_locally(&db, &run).await;
    more.assert_ok();
    assert_eq!(more.outputs()["status"], "updated", "{}", more.stderr);
    assert_eq!(more.outputs()["number"], 1);
    let head = remote_head(&run.remote);
    assert_eq!(
        git(&run.remote, &["rev-parse", &format!("{head}^")]),
        theirs
    );
    assert_eq!(
        git(&run.remote, &["show", &format!("{head}:NOTES.md")]),
        "reviewed by hand"
    );
    assert!(
        git(&run.remote, &["show", &format!("{head}:src/config.rs")])
            .contains("let text = text.trim();")
    );
    assert!(
        more.outputs()["message"]
            .as_str()
            .unwrap()
            .contains("on top of others' commits"),
        "{}",
        more.outputs()
    );
    // The store knows what was pushed: the lease for the next run.
    let remote_id = run.remote.canonicalize().unwrap().display().to_string();
    let lease = db
        .store
        .pull_request_lifecycle(&remote_id, BRANCH)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(lease.pushed_commit.as_deref(), Some(head.as_str()));
}

async fn an_idle_second_run_pushes_nothing(db: TestDb) {
    let tmp = tempfile::tempdir().unwrap();
    let mut run = PrRun::new(tmp.path());
    git(&run.remote, &["config", "core.logAllRefUpdates", "always"]);
    open_locally(&db, &run).await.assert_ok();
    let (head, log) = (remote_head(&run.remote), reflog(&run.remote));

    // The next day's run makes the same change: a new commit with the same tree.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let base = run.base_commit.clone();
    recommit(&mut run, &base, &[("src/config.rs", CHANGE)]);
    assert_ne!(run.head_commit, head);
    let idle = open_locally(&db, &run).await;
    idle.assert_ok();
    assert_eq!(idle.outputs()["status"], "unchanged");
    assert!(
        idle.outputs()["message"]
            .as_str()
            .unwrap()
            .contains("nothing pushed"),
        "{}",
        idle.outputs()
    );
    assert_eq!(remote_head(&run.remote), head);
    assert_eq!(reflog(&run.remote), log, "the remote ref was not touched");
}

async fn a_moved_base_rebases_the_same_pull_request(db: TestDb) {
    let tmp = tempfile::tempdir().unwrap();
    let mut run = PrRun::new(tmp.path());
    open_locally(&db, &run).await.assert_ok();
    let moved = push_as(
        "Maintainer",
        &run.remote,
        "main",
        &[("README.md", "# fixture\n")],
        "Add a README",
    );
    git(
        &run.clone,
        &["fetch", "-q", run.remote.to_str().unwrap(), "main"],
    );
    recommit(&mut run, &moved, &[("src/config.rs", CHANGE)]);
    let again = open_locally(&db, &run).await;
    again.assert_ok();
    assert_eq!(again.outputs()["status"], "updated", "{}", again.stderr);
    assert_eq!(
        again.outputs()["number"],
        1,
        "the same PR, not a second one"
    );
    let head = remote_head(&run.remote);
    assert_eq!(git(&run.remote, &["rev-parse", &format!("{head}^")]), moved);
    assert!(
        again.outputs()["message"]
            .as_str()
            .unwrap()
            .contains("rebased onto the new base"),
        "{}",
        again.outputs()
    );
    let remote_id = run.remote.canonicalize().unwrap().display().to_string();
    assert_eq!(db.store.pull_requests(&remote_id).await.unwrap().len(), 1);
}

async fn a_conflicting_maintainer_commit_skips_the_update(db: TestDb) {
    let tmp = tempfile::tempdir().unwrap();
    let mut run = PrRun::new(tmp.path());
    open_locally(&db, &run).await.assert_ok();
    let theirs = push_as(
        "Maintainer",
        &run.remote,
        BRANCH,
        &[("src/config.rs", "/// Loads the configuration (maintainer's version).\npub fn load(_: &str) -> Option<u16> {\n    Some(1)\n}\n")],
        "Rewrite load by hand",
    );
    let base = run.base_commit.clone();
    recommit(&mut run, &base, &[("src/config.rs", BIGGER_CHANGE)]);
    let skipped = open_locally(&db, &run).await;
    skipped.assert_ok();
    assert_eq!(
        skipped.outputs()["status"],
        "skipped_update",
        "{}",
        skipped.stderr
    );
    let message = skipped.outputs()["message"].as_str().unwrap().to_owned();
    assert!(message.contains("conflicts in src/config.rs"), "{message}");
    assert!(message.contains("Maintainer"), "{message}");
    assert_eq!(remote_head(&run.remote), theirs, "nothing overwritten");
}

crate::store_tests!(
    a_maintainers_commit_survives_and_new_work_goes_on_top,
    an_idle_second_run_pushes_nothing,
    a_moved_base_rebases_the_same_pull_request,
    a_conflicting_maintainer_commit_skips_the_update,
);

// ---- GitHub -----------------------------------------------------------------------------------

async fn open_on_github(db: &TestDb, server: &MockServer, run: &PrRun) -> Ran {
    let input = run.open_pr_input(&github::repository_url());
    let (uri, url) = (server.uri(), db.url().to_owned());
    tokio::task::spawn_blocking(move || {
        Runner::new("am-open-pr")
            .env("GITHUB_TOKEN", TOKEN)
            .env("AM_GITHUB_API_URL", uri)
            .env("DATABASE_URL", url)
            .env_remove("AM_FORGE")
            .input_json(&input)
            .run()
    })
    .await
    .unwrap()
}

async fn comments(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path().ends_with("/comments"))
        .map(|r| r.body_json().unwrap())
        .collect()
}

async fn on_github_a_maintainers_commit_survives_and_a_skip_is_said_once(db: TestDb) {
    let tmp = tempfile::tempdir().unwrap();
    let mut run = PrRun::new(tmp.path());
    let server = MockServer::start().await;
    FakePulls::default().mount(&server).await;
    Mock::given(method("POST"))
        .and(path_regex(r"^/repos/octo/hello/issues/\d+/comments$"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": 1})))
        .mount(&server)
        .await;

    let first = open_on_github(&db, &server, &run).await;
    first.assert_ok();
    assert_eq!(first.outputs()["status"], "created");
    assert_eq!(run.read("pr.json")["repository"], "github.com/octo/hello");

    // A maintainer's commit, then the same change again: unchanged, no PATCH, no push.
    let theirs = push_as(
        "Maintainer",
        &run.remote,
        BRANCH,
        &[("NOTES.md", "reviewed\n")],
        "Notes",
    );
    let base = run.base_commit.clone();
    recommit(&mut run, &base, &[("src/config.rs", CHANGE)]);
    let idle = open_on_github(&db, &server, &run).await;
    idle.assert_ok();
    assert_eq!(idle.outputs()["status"], "unchanged", "{}", idle.stderr);
    assert!(github::requests(&server, "PATCH", &repo_path("/pulls/1"))
        .await
        .is_empty());
    assert_eq!(remote_head(&run.remote), theirs);

    // A change that conflicts with the maintainer's next commit: skipped, one comment, twice.
    let theirs = push_as(
        "Maintainer",
        &run.remote,
        BRANCH,
        &[(
            "src/config.rs",
            "pub fn load(_: &str) -> Option<u16> {\n    None\n}\n",
        )],
        "Simplify",
    );
    recommit(&mut run, &base, &[("src/config.rs", BIGGER_CHANGE)]);
    for _ in 0..2 {
        let skipped = open_on_github(&db, &server, &run).await;
        skipped.assert_ok();
        assert_eq!(
            skipped.outputs()["status"],
            "skipped_update",
            "{}",
            skipped.stderr
        );
        assert_eq!(remote_head(&run.remote), theirs);
    }
    let said = comments(&server).await;
    assert_eq!(said.len(), 1, "one comment, not one per run: {said:?}");
    let body = said[0]["body"].as_str().unwrap();
    assert!(body.contains("did not update this branch"), "{body}");
    assert!(body.contains("conflicts in src/config.rs"), "{body}");
    assert!(body.contains("nothing was force-pushed"), "{body}");
}

crate::store_tests!(on_github_a_maintainers_commit_survives_and_a_skip_is_said_once);

#[test]
fn a_remote_name_is_not_a_push_target() {
    let ran = Runner::new("am-open-pr")
        .input_json(&json!({"run_id": "r", "run_dir": "/tmp/x", "repository": "/tmp/x", "push_to": "origin"}))
        .run();
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(ran.stderr.contains("field `push_to`"), "{}", ran.stderr);
}
