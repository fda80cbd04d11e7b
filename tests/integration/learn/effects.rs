//! Learnings that change what the next run does, across runs on both stores: a PR closed
//! unmerged keeps its task from being chosen again and the learning cites the PR; a CodeRabbit
//! finding on the project's PR becomes a learning citing it, which the next selection prompt
//! carries and the offline selection honours (task.json records it); unused learnings expire,
//! learnings whose evidence is gone retire, near-duplicates merge.

use automaintainer::artifacts::{
    Context, EffectAction, Finding, FindingKind, ReviewSource, TaskFile,
};
use automaintainer::implement::learned_selection;
use automaintainer::implement::selection::Rules;
use automaintainer::learn::age::{age, Present, DEFAULT_MAX_AGE_DAYS};
use automaintainer::learn::outcome::{record_outcome, PrState};
use automaintainer::learn::retrieve;
use automaintainer::store::RunArtifacts;
use chrono::Duration;
use wiremock::MockServer;

use super::*;
use crate::common::llm_stub;

const LEN_ZERO: &str = "clippy::len_zero";
const NEEDLESS_RETURN: &str = "clippy::needless_return";

fn lint(path: &str, rule: &str) -> Finding {
    Finding {
        kind: FindingKind::Lint,
        path: path.to_owned(),
        line: Some(3),
        message: format!("{rule}: fix it"),
        tool: "clippy".to_owned(),
        fixable: true,
        score: None,
    }
}

/// The example's findings: two clippy rules in src/lib.rs and a formatting difference.
fn findings() -> Vec<Finding> {
    vec![
        lint("src/lib.rs", LEN_ZERO),
        lint("src/lib.rs", NEEDLESS_RETURN),
        Finding {
            kind: FindingKind::Format,
            path: "src/lib.rs".to_owned(),
            line: None,
            message: "not formatted as rustfmt would".to_owned(),
            tool: "rustfmt".to_owned(),
            fixable: true,
            score: None,
        },
    ]
}

fn context(learnings: Vec<automaintainer::artifacts::Learning>) -> Context {
    serde_json::from_value(json!({
        "repository": REPOSITORY,
        "head_commit": "0000000",
        "summary": {"languages": [], "build_systems": ["cargo"], "test_layout": [],
                    "total_files": 1, "total_code_lines": 10, "total_bytes": 100},
        "repo_map": {"text": "", "tokens": 0, "budget": 100, "ranked_files": [{"path": "src/lib.rs", "rank": 1.0}]},
        "findings": findings(),
        "issues": [],
        "history": {"recent_commits": [], "hot_files": []},
        "learnings": learnings,
        "check_commands": ["cargo test"],
    }))
    .unwrap()
}

fn rules() -> Rules {
    Rules {
        allowed_kinds: vec![],
        max_target_files: 5,
        max_lines: 400,
    }
}

/// A local-forge PR of `run_id`, as the store records it (numbered by the store).
async fn pr_row(store: &dyn Store, run_id: &str, title: &str) -> PullRequestRow {
    let now = Utc::now();
    store
        .upsert_pull_request(&PullRequestRow {
            run_id: run_id.to_owned(),
            repository: REPOSITORY.to_owned(),
            forge: "local".to_owned(),
            number: None,
            url: None,
            branch: format!("automaintainer/{run_id}"),
            title: title.to_owned(),
            state: "open".to_owned(),
            merged: false,
            head_commit: None,
            created_at: now,
            updated_at: now,
        })
        .await
        .unwrap()
}

async fn closed_pr_is_not_chosen_again(db: TestDb) {
    let store = db.store.as_ref();
    register(store, "run-1").await;
    // Run 1 chooses offline: clippy's two rules in src/lib.rs.
    let first = learned_selection::choose(&context(vec![]), &rules(), |_| true);
    let task = first.selection.task().cloned().unwrap();
    assert_eq!(task.rules, [LEN_ZERO, NEEDLESS_RETURN]);
    store
        .persist_artifacts(&RunArtifacts {
            run_id: "run-1".to_owned(),
            task: Some(TaskFile {
                selection: first.selection.clone(),
                learnings_used: vec![],
                shaped_by: vec![],
                usage: Usage::default(),
                fingerprint: None,
                skipped: Vec::new(),
            }),
            ..RunArtifacts::default()
        })
        .await
        .unwrap();
    let pr = pr_row(store, "run-1", &task.title).await;
    let number = pr.number.expect("the store numbers local PRs");

    // The maintainer closes it unmerged; the next reflection reads that.
    let applied = record_outcome(store, &pr, PrState::Closed, REPOSITORY, 0.6)
        .await
        .unwrap()
        .expect("a new outcome");
    assert_eq!(applied.remembered.added.len(), 2);
    let learnings = store.learnings(REPOSITORY).await.unwrap();
    for rule in [LEN_ZERO, NEEDLESS_RETURN] {
        let learning = learnings
            .iter()
            .find(|l| l.effect_target.as_deref() == Some(rule))
            .unwrap_or_else(|| panic!("no learning avoiding {rule}: {learnings:?}"));
        assert_eq!(learning.effect_action.as_deref(), Some("avoid_rule"));
        let evidence = &learning.evidence.0[0];
        assert_eq!(
            (
                evidence.pr_number,
                evidence.outcome.as_str(),
                evidence.run_id.as_str()
            ),
            (Some(number), "closed_unmerged", "run-1")
        );
        assert!(
            learning.content.contains(&format!("PR #{number}")),
            "{}",
            learning.content
        );
    }
    // Applied once: the same outcome again changes nothing.
    assert!(record_outcome(store, &pr, PrState::Closed, REPOSITORY, 0.6)
        .await
        .unwrap()
        .is_none());

    // Run 2 reads the learnings and does not choose the same task: rustfmt's instead.
    let read = retrieve::for_run(store, REPOSITORY, "clippy lint src/lib.rs", 10)
        .await
        .unwrap();
    let second = learned_selection::choose(&context(read), &rules(), |_| true);
    let task = second.selection.task().cloned().unwrap();
    assert_eq!(task.tool.as_deref(), Some("rustfmt"), "{task:?}");
    assert_eq!(second.shaped_by.len(), 2);
}

