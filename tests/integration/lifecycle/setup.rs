//! The lifecycle sync at setup (merges of every kind, a branch deleted unmerged, GitHub's
//! merged and closed states, a superseded PR closed with a comment), a normal checkout as the
//! local forge, a dangling remote HEAD, and one repository identity for every spelling.

use std::path::Path;

use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use automaintainer::forge::github::{GitHubApi, GitHubRepo, RetryPolicy};
use automaintainer::forge::sync::{sync, SyncClone, SyncForge};
use automaintainer::secrets::Secret;
use automaintainer::store::RunStatus;

use crate::common::bin::{Ran, Runner};
use crate::common::db::TestDb;
use crate::common::git::{bare_clone, git, git_as, init_repo, write_files};
use crate::common::github::{self, authed, pull, repo_path, TOKEN};
use crate::common::pr_run::{PrRun, BRANCH};

fn am_setup(db: &TestDb, repository: &Value, run_dir: &Path, current_dir: &Path) -> Ran {
    Runner::new("am-setup")
        .env("DATABASE_URL", db.url())
        .env_remove("AM_FORGE")
        .current_dir(current_dir)
        .input_json(&json!({
            "run_id": format!("run-{}", uuid::Uuid::new_v4().simple()),
            "run_dir": run_dir,
            "repository": repository,
            "cache_dir": db.dir().join("cache"),
        }))
        .run()
}

async fn open_locally(db: &TestDb, run: &PrRun) {
    let input = json!({
        "run_id": "run-opened",
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
            .assert_ok();
    })
    .await
    .unwrap();
}

/// A maintainer merges the PR branch into main on the remote, `how` git would.
fn merge_on_remote(remote: &Path, how: &str) {
    let scratch = tempfile::tempdir().unwrap();
    let work = scratch.path().join("w");
    let m = |dir: &Path, args: &[&str]| git_as("Maintainer", dir, args);
    m(
        scratch.path(),
        &["clone", "-q", remote.to_str().unwrap(), "w"],
    );
    m(&work, &["fetch", "-q", "origin", BRANCH]);
    match how {
        "merge" => {
            write_files(&work, &[("README.md", "# moved on\n")]);
            m(&work, &["add", "-A"]);
            m(&work, &["commit", "-q", "-m", "meanwhile"]);
            m(
                &work,
                &["merge", "-q", "--no-ff", "-m", "Merge the PR", "FETCH_HEAD"],
            );
        }
        "fast-forward" => {
            m(&work, &["merge", "-q", "--ff-only", "FETCH_HEAD"]);
        }
        "rebase" => {
            write_files(&work, &[("README.md", "# moved on\n")]);
            m(&work, &["add", "-A"]);
            m(&work, &["commit", "-q", "-m", "meanwhile"]);
            m(&work, &["cherry-pick", "FETCH_HEAD"]);
        }
        "squash" => {
            m(&work, &["merge", "-q", "--squash", "FETCH_HEAD"]);
            m(
                &work,
                &["commit", "-q", "-m", "Handle an empty config file (#1)"],
            );
        }
        other => panic!("no way {other}"),
    }
    m(&work, &["push", "-q", "origin", "main"]);
    if how != "fast-forward" {
        m(&work, &["push", "-q", "origin", "--delete", BRANCH]);
    }
}

async fn every_kind_of_merge_is_seen_at_the_next_setup(db: TestDb) {
    let tmp = tempfile::tempdir().unwrap();
    for how in ["merge", "fast-forward", "rebase", "squash"] {
        let run = PrRun::new(&tmp.path().join(how));
        open_locally(&db, &run).await;
        merge_on_remote(&run.remote, how);
        let ran = am_setup(
            &db,
            &json!(run.remote),
            &tmp.path().join(format!("{how}-run")),
            tmp.path(),
        );
        ran.assert_ok();
        let said = ran.outputs()["pull_requests"].to_string();
        assert!(
            said.contains(&format!("pull request #1 was merged into main ({how})")),
            "{how}: {said}\n{}",
            ran.stderr
        );
        let id = run.remote.canonicalize().unwrap().display().to_string();
        let row = db
            .store
            .pull_request_for_branch(&id, BRANCH)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((row.state.as_str(), row.merged), ("merged", true), "{how}");
        let life = db
            .store
            .pull_request_lifecycle(&id, BRANCH)
            .await
            .unwrap()
            .unwrap();
        assert!(
            life.merged_at.is_some() && life.closed_at.is_some(),
            "{how}: {life:?}"
        );
    }
    let stats = db.store.system_stats().await.unwrap();
    assert_eq!(stats.prs_merged, 4);
    // Merged within the test: the median time to merge is known, and short.
    let median = db
        .store
        .median_time_to_merge()
        .await
        .unwrap()
        .expect("a median");
    assert!(median < chrono::Duration::hours(1), "{median:?}");
}

