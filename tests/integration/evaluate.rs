//! am-evaluate as a binary on real git repositories: the score from hand-computed components,
//! unavailable components, the maintainability delta of a known refactoring, and "nothing".

use std::path::{Path, PathBuf};

use automaintainer::artifacts::{Evaluation, Method, ReviewStatus, Severity};
use automaintainer::evaluate::maintainability;
use automaintainer::repo::change::{changed_files, ChangedFile};
use serde_json::json;

use crate::common::artifacts::{check, finding, implementation, review, write};
use crate::common::bin::Runner;
use crate::common::git::{commit_files, git, init_repo};

mod lint;

/// Before: one function, cyclomatic 6 (if, if, if, else-if, &&), cognitive 11
/// (1 + 2 + 3 + else 1 + else 1 + else-if 1 + && 1 + else 1), nesting 3.
const BEFORE: &str = r#"//! Shipping costs.

/// The shipping cost of an order, in cents.
pub fn shipping_cost(weight: u32, express: bool, member: bool) -> u32 {
    if express {
        if member {
            if weight > 10 {
                900
            } else {
                500
            }
        } else {
            1500
        }
    } else if member && weight < 20 {
        0
    } else {
        400
    }
}
"#;

/// After: a match (4 exhaustive arms and a guard: cyclomatic 1 + 3 + 1 = 5, cognitive 1) and a
/// helper (if/else: cyclomatic 2, cognitive 2): cyclomatic 6 -> 7, cognitive 11 -> 3.
const AFTER: &str = r#"//! Shipping costs.

/// The shipping cost of an order, in cents.
pub fn shipping_cost(weight: u32, express: bool, member: bool) -> u32 {
    match (express, member) {
        (true, true) => express_member_cost(weight),
        (true, false) => 1500,
        (false, true) if weight < 20 => 0,
        _ => 400,
    }
}

/// Express shipping for members depends on the weight.
fn express_member_cost(weight: u32) -> u32 {
    if weight > 10 {
        900
    } else {
        500
    }
}
"#;

/// Twelve lines of tests: more than half the code lines the change adds.
const TESTS: &str = r#"use shipping::shipping_cost;

#[test]
fn members_ship_light_orders_free() {
    assert_eq!(shipping_cost(5, false, true), 0);
}

#[test]
fn heavy_express_orders_cost_most() {
    assert_eq!(shipping_cost(50, true, true), 900);
    assert_eq!(shipping_cost(50, true, false), 1500);
}
"#;

struct Fixture {
    _dir: tempfile::TempDir,
    run_dir: PathBuf,
    base: String,
    head: String,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let run_dir = dir.path().join("run");
    let clone = run_dir.join("repo");
    init_repo(
        &clone,
        &[("src/lib.rs", BEFORE), ("README.md", "# shipping\n")],
    );
    let base = git(&clone, &["rev-parse", "HEAD"]);
    git(&clone, &["checkout", "-q", "-b", "automaintainer/test"]);
    let head = commit_files(
        &clone,
        &[("src/lib.rs", AFTER), ("tests/shipping.rs", TESTS)],
        "Flatten shipping_cost",
    );
    Fixture {
        _dir: dir,
        run_dir,
        base,
        head,
    }
}

fn run_evaluate(run_dir: &Path, extra: serde_json::Value) -> crate::common::bin::Ran {
    let mut input = json!({"run_id": "run-eval", "run_dir": run_dir, "coverage": false});
    input
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    Runner::new("am-evaluate").input_json(&input).run()
}

fn read_evaluation(run_dir: &Path) -> Evaluation {
    serde_json::from_str(&std::fs::read_to_string(run_dir.join("evaluation.json")).unwrap())
        .unwrap()
}

