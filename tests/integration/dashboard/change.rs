//! The run page shows what changed, on both backends: a run recorded by the `am-persist` binary
//! from a real clone, whose run directory is then deleted, still shows its diff (escaped and
//! coloured), its commits and its PR text as safe Markdown; every run of a pull request links
//! to it; a failed run shows its error handler and finally step; numbers read as people expect.

use std::path::Path;

use automaintainer::store::{NewLearning, RunArtifacts};
use axum::http::StatusCode;

use super::harness::get;
use crate::common::bin::Runner;
use crate::common::db::{artifacts, at, register, write_artifacts, TestDb};
use crate::common::git;

const REPOSITORY: &str = "acme/change";
const BRANCH: &str = "automaintainer/fix-parser";
/// A PR body as a model writes it: a list, backticks, and markup that must stay inert.
const PR_BODY: &str = "Why:\n\n- `parse()` panicked on empty input\n- it now returns an error\n\n\
<script>alert('body')</script>\n\nSee [docs](https://example.com/docs), not [trap](javascript:alert(1)).";
const ADDED_LINE: &str = r#"    let greeting = "<script>alert('diff')</script>";"#;

crate::store_tests!(
    the_run_page_shows_the_change_after_the_run_directory_is_gone,
    every_run_of_a_pull_request_links_to_it,
    a_failed_run_shows_its_error_handler_and_finally_step,
    numbers_read_as_people_expect,
);

/// A clone in `run_dir/repo` with a base commit and the run's commit; returns (base, head).
fn clone_with_change(run_dir: &Path) -> (String, String) {
    let repo = git::init_repo(
        &run_dir.join("repo"),
        &[("src/lib.rs", "pub fn greet() {\n    let n = 1;\n}\n")],
    );
    let base = git::git(&repo, &["rev-parse", "HEAD"]);
    git::git(&repo, &["checkout", "-q", "-b", BRANCH]);
    let head = git::commit_files(
        &repo,
        &[
            (
                "src/lib.rs",
                &format!("pub fn greet() {{\n{ADDED_LINE}\n}}\n"),
            ),
            ("notes.md", "hello\n"),
        ],
        "Fix the parser\n\nIt panicked on empty input.",
    );
    (base, head)
}

/// The run's artifacts in `run_dir`, with the clone's commits and the PR body above.
fn run_artifacts(run_id: &str, base: &str, head: &str) -> RunArtifacts {
    let mut run = artifacts(run_id, REPOSITORY, BRANCH, 70.0);
    if let Some(implementation) = run.implementation.as_mut() {
        implementation.base_commit = base.to_owned();
        implementation.commit = Some(head.to_owned());
    }
    if let Some(task) = run.task.as_mut() {
        if let automaintainer::artifacts::Selection::Selected { task } = &mut task.selection {
            task.rationale = "- one `unwrap()`\n- two".to_owned();
        }
    }
    if let Some(pr) = run.pull_request.as_mut() {
        pr.body = PR_BODY.to_owned();
        pr.title = "Fix the parser".to_owned();
    }
    run
}

/// `am-persist` over `run_dir` into the test's store.
fn persist(db: &TestDb, run_id: &str, run_dir: &Path, extra: serde_json::Value) {
    let mut input =
        serde_json::json!({"run_id": run_id, "run_dir": run_dir, "status": "succeeded"});
    if let (Some(input), Some(extra)) = (input.as_object_mut(), extra.as_object()) {
        input.extend(extra.clone());
    }
    Runner::new("am-persist")
        .env("DATABASE_URL", db.url())
        .input_json(&input)
        .run()
        .assert_ok();
}