async fn a_branch_deleted_unmerged_closes_the_pr(db: TestDb) {
    let tmp = tempfile::tempdir().unwrap();
    let run = PrRun::new(tmp.path());
    open_locally(&db, &run).await;
    git(&run.remote, &["branch", "-D", BRANCH]);
    let ran = am_setup(
        &db,
        &json!(run.remote),
        &tmp.path().join("next"),
        tmp.path(),
    );
    ran.assert_ok();
    assert!(
        ran.outputs()["pull_requests"]
            .to_string()
            .contains("its branch was deleted unmerged"),
        "{}",
        ran.outputs()
    );
    let id = run.remote.canonicalize().unwrap().display().to_string();
    let row = db
        .store
        .pull_request_for_branch(&id, BRANCH)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((row.state.as_str(), row.merged), ("closed", false));
}

crate::store_tests!(
    every_kind_of_merge_is_seen_at_the_next_setup,
    a_branch_deleted_unmerged_closes_the_pr,
);

// ---- GitHub: states from the stub, a superseded PR closed with a comment --------------------

async fn github_row(db: &TestDb, number: i64, branch: &str) {
    let now = chrono::Utc::now();
    db.store
        .upsert_pull_request(&automaintainer::store::PullRequestRow {
            run_id: format!("run-{number}"),
            repository: "github.com/octo/hello".into(),
            forge: "github".into(),
            number: Some(number),
            url: None,
            branch: branch.into(),
            title: "earlier".into(),
            state: "open".into(),
            merged: false,
            head_commit: None,
            created_at: now,
            updated_at: now,
        })
        .await
        .unwrap();
}