#[test]
fn evolution_score_from_hand_computed_components() {
    let f = fixture();
    let checks = vec![check("cargo test", false, 1), check("cargo test", true, 2)];
    write(
        &f.run_dir.join("implementation.json"),
        &implementation(&f.base, Some(&f.head), checks),
    );
    // Review: a major actionable finding (12) and a minor aside (5 / 2): 100 - 14.5 = 85.5.
    write(
        &f.run_dir.join("review.json"),
        &review(
            ReviewStatus::Reviewed,
            vec![
                finding(
                    Severity::Major,
                    true,
                    "src/lib.rs",
                    "Guard hides a case",
                    "...",
                ),
                finding(
                    Severity::Minor,
                    false,
                    "src/lib.rs",
                    "Name the magic 20",
                    "...",
                ),
            ],
        ),
    );
    let ran = run_evaluate(&f.run_dir, json!({}));
    ran.assert_ok();
    let e = read_evaluation(&f.run_dir);

    assert_eq!(e.code_quality.score, Some(85.5));
    assert_eq!(e.code_quality.method, Method::Measured);
    // Two test functions added for two changed code functions (one expected), and the final
    // attempt's `cargo test` passed: 0.3 * 100 + 0.7 * 100.
    assert_eq!(e.test_coverage.score, Some(100.0));
    assert!(
        e.test_coverage.evidence.contains("2 test case(s) added"),
        "{}",
        e.test_coverage.evidence
    );
    assert_eq!(e.test_coverage.method, Method::Estimated);
    // Flattening shipping_cost (nesting 3 -> 1) reads better than before: above neutral.
    let r = e.readability.score.unwrap();
    assert!(r > 50.0, "{}", e.readability.evidence);
    assert_eq!(e.readability.method, Method::Estimated);
    let m = e.maintainability.score.unwrap();
    assert!(m > 50.0, "{}", e.maintainability.evidence);
    assert_eq!(e.maintainability.method, Method::Measured);
    // 0.30*85.5 + 0.25*100 + 0.25*m + 0.20*r
    let expected = 25.65 + 25.0 + 0.25 * m + 0.20 * r;
    assert!(
        (e.evolution_score.unwrap() - expected).abs() < 0.01,
        "{e:?}"
    );

    let outputs = ran.outputs();
    assert_eq!(outputs["status"], "evaluated");
    assert_eq!(
        outputs["evolution_score"],
        json!(e.evolution_score.unwrap())
    );
    assert_eq!(
        ran.metric("evolution_score").unwrap()["value"],
        json!(e.evolution_score.unwrap())
    );
    let quality = ran.metric("code_quality").unwrap();
    assert_eq!(
        (quality["value"].clone(), quality["tags"]["method"].clone()),
        (json!(85.5), json!("measured"))
    );
}

#[test]
fn unavailable_components_leave_the_score_to_the_others() {
    let f = fixture();
    write(
        &f.run_dir.join("implementation.json"),
        &implementation(&f.base, Some(&f.head), vec![check("cargo test", true, 1)]),
    );
    // The review did not happen and clippy has no crate to lint (no Cargo.toml): code quality is
    // unavailable, and says why.
    write(
        &f.run_dir.join("review.json"),
        &review(ReviewStatus::NotReviewed, vec![]),
    );
    let weights = json!({"code_quality": 0.4, "test_coverage": 0.2, "maintainability": 0.2, "readability": 0.2});
    run_evaluate(&f.run_dir, json!({"weights": weights})).assert_ok();
    let e = read_evaluation(&f.run_dir);
    assert_eq!(e.code_quality.method, Method::Unavailable);
    assert_eq!(e.code_quality.score, None);
    assert!(
        e.code_quality
            .evidence
            .contains("clippy could not lint 2 changed file(s): no Cargo package holds"),
        "{}",
        e.code_quality.evidence
    );
    let m = e.maintainability.score.unwrap();
    let r = e.readability.score.unwrap();
    // (0.2*100 + 0.2*m + 0.2*r) / 0.6
    let expected = (20.0 + 0.2 * m + 0.2 * r) / 0.6;
    assert!(
        (e.evolution_score.unwrap() - expected).abs() < 0.01,
        "{e:?}"
    );
    assert_eq!(e.weights.code_quality, 0.4);
}