async fn the_run_page_shows_the_change_after_the_run_directory_is_gone(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let run_dir = dir.path().join("run");
    let (base, head) = clone_with_change(&run_dir);
    register(db.store.as_ref(), "run-change", REPOSITORY, at(1)).await;
    write_artifacts(&run_dir, &run_artifacts("run-change", &base, &head));
    persist(&db, "run-change", &run_dir, serde_json::json!({}));
    std::fs::remove_dir_all(&run_dir).unwrap();

    let page = get(&db.store, "/runs/run-change").await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    // The diff: one collapsible block per file, the added line escaped and coloured.
    assert_eq!(
        body.matches(r#"<details class="diff-file""#).count(),
        2,
        "{body}"
    );
    assert!(body.contains(r#"data-path="src&#x2f;lib.rs""#), "{body}");
    assert!(body.contains(r#"<tr class="add">"#));
    assert!(body.contains(r#"<tr class="del">"#));
    assert!(
        body.contains("&lt;script&gt;alert(&#x27;diff&#x27;)&lt;&#x2f;script&gt;"),
        "the diff's markup is text: {body}"
    );
    assert!(body.contains(r#"<span class="tk-kw">let</span>"#), "{body}");
    // The commit, its full id kept for copying.
    assert!(body.contains(&format!(r#"data-commit="{head}""#)));
    assert!(body.contains("<strong>Fix the parser</strong>"));
    assert!(body.contains("It panicked on empty input."));
    // The PR body as Markdown: a list, code, one safe link; nothing that runs.
    assert!(
        body.contains("<li><code>parse()</code> panicked on empty input</li>"),
        "{body}"
    );
    assert!(body.contains(r#"href="https://example.com/docs""#));
    assert!(!body.contains("javascript:"), "{body}");
    assert!(
        !body.contains("<script"),
        "no script element anywhere: {body}"
    );
    // The task's rationale is Markdown too.
    assert!(
        body.contains("<li>one <code>unwrap()</code></li>"),
        "{body}"
    );
}

async fn every_run_of_a_pull_request_links_to_it(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let run_dir = dir.path().join("run");
    let (base, head) = clone_with_change(&run_dir);
    for (index, run_id) in ["run-opened", "run-updated"].iter().enumerate() {
        register(db.store.as_ref(), run_id, REPOSITORY, at(index as i64 + 1)).await;
        write_artifacts(&run_dir, &run_artifacts(run_id, &base, &head));
        persist(&db, run_id, &run_dir, serde_json::json!({}));
    }
    // The run that opened the PR still shows it, though a later run updated it.
    let opened = get(&db.store, "/runs/run-opened").await;
    let pr_fact = opened
        .body
        .split("<dt>Pull request</dt>")
        .nth(1)
        .and_then(|rest| rest.split("</dd>").next())
        .unwrap_or_default()
        .to_owned();
    assert!(
        pr_fact.contains("#1"),
        "the opening run shows its PR: {pr_fact}"
    );
    for page in [&opened, &get(&db.store, "/runs/run-updated").await] {
        assert!(
            page.body
                .contains(r#"<li data-pr-run="run-opened">opened by"#),
            "{}",
            page.body
        );
        assert!(page
            .body
            .contains(r#"<li data-pr-run="run-updated">updated by"#));
    }
    let link = format!(r#"href="{}""#, minijinja::HtmlEscape("/runs/run-updated"));
    assert!(opened.body.contains(&link), "{}", opened.body);
    // The timeline lists the PR on both runs.
    let timeline = get(&db.store, "/timeline").await;
    let rows: Vec<&str> = timeline.body.split("<tr data-run=").skip(1).collect();
    assert_eq!(rows.len(), 2, "{}", timeline.body);
    assert!(
        rows.iter().all(|row| row.contains("#1")),
        "{}",
        timeline.body
    );
}

async fn a_failed_run_shows_its_error_handler_and_finally_step(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let run_dir = dir.path().join("run");
    crate::common::run_dir::mark(&run_dir, "run-broke");
    register(db.store.as_ref(), "run-broke", REPOSITORY, at(1)).await;
    db.store.set_phase("run-broke", "implement").await.unwrap();
    let gone = run_dir.join("implementation.json");
    let message = format!(
        "cargo test failed; the last output is in {}",
        gone.display()
    );
    // The flow's error handler, then its finally step, as the binaries run them.
    persist(
        &db,
        "run-broke",
        &run_dir,
        serde_json::json!({"failed_phase": "implement", "error": message, "status": "failed"}),
    );
    Runner::new("am-cleanup")
        .env("DATABASE_URL", db.url())
        .env("AM_CACHE_DIR", dir.path().join("cache"))
        .input_json(&serde_json::json!({"run_id": "run-broke", "run_dir": run_dir}))
        .run()
        .assert_ok();

    let page = get(&db.store, "/runs/run-broke").await;
    let body = &page.body;
    assert!(
        body.contains(r#"<li class="failed"><span>4. Implementation"#),
        "{body}"
    );
    assert!(body.contains(r#"<li class="handler"><span>8. Persistence</span><span class="state">error handler: failure recorded"#), "{body}");
    assert!(
        body.contains(
            r#"<li class="handler"><span>10. Cleanup</span><span class="state">finally: cleaned up"#
        ),
        "{body}"
    );
    assert!(body.contains(
        r#"<li class="skipped"><span>9. Learning</span><span class="state">not reached"#
    ));
    // The error box does not send the reader to the deleted file.
    let deleted = minijinja::HtmlEscape(&gone.display().to_string()).to_string();
    assert!(!body.contains(&deleted), "{body}");
    assert!(body.contains("recorded with the run"), "{body}");
}

async fn numbers_read_as_people_expect(db: TestDb) {
    register(db.store.as_ref(), "run-numbers", REPOSITORY, at(1)).await;
    let mut run = artifacts("run-numbers", REPOSITORY, "am/numbers", 60.0);
    // An offline run: no tokens.
    for usage in [
        run.task.as_mut().map(|t| &mut t.usage),
        run.implementation.as_mut().map(|i| &mut i.usage),
    ]
    .into_iter()
    .flatten()
    {
        usage.input_tokens = 0;
        usage.output_tokens = 0;
        usage.cost_usd = 0.0;
    }
    db.store.persist_artifacts(&run).await.unwrap();
    let id = db
        .store
        .add_learning(&NewLearning {
            repository: REPOSITORY.to_owned(),
            kind: "success".to_owned(),
            content: "Small lint fixes are merged quickly".to_owned(),
            source: "outcome".to_owned(),
            run_id: Some("run-numbers".to_owned()),
            weight: 1.5,
            effect: None,
            evidence: Vec::new(),
        })
        .await
        .unwrap();
    db.store.adjust_learning_weight(id, 1.376).await.unwrap();

    let page = get(&db.store, "/runs/run-numbers").await;
    assert!(page.body.contains("weight 2.88 "), "{}", page.body);
    assert!(!page.body.contains("2.876"), "{}", page.body);

    let analytics = get(&db.store, "/analytics").await;
    let tokens = analytics
        .body
        .split(r#"data-chart="tokens""#)
        .nth(1)
        .and_then(|rest| rest.split("</section>").next())
        .unwrap_or_default();
    assert!(tokens.contains("No tokens used"), "{tokens}");
    assert!(!tokens.contains("chart-tick"), "no empty axis: {tokens}");
}
