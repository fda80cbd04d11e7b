//! On the local forge the feedback is the repository's checks, run at setup on the branch of an
//! open PR someone else pushed to; with a model the next run fixes it on top of their commit.

use serde_json::{json, Value};

use crate::common::bin::{Ran, Runner};
use crate::common::db::TestDb;
use crate::common::git::{git, push_as, write_files};
use crate::common::llm_stub;
use crate::common::pr_run::{PrRun, BRANCH};

async fn phase(name: &str, db: &TestDb, input: Value) -> Ran {
    let (name, url) = (name.to_owned(), db.url().to_owned());
    tokio::task::spawn_blocking(move || {
        Runner::new(&name)
            .env("DATABASE_URL", url)
            .env("OPENAI_API_KEY", llm_stub::OPENAI_KEY)
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

async fn a_branch_whose_checks_fail_is_fixed_on_top_of_its_commits(db: TestDb) {
    let tmp = tempfile::tempdir().unwrap();
    let run = PrRun::new(tmp.path());
    // The base says which check runs; the PR is opened on the local forge.
    git(&run.clone, &["checkout", "-q", "main"]);
    write_files(
        &run.clone,
        &[(
            ".automaintainer.yml",
            "checks:\n  - \"! grep -rn BROKEN src\"\n",
        )],
    );
    git(&run.clone, &["add", "-A"]);
    git(&run.clone, &["commit", "-q", "-m", "Configure the checks"]);
    git(&run.clone, &["push", "-q", "origin", "main"]);
    git(&run.clone, &["checkout", "-q", BRANCH]);
    let opened = phase(
        "am-open-pr",
        &db,
        json!({"run_id": "run-1", "run_dir": run.run_dir, "repository": run.remote, "forge": "local"}),
    )
    .await;
    opened.assert_ok();
    let theirs = push_as(
        "Maintainer",
        &run.remote,
        BRANCH,
        &[("src/broken.rs", "// BROKEN: half done\n")],
        "Start on the parser",
    );

    // The next run's setup runs the checks on that branch.
    let run_dir = tmp.path().join("run-2");
    let setup = phase(
        "am-setup",
        &db,
        json!({"run_id": "run-2", "run_dir": run_dir, "repository": run.remote,
               "forge": "local", "cache_dir": tmp.path().join("cache")}),
    )
    .await;
    setup.assert_ok();
    assert_eq!(setup.outputs()["follow_up"], 1, "{}", setup.stderr);
    let found: Value =
        serde_json::from_str(&std::fs::read_to_string(run_dir.join("follow-up.json")).unwrap())
            .unwrap();
    let follow_up = &found["follow_up"];
    assert_eq!(follow_up["head_commit"], theirs.as_str());
    assert_eq!(
        follow_up["failing_checks"][0]["name"],
        "! grep -rn BROKEN src"
    );
    assert!(follow_up["failing_checks"][0]["output"]
        .as_str()
        .unwrap()
        .contains("src/broken.rs:1"));
    // The clone is back on the base for the rest of the run.
    assert_eq!(
        git(
            &run_dir.join("repo"),
            &["rev-parse", "--abbrev-ref", "HEAD"]
        ),
        "main"
    );

    let model = wiremock::MockServer::start().await;
    let edit = json!({"commit_title": "Finish the parser stub", "commit_body": "The check refuses the marker.",
        "edits": [{"action": "replace", "path": "src/broken.rs", "search": "// BROKEN: half done",
                   "replace": "// The parser comes next."}]});
    llm_stub::mount_openai(&model, vec![llm_stub::openai_reply(&edit.to_string())]).await;
    let input =
        json!({"run_id": "run-2", "run_dir": run_dir, "llm": llm_stub::openai_spec(&model)});
    let selected = phase("am-select", &db, input.clone()).await;
    selected.assert_ok();
    assert_eq!(selected.outputs()["kind"], "follow_up");
    let implemented = phase("am-implement", &db, input).await;
    implemented.assert_ok();
    assert_eq!(
        implemented.outputs()["status"],
        "committed",
        "{}",
        implemented.stderr
    );
    let published = phase(
        "am-open-pr",
        &db,
        json!({"run_id": "run-2", "run_dir": run_dir, "repository": run.remote, "forge": "local"}),
    )
    .await;
    published.assert_ok();
    assert_eq!(published.outputs()["number"], 1);

    let head = run.remote_branch().unwrap();
    assert_eq!(
        git(&run.remote, &["rev-parse", &format!("{head}^")]),
        theirs
    );
    let id = run.remote.canonicalize().unwrap().display().to_string();
    let rounds = db.store.follow_up_rounds(&id, BRANCH).await.unwrap();
    assert_eq!(rounds.len(), 1);
    assert_eq!(rounds[0].outcome, "fixed");
    assert_eq!((rounds[0].checks_failing, rounds[0].checks_fixed), (1, 1));
    assert!(rounds[0].summary.contains("follow-up round 1"));

    // run-2 ends (its cleanup), releasing the repository for the next run.
    db.store
        .close_run("run-2", automaintainer::store::RunStatus::Succeeded)
        .await
        .unwrap();
    // The branch now holds what this project pushed: the next setup finds nothing to follow up.
    let again = phase(
        "am-setup",
        &db,
        json!({"run_id": "run-3", "run_dir": tmp.path().join("run-3"), "repository": run.remote,
               "forge": "local", "cache_dir": tmp.path().join("cache")}),
    )
    .await;
    again.assert_ok();
    assert!(
        again.outputs().get("follow_up").is_none(),
        "{}",
        again.stderr
    );
}

crate::store_tests!(a_branch_whose_checks_fail_is_fixed_on_top_of_its_commits);