#[test]
fn maintainability_delta_of_a_known_refactoring() {
    let f = fixture();
    let clone = f.run_dir.join("repo");
    let files = changed_files(&clone, &f.base, &f.head).unwrap();
    let lib: Vec<_> = files
        .iter()
        .filter(|c| c.path == "src/lib.rs")
        .cloned()
        .collect();
    let delta = maintainability::delta(&lib).unwrap();
    // The changed functions: shipping_cost before; shipping_cost and its new helper after.
    assert_eq!((delta.before.functions, delta.after.functions), (1, 2));
    assert_eq!((delta.before.cyclomatic, delta.after.cyclomatic), (6, 7));
    assert_eq!((delta.before.cognitive, delta.after.cognitive), (11, 3));
    assert_eq!(
        (delta.before.excess_nesting, delta.after.excess_nesting),
        (1, 0)
    );
    // The refactoring scores above the neutral 50...
    let forward = maintainability::score(&delta);
    assert!(forward > maintainability::NEUTRAL, "{forward}");
    // ...and the reverse change (re-nesting it) below.
    let reversed = [ChangedFile::from_sides(
        "src/lib.rs",
        lib[0].after.as_deref(),
        lib[0].before.as_deref(),
    )];
    let backward = maintainability::score(&maintainability::delta(&reversed).unwrap());
    assert!(backward < maintainability::NEUTRAL, "{backward}");

    // The binary reports the same figures as evidence.
    write(
        &f.run_dir.join("implementation.json"),
        &implementation(&f.base, Some(&f.head), vec![]),
    );
    run_evaluate(&f.run_dir, json!({})).assert_ok();
    let evidence = read_evaluation(&f.run_dir).maintainability.evidence;
    assert!(evidence.contains("cognitive 11 -> 3"), "{evidence}");
}

#[test]
fn nothing_committed_means_nothing_to_evaluate() {
    let f = fixture();
    write(
        &f.run_dir.join("implementation.json"),
        &implementation(&f.base, None, vec![]),
    );
    let ran = run_evaluate(&f.run_dir, json!({}));
    ran.assert_ok();
    assert_eq!(ran.outputs()["status"], "nothing");
    assert!(!f.run_dir.join("evaluation.json").exists());
}

#[test]
fn python_change_is_linted_and_its_coverage_measured() {
    for (tool, args) in [
        ("ruff", vec!["--version"]),
        ("python3", vec!["-m", "coverage", "--version"]),
        ("python3", vec!["-m", "pytest", "--version"]),
    ] {
        let found = std::process::Command::new(tool)
            .args(&args)
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(found, "{tool} {args:?} is needed: `python3 -m pip install ruff coverage pytest` (.ci/run installs them)");
    }
    let dir = tempfile::tempdir().unwrap();
    let run_dir = dir.path().join("run");
    let clone = run_dir.join("repo");
    init_repo(
        &clone,
        &[
            ("calc.py", "def add(a, b):\n    return a + b\n"),
            ("pyproject.toml", "[project]\nname = \"calc\"\n"),
        ],
    );
    let base = git(&clone, &["rev-parse", "HEAD"]);
    // `import os` is unused (a lint finding the change introduces); `half` is tested, `unused`
    // is not: 3 of the 5 instrumented added lines run.
    let calc = "import os\n\n\ndef add(a, b):\n    return a + b\n\n\ndef half(value):\n    return value / 2\n\n\ndef unused(value):\n    return value * 3\n";
    let test = "from calc import half\n\n\ndef test_half():\n    assert half(4) == 2\n";
    let head = commit_files(
        &clone,
        &[("calc.py", calc), ("test_calc.py", test)],
        "Add half",
    );
    write(
        &run_dir.join("implementation.json"),
        &implementation(
            &base,
            Some(&head),
            vec![check("python3 -m pytest", true, 1)],
        ),
    );
    let ran = Runner::new("am-evaluate")
        .input_json(&json!({"run_id": "run-py", "run_dir": run_dir}))
        .run();
    ran.assert_ok();
    let e = read_evaluation(&run_dir);
    // ruff: calc.py had 0 findings and has 1 (F401): 100 - 10*1 - 2*1 = 88; no review.
    assert_eq!(
        e.code_quality.score,
        Some(88.0),
        "{}",
        e.code_quality.evidence
    );
    assert!(e.code_quality.evidence.contains("ruff"));
    // Added, instrumented lines of calc.py: import os, def half, return value / 2, def unused,
    // return value * 3 (5); run: import, both defs, half's body (4 of 5) -> 80.
    assert_eq!(
        e.test_coverage.method,
        Method::Measured,
        "{}",
        e.test_coverage.evidence
    );
    assert_eq!(
        e.test_coverage.score,
        Some(80.0),
        "{}",
        e.test_coverage.evidence
    );
}