async fn a_coderabbit_finding_steers_the_next_run(db: TestDb) {
    let store = db.store.as_ref();
    register(store, "run-1").await;
    let run_dir = db.dir().join("coderabbit-run-1");
    std::fs::create_dir_all(&run_dir).unwrap();
    let mut pr = pr_file(Path::new("/forge/remote.git"), "automaintainer/run-1");
    pr.number = Some(7);
    pr.url = Some("https://github.com/acme/shipping/pull/7".to_owned());
    write(&run_dir.join("pr.json"), &pr);
    let mut reviewed = review(
        ReviewStatus::Reviewed,
        vec![finding(
            Severity::Major,
            true,
            "src/lib.rs",
            "Compare with `is_empty()` instead of `len() == 0`",
            "This trips `clippy::len_zero`; the rest of the crate uses `is_empty()`.",
        )],
    );
    reviewed.source = ReviewSource::Coderabbit;
    write(&run_dir.join("review.json"), &reviewed);
    let ran = Runner::new("am-reflect")
        .env("DATABASE_URL", db.url())
        .input_json(&json!({"run_id": "run-1", "run_dir": run_dir, "repository": REPOSITORY}))
        .run();
    ran.assert_ok();
    let learnings = store.learnings(REPOSITORY).await.unwrap();
    let learning = learnings
        .iter()
        .find(|l| l.effect_target.as_deref() == Some(LEN_ZERO))
        .unwrap_or_else(|| panic!("no learning avoiding {LEN_ZERO}: {learnings:?}"));
    let evidence = &learning.evidence.0[0];
    assert_eq!(
        (
            evidence.pr_number,
            evidence.source.as_str(),
            evidence.rule.as_deref(),
            evidence.path.as_deref(),
            evidence.category.as_deref()
        ),
        (
            Some(7),
            "coderabbit",
            Some(LEN_ZERO),
            Some("src/lib.rs"),
            Some("potentialissue")
        )
    );
    // No template learning from the score.
    assert!(learnings
        .iter()
        .all(|l| !l.content.starts_with("Changes scored low")));

    // Run 2: the context carries it; the offline selection avoids the rule and task.json says
    // which learning shaped the task.
    let read = retrieve::for_run(store, REPOSITORY, "clippy lint", 10)
        .await
        .unwrap();
    assert!(read.iter().any(|l| l.id == learning.id));
    let next = db.dir().join("coderabbit-run-2");
    let repo = next.join("repo");
    std::fs::create_dir_all(repo.join("src")).unwrap();
    std::fs::write(repo.join("src/lib.rs"), "pub fn a() {}\n").unwrap();
    write(&next.join("context.json"), &context(read));
    crate::common::tools::assert_installed("cargo", &["clippy", "--version"]);
    let selected = Runner::new("am-select")
        .env("AM_LLM", "offline")
        .input_json(&json!({"run_id": "run-2", "run_dir": next, "repo": repo}))
        .run();
    selected.assert_ok();
    let task: TaskFile =
        serde_json::from_str(&std::fs::read_to_string(next.join("task.json")).unwrap()).unwrap();
    let chosen = task.selection.task().cloned().unwrap();
    assert_eq!(chosen.rules, [NEEDLESS_RETURN]);
    assert_eq!(task.shaped_by.len(), 1, "{:?}", task.shaped_by);
    let shaping = &task.shaped_by[0];
    assert_eq!(shaping.id, learning.id);
    assert_eq!(
        shaping.effect.as_ref().map(|e| e.action),
        Some(EffectAction::AvoidRule)
    );
    assert!(shaping.evidence[0].starts_with("PR #7, review finding, by coderabbit"));
    assert!(task.learnings_used.contains(&learning.id));

    // With a model, the selection prompt carries it with its evidence.
    let server = MockServer::start().await;
    let choice = json!({"choice": {"status": "nothing", "reason": "nothing worth doing"}});
    llm_stub::mount_openai(&server, vec![llm_stub::openai_reply(&choice.to_string())]).await;
    let asked = tokio::task::spawn_blocking({
        let (next, repo, spec) = (next.clone(), repo.clone(), llm_stub::openai_spec(&server));
        move || {
            Runner::new("am-select")
                .env("OPENAI_API_KEY", llm_stub::OPENAI_KEY)
                .input_json(&json!({"run_id": "run-2", "run_dir": next, "repo": repo, "llm": spec}))
                .run()
        }
    })
    .await
    .unwrap();
    asked.assert_ok();
    let bodies = llm_stub::request_bodies(&server).await;
    let prompt = bodies[0]["messages"][1]["content"].as_str().unwrap();
    assert!(
        prompt.contains(&format!("effect: avoid findings of the rule `{LEN_ZERO}`")),
        "{prompt}"
    );
    assert!(
        prompt.contains("evidence: PR #7, review finding, by coderabbit"),
        "{prompt}"
    );
}

