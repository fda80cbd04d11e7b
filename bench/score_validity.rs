//! Score validity: does the evolution score rank a plainly better change above a worse one?
//!
//! For each language (Rust, Python, JavaScript, Go; see `score_validity/cases.rs`), a clean
//! change and the same change with one problem injected are committed to a fresh git
//! repository over the same base, reviewed by the local review (static checks of the diff; no
//! linter runs, so the figures do not depend on the machine's tools) and scored by
//! `evaluate::evaluator::evaluate` as a bug fix whose test command passed, without coverage
//! runs. A pair is ranked correctly when the worse change's evolution score is strictly lower;
//! the intended component caught the problem when its score dropped.
//!
//! `cargo bench --bench score_validity` prints a table and the totals; `bench/score_validity.md`
//! holds the figures measured.

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

#[path = "score_validity/cases.rs"]
mod cases;

use std::path::Path;

use automaintainer::artifacts::{
    CheckRun, Evaluation, Implementation, ImplementationStatus, TaskKind, Usage,
};
use automaintainer::evaluate::evaluator::{evaluate, Options};
use automaintainer::repo::change::changed_files;
use automaintainer::review::local::{review, LocalOptions};

use cases::{Case, Component, Files};

fn commit(repo: &git2::Repository, message: &str) -> String {
    let mut index = repo.index().expect("index");
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .expect("add");
    index.update_all(["*"], None).expect("update deleted files");
    index.write().expect("write index");
    let tree = repo
        .find_tree(index.write_tree().expect("tree"))
        .expect("find tree");
    let signature = git2::Signature::now("bench", "bench@example.com").expect("signature");
    let parents: Vec<git2::Commit<'_>> = repo
        .head()
        .ok()
        .and_then(|h| h.peel_to_commit().ok())
        .into_iter()
        .collect();
    let parents: Vec<&git2::Commit<'_>> = parents.iter().collect();
    repo.commit(
        Some("HEAD"),
        &signature,
        &signature,
        message,
        &tree,
        &parents,
    )
    .expect("commit")
    .to_string()
}

fn write(root: &Path, path: &str, content: Option<&str>) {
    let file = root.join(path);
    match content {
        Some(text) => {
            if let Some(parent) = file.parent() {
                std::fs::create_dir_all(parent).expect("mkdir");
            }
            std::fs::write(file, text).expect("write");
        }
        None => {
            let _ = std::fs::remove_file(file);
        }
    }
}

/// The evaluation of `change` over the case's base.
fn score(runtime: &tokio::runtime::Runtime, case: &Case, change: &Files) -> Evaluation {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let repo = git2::Repository::init(root).expect("init");
    for (path, text) in &case.base {
        write(root, path, Some(text));
    }
    let base = commit(&repo, "base");
    for (path, text) in change {
        write(root, path, text.as_deref());
    }
    let head = commit(&repo, "change");
    let files = changed_files(root, &base, &head).expect("diff");
    let options = LocalOptions {
        linters: false,
        ..LocalOptions::default()
    };
    let local = runtime
        .block_on(review(root, &base, &head, options))
        .expect("review");
    let implementation = Implementation {
        status: ImplementationStatus::Committed,
        task: None,
        branch: "automaintainer/bench".to_owned(),
        base_branch: "main".to_owned(),
        commit: Some(head),
        base_commit: base,
        files: Vec::new(),
        lines_added: 0,
        lines_removed: 0,
        notes: Vec::new(),
        follow_up: None,
        checks: vec![CheckRun {
            command: "the repository's test command".to_owned(),
            exit_code: Some(0),
            passed: true,
            duration_secs: 1.0,
            timed_out: false,
            output_tail: String::new(),
            attempt: 1,
        }],
        attempts: 1,
        usage: Usage::default(),
        failure: None,
    };
    let options = Options {
        coverage: false,
        lint: false,
        task_kind: Some(TaskKind::BugFix),
        ..Options::default()
    };
    evaluate(root, &implementation, &files, Some(&local), &options)
}

fn component(evaluation: &Evaluation, which: Component) -> Option<f64> {
    match which {
        Component::CodeQuality => evaluation.code_quality.score,
        Component::TestCoverage => evaluation.test_coverage.score,
        Component::Maintainability => evaluation.maintainability.score,
        Component::Readability => evaluation.readability.score,
    }
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (mut pairs, mut ranked, mut caught) = (0, 0, 0);
    let mut by_problem: std::collections::BTreeMap<&str, (u32, u32, u32)> = Default::default();
    println!(
        "| language | problem | clean | worse | ranked | intended component | clean -> worse | dropped |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for case in cases::cases() {
        let clean = score(&runtime, &case, &case.clean);
        for (problem, intended, change) in &case.worse {
            let worse = score(&runtime, &case, change);
            let (c, w) = (
                clean.evolution_score.unwrap_or(0.0),
                worse.evolution_score.unwrap_or(0.0),
            );
            let right = w < c;
            let (ic, iw) = (component(&clean, *intended), component(&worse, *intended));
            let dropped =
                matches!((ic, iw), (Some(a), Some(b)) if b < a) || (ic.is_some() && iw.is_none());
            pairs += 1;
            ranked += u32::from(right);
            caught += u32::from(dropped);
            let entry = by_problem.entry(problem).or_default();
            entry.0 += 1;
            entry.1 += u32::from(right);
            entry.2 += u32::from(dropped);
            let show = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.1}"));
            println!(
                "| {} | {problem} | {c:.2} | {w:.2} | {} | {} | {} -> {} | {} |",
                case.language,
                if right { "yes" } else { "NO" },
                intended.name(),
                show(ic),
                show(iw),
                if dropped { "yes" } else { "NO" },
            );
        }
    }
    println!();
    println!("| problem | pairs | ranked correctly | intended component dropped |");
    println!("|---|---|---|---|");
    for (problem, (n, right, dropped)) in &by_problem {
        println!("| {problem} | {n} | {right} | {dropped} |");
    }
    println!();
    println!(
        "pairs ranked correctly: {ranked}/{pairs} ({:.1}%); intended component dropped: {caught}/{pairs} ({:.1}%)",
        100.0 * f64::from(ranked) / f64::from(pairs),
        100.0 * f64::from(caught) / f64::from(pairs),
    );
}