async fn github_states_are_read_and_a_superseded_pr_is_closed(db: TestDb) {
    let tmp = tempfile::tempdir().unwrap();
    let run = PrRun::new(tmp.path());
    // The base gets the PR's change by a commit of its own.
    git(&run.clone, &["push", "-q", "origin", BRANCH]);
    git(&run.clone, &["checkout", "-q", "main"]);
    write_files(
        &run.clone,
        &[(
            "src/config.rs",
            &git(&run.clone, &["show", &format!("{BRANCH}:src/config.rs")]),
        )],
    );
    git(&run.clone, &["commit", "-q", "-am", "Same fix, by hand"]);
    git(&run.clone, &["push", "-q", "origin", "main"]);
    git(&run.clone, &["fetch", "-q", "origin"]);

    let server = MockServer::start().await;
    let mut merged = pull(1, "automaintainer/one", "closed", true);
    merged["closed_at"] = json!("2026-11-20T10:00:00Z");
    let mut closed = pull(2, "automaintainer/two", "closed", false);
    closed["closed_at"] = json!("2026-11-21T10:00:00Z");
    let mut open = pull(3, BRANCH, "open", false);
    open["head"]["sha"] = json!(run.head_commit);
    for (number, body) in [(1, merged), (2, closed), (3, open)] {
        authed("GET", &repo_path(&format!("/pulls/{number}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&server)
            .await;
    }
    authed("POST", &repo_path("/issues/3/comments"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": 9})))
        .expect(1)
        .mount(&server)
        .await;
    authed("PATCH", &repo_path("/pulls/3"))
        .respond_with(ResponseTemplate::new(200).set_body_json(pull(3, BRANCH, "closed", false)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(repo_path("/pulls")))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    github_row(&db, 1, "automaintainer/one").await;
    github_row(&db, 2, "automaintainer/two").await;
    github_row(&db, 3, BRANCH).await;

    let api = GitHubApi::new(
        &server.uri(),
        Some(&Secret::new(TOKEN)),
        RetryPolicy::default(),
    )
    .unwrap();
    let repo = GitHubRepo {
        owner: github::OWNER.into(),
        name: github::NAME.into(),
    };
    let forge = SyncForge::GitHub {
        api: &api,
        repo: &repo,
    };
    let clone = SyncClone {
        path: &run.clone,
        base_branch: "main",
    };
    let synced = sync(db.store.as_ref(), &forge, "github.com/octo/hello", clone)
        .await
        .unwrap();
    let notes: Vec<&str> = synced.iter().map(|s| s.note.as_str()).collect();
    assert!(notes.contains(&"pull request #1 was merged"), "{notes:?}");
    assert!(
        notes.contains(&"pull request #2 was closed unmerged"),
        "{notes:?}"
    );
    assert!(
        notes.contains(&"pull request #3 was closed as superseded: main already has its change"),
        "{notes:?}"
    );
    let comment = github::requests(&server, "POST", &repo_path("/issues/3/comments")).await;
    let body: Value = comment[0].body_json().unwrap();
    assert!(
        body["body"].as_str().unwrap().contains("superseded"),
        "{body}"
    );

    let rows = db
        .store
        .pull_requests("github.com/octo/hello")
        .await
        .unwrap();
    let state = |n: i64| {
        rows.iter()
            .find(|r| r.number == Some(n))
            .map(|r| (r.state.clone(), r.merged))
            .unwrap()
    };
    assert_eq!(state(1), ("merged".to_owned(), true));
    assert_eq!(state(2), ("closed".to_owned(), false));
    assert_eq!(state(3), ("closed".to_owned(), false));
    let life = db
        .store
        .pull_request_lifecycle("github.com/octo/hello", "automaintainer/one")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        life.merged_at.unwrap().to_rfc3339(),
        "2026-11-20T10:00:00+00:00"
    );

    // Synced again: nothing new, no second comment (the stub expects exactly one).
    let again = sync(db.store.as_ref(), &forge, "github.com/octo/hello", clone)
        .await
        .unwrap();
    assert!(again.is_empty(), "{again:?}");
}

crate::store_tests!(github_states_are_read_and_a_superseded_pr_is_closed);

// ---- a normal checkout, a dangling HEAD, one identity ------------------------------------------

async fn a_normal_checkout_receives_the_branch_untouched(db: TestDb) {
    let tmp = tempfile::tempdir().unwrap();
    let run = PrRun::new(tmp.path());
    // The user's own checkout: on main, with work in progress.
    let mine = tmp.path().join("mine");
    git(
        tmp.path(),
        &["clone", "-q", run.remote.to_str().unwrap(), "mine"],
    );
    write_files(
        &mine,
        &[
            ("src/lib.rs", "// work in progress\n"),
            ("scratch.txt", "notes\n"),
        ],
    );
    let status = git(&mine, &["status", "--porcelain"]);
    let input = json!({
        "run_id": "run-checkout",
        "run_dir": run.run_dir,
        "repository": mine,
        "forge": "local",
    });
    let url = db.url().to_owned();
    let ran = tokio::task::spawn_blocking(move || {
        Runner::new("am-open-pr")
            .env("DATABASE_URL", url)
            .env_remove("AM_FORGE")
            .input_json(&input)
            .run()
    })
    .await
    .unwrap();
    ran.assert_ok();
    assert_eq!(ran.outputs()["status"], "created", "{}", ran.stderr);
    assert_eq!(
        git(&mine, &["rev-parse", BRANCH]),
        run.head_commit,
        "the branch arrived as a branch"
    );
    assert_eq!(git(&mine, &["symbolic-ref", "--short", "HEAD"]), "main");
    assert_eq!(
        git(&mine, &["status", "--porcelain"]),
        status,
        "the working tree is untouched"
    );
    assert_eq!(
        std::fs::read_to_string(mine.join("src/lib.rs")).unwrap(),
        "// work in progress\n"
    );
}

async fn every_spelling_of_a_repository_is_one_repository(db: TestDb) {
    let tmp = tempfile::tempdir().unwrap();
    let work = init_repo(&tmp.path().join("work"), &[("README.md", "# x\n")]);
    let remote = bare_clone(&work, &tmp.path().join("x"));
    let sub = tmp.path().join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    for (i, spelling) in [
        format!("file://{}", remote.display()),
        format!("{}/", remote.display()),
        "../x".to_owned(),
    ]
    .iter()
    .enumerate()
    {
        let ran = am_setup(
            &db,
            &json!(spelling),
            &tmp.path().join(format!("run-{i}")),
            &sub,
        );
        ran.assert_ok();
        let run_id = ran.outputs()["run_id"].as_str().unwrap().to_owned();
        // The lock is the repository's, whatever the spelling: a run under another spelling
        // is turned away while this one holds it.
        let refused = am_setup(
            &db,
            &json!(format!("file://{}", remote.display())),
            &tmp.path().join(format!("refused-{i}")),
            &sub,
        );
        refused.assert_ok();
        assert_eq!(refused.outputs()["status"], "skipped");
        assert_eq!(
            refused.outputs()["reason"],
            format!("skipped: another run holds the repository (run {run_id})")
        );
        db.store
            .close_run(&run_id, RunStatus::Nothing)
            .await
            .unwrap();
    }
    let canonical = remote.canonicalize().unwrap().display().to_string();
    assert_eq!(db.store.repositories().await.unwrap(), [canonical]);
    let mirrors = std::fs::read_dir(db.dir().join("cache/mirrors"))
        .unwrap()
        .count();
    assert_eq!(mirrors, 1, "one mirror for the three spellings");
}

crate::store_tests!(
    a_normal_checkout_receives_the_branch_untouched,
    every_spelling_of_a_repository_is_one_repository,
);

#[test]
fn a_dangling_remote_head_falls_back_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let work = init_repo(&tmp.path().join("work"), &[("README.md", "# x\n")]);
    let remote = bare_clone(&work, &tmp.path().join("remote.git"));
    git(&remote, &["symbolic-ref", "HEAD", "refs/heads/master"]);
    let ran = Runner::new("am-setup")
        .env(
            "DATABASE_URL",
            automaintainer::store::sqlite_url(&tmp.path().join("s.db")),
        )
        .input_json(&json!({
            "run_id": "run-dangling",
            "run_dir": tmp.path().join("run"),
            "repository": remote,
            "cache_dir": tmp.path().join("cache"),
        }))
        .run();
    ran.assert_ok();
    assert_eq!(ran.outputs()["default_branch"], "main");
    assert!(
        ran.stderr
            .contains("names no branch it has; using main as its default branch"),
        "{}",
        ran.stderr
    );
}