async fn learnings_age(db: TestDb) {
    let store = db.store.as_ref();
    let add = |content: &str, effect: Option<(EffectAction, &str)>| NewLearning {
        repository: REPOSITORY.to_owned(),
        kind: "mistake".to_owned(),
        content: content.to_owned(),
        source: "review".to_owned(),
        run_id: None,
        weight: 1.0,
        effect: effect
            .map(|(action, target)| automaintainer::artifacts::Effect::new(action, target)),
        evidence: Vec::new(),
    };
    register(store, "run-9").await;
    let unused = store
        .add_learning(&add("Keep the parser's errors typed", None))
        .await
        .unwrap();
    let used = store
        .add_learning(&add("Name the magic numbers in the cost table", None))
        .await
        .unwrap();
    let gone = store
        .add_learning(&add(
            "Do not touch the generated bindings",
            Some((EffectAction::AvoidPath, "src/bindings.rs")),
        ))
        .await
        .unwrap();
    let twin = store
        .add_learning(&add("Keep the parser's errors typed, please", None))
        .await
        .unwrap();
    let now = Utc::now();
    let clone = db.dir().join("ageing-clone");
    std::fs::create_dir_all(clone.join("src")).unwrap();
    let present = Present {
        clone: &clone,
        findings: &[],
        complete: true,
    };
    // Today: the path is gone, and the two wordings of one lesson merge.
    let aged = age(store, REPOSITORY, Some(present), now, DEFAULT_MAX_AGE_DAYS)
        .await
        .unwrap();
    let retired: Vec<i64> = aged.retired.iter().map(|(id, _)| *id).collect();
    assert!(retired.contains(&gone), "{aged:?}");
    let merged_away = if retired.contains(&twin) {
        twin
    } else {
        unused
    };
    assert!(retired.contains(&merged_away), "{aged:?}");
    let keeper = if merged_away == twin { unused } else { twin };
    let active: Vec<i64> = store
        .learnings(REPOSITORY)
        .await
        .unwrap()
        .iter()
        .map(|l| l.id)
        .collect();
    assert_eq!(active.len(), 2, "{active:?}");
    assert!(active.contains(&keeper) && active.contains(&used));

    // A run uses one: it is marked used now. 59 days on nothing has expired; at 61 days both
    // have gone unused for more than 60 days and expire.
    store.record_learning_use("run-9", &[used]).await.unwrap();
    let marked = store.learnings(REPOSITORY).await.unwrap();
    assert!(marked
        .iter()
        .find(|l| l.id == used)
        .unwrap()
        .last_used_at
        .is_some());
    let aged = age(
        store,
        REPOSITORY,
        None,
        now + Duration::days(59),
        DEFAULT_MAX_AGE_DAYS,
    )
    .await
    .unwrap();
    assert!(aged.retired.is_empty(), "{aged:?}");
    let aged = age(
        store,
        REPOSITORY,
        None,
        now + Duration::days(61),
        DEFAULT_MAX_AGE_DAYS,
    )
    .await
    .unwrap();
    let mut expired: Vec<i64> = aged.retired.iter().map(|(id, _)| *id).collect();
    expired.sort_unstable();
    let mut expected = vec![keeper, used];
    expected.sort_unstable();
    assert_eq!(expired, expected, "{aged:?}");
    assert!(aged.retired[0].1.contains("unused for more than 60 days"));
    assert!(store
        .relevant_learnings(REPOSITORY, "parser errors typed", 10)
        .await
        .unwrap()
        .is_empty());
    let history = store.learning_history(REPOSITORY).await.unwrap();
    assert_eq!(history.len(), 4);
    assert!(history.iter().all(|l| l.retired_at.is_some()));
}

crate::store_tests!(
    closed_pr_is_not_chosen_again,
    a_coderabbit_finding_steers_the_next_run,
    learnings_age
);