/// The text of every request the stub received, concatenated.
async fn prompts_sent(server: &wiremock::MockServer) -> String {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_model_judges_readability() {
    use crate::common::llm_stub::{mount_openai, openai_reply, openai_spec};
    let server = wiremock::MockServer::start().await;
    mount_openai(
        &server,
        vec![openai_reply(
            r#"{"score": 72, "explanation": "Clear names; the match arms need a comment."}"#,
        )],
    )
    .await;
    let f = fixture();
    write(
        &f.run_dir.join("implementation.json"),
        &implementation(&f.base, Some(&f.head), vec![check("cargo test", true, 1)]),
    );
    let ran = run_evaluate(&f.run_dir, json!({"llm": openai_spec(&server)}));
    ran.assert_ok();
    let e = read_evaluation(&f.run_dir);
    assert_eq!(e.readability.score, Some(72.0));
    assert_eq!(e.readability.method, Method::Measured);
    assert!(
        e.readability
            .evidence
            .contains("the match arms need a comment"),
        "{}",
        e.readability.evidence
    );
    assert!(ran.metric("llm_tokens").is_some());
    // The added lines went to the model fenced as data, with their line numbers.
    let sent = prompts_sent(&server).await;
    assert!(
        sent.contains("untrusted-data source=\\\"added lines of src/lib.rs\\\""),
        "{sent}"
    );
    assert!(sent.contains("fn express_member_cost(weight: u32) -> u32"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_model_leaves_the_deterministic_estimate() {
    use crate::common::llm_stub::{mount_openai, openai_reply, openai_spec};
    let server = wiremock::MockServer::start().await;
    // Not the reply schema, twice (the repair round too).
    mount_openai(&server, vec![openai_reply(r#"{"verdict": "nice"}"#)]).await;
    let f = fixture();
    write(
        &f.run_dir.join("implementation.json"),
        &implementation(&f.base, Some(&f.head), vec![]),
    );
    run_evaluate(&f.run_dir, json!({"llm": openai_spec(&server)})).assert_ok();
    let e = read_evaluation(&f.run_dir);
    let files = changed_files(&f.run_dir.join("repo"), &f.base, &f.head).unwrap();
    let deterministic = automaintainer::evaluate::readability::readability(&files);
    assert_eq!(
        (e.readability.score, e.readability.method),
        (deterministic.score, Method::Estimated)
    );
    assert!(
        e.readability
            .evidence
            .starts_with("the model could not judge"),
        "{}",
        e.readability.evidence
    );
}

#[test]
fn huge_timeouts_are_clamped_not_a_panic() {
    let f = fixture();
    write(
        &f.run_dir.join("implementation.json"),
        &implementation(&f.base, Some(&f.head), vec![check("cargo test", true, 1)]),
    );
    let ran = run_evaluate(
        &f.run_dir,
        json!({"lint_timeout_secs": u64::MAX, "coverage_timeout_secs": u64::MAX}),
    );
    assert_ne!(ran.code, 101, "{}", ran.stderr);
    ran.assert_ok();
    assert!(read_evaluation(&f.run_dir).code_quality.method == Method::Unavailable);
}
