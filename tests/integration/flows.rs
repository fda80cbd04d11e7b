//! The Kestra flows: both sets (Kestra 1.3 and 2.x) checked against the binaries' schemas and
//! against what each line refuses, the fleet's subflow calls against the main flow; then the flows
//! executed command by command, as
//! Kestra's Process runner would run them, in one working directory against a fixture repository
//! on the embedded defaults (SQLite, the offline provider, the local forge); and once more with a
//! phase forced to fail, to see the failure recorded and the cleanup run.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use automaintainer::orchestration::deploy::{self, DeploySettings};
use automaintainer::orchestration::expressions::{Renderer, Strictness};
use automaintainer::orchestration::flow::{
    Flow, Section, COMMANDS_TYPE, FOR_EACH_TYPE, LOOP_TYPE, PROCESS_RUNNER_TYPE, SCHEDULE_TYPE,
    SUBFLOW_TYPE,
};
use automaintainer::orchestration::flow_check;
use automaintainer::orchestration::kestra_line::KestraLine;
use automaintainer::orchestration::pipeline::{self, FlowRun, RunReport, StepOutcome};
use automaintainer::orchestration::shell::ShellExecutor;
use automaintainer::secrets::Secret;
use automaintainer::store::{RunDetail, RunStatus};

use crate::common::{bin, git};

fn main_flow() -> Flow {
    Flow::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("flows/main-orchestration.yml")).unwrap()
}

#[test]
fn the_main_flow_has_the_ten_phases_in_order_with_timeouts_retries_and_handlers() {
    let flow = main_flow();
    assert_eq!(flow.namespace, "automaintainer");
    let binaries: Vec<(String, Section)> = flow
        .steps()
        .iter()
        .map(|s| {
            let binary = s.task.commands[0]
                .split_whitespace()
                .next()
                .unwrap()
                .to_owned();
            (binary, s.section)
        })
        .collect();
    let main = |b: &str| (b.to_owned(), Section::Main);
    assert_eq!(
        binaries,
        vec![
            main("am-setup"),
            main("am-context"),
            main("am-select"),
            main("am-implement"),
            main("am-open-pr"),
            main("am-review"),
            main("am-evaluate"),
            main("am-persist"),
            main("am-reflect"),
            ("am-persist".to_owned(), Section::Errors),
            ("am-cleanup".to_owned(), Section::Finally),
        ]
    );
    // The phases that talk to the network retry with exponential backoff.
    for id in [
        "setup",
        "context",
        "select",
        "implement",
        "open_pr",
        "review",
    ] {
        let retry = flow.task(id).unwrap().retry.as_ref().unwrap();
        assert_eq!(retry.kind, "exponential", "{id}");
        assert!(retry.max_attempts >= 2, "{id}");
    }
    // Nothing to do: no PR, no review, no evaluation.
    for id in ["open_pr", "review", "evaluate"] {
        let condition = flow.task(id).unwrap().run_if.as_deref().unwrap();
        assert!(
            condition.contains("outputs.implement.vars.status == 'committed'"),
            "{id}"
        );
    }
    // A run setup skipped (another run holds the repository) runs no later phase.
    for id in [
        "context",
        "select",
        "implement",
        "open_pr",
        "review",
        "evaluate",
        "persist",
        "reflect",
    ] {
        let condition = flow.task(id).unwrap().run_if.as_deref().unwrap_or_default();
        assert!(
            condition.starts_with("{{ outputs.setup.vars.status == 'cloned'"),
            "{id}: {condition}"
        );
    }
    // Runs of different repositories go side by side (the repository lock keeps one run per
    // repository), so the limit only bounds the worker's load and lets the fleet's runs overlap.
    let limit = flow.concurrency.as_ref().unwrap().limit;
    assert!(limit > 1, "main-orchestration's concurrency limit {limit}");
    let schedule = &flow.triggers[0];
    assert_eq!(schedule.cron.as_deref(), Some("0 2 * * *"));
    assert!(schedule.timezone.is_some());
    assert!(flow.plugin_defaults.is_empty());
    let env = flow.env_of(flow.task("setup").unwrap());
    assert_eq!(env["AM_LOG_FORMAT"], "kestra");
    for secret in [
        "GITHUB_TOKEN",
        "ANTHROPIC_API_KEY",
        "OPENAI_API_KEY",
        "DATABASE_URL",
    ] {
        assert_eq!(env[secret], format!("{{{{ secret('{secret}') }}}}"));
    }
}

fn flows_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("flows")
}

/// The set of flows `kestra deploy` sends to a server of `line`, checked as it checks them.
fn flow_set(line: KestraLine) -> Vec<deploy::FlowFile> {
    deploy::prepare_line(
        &flows_dir(),
        line,
        &flow_check::package_schemas(),
        &DeploySettings::default(),
    )
    .unwrap_or_else(|e| panic!("kestra {}: {e}", line.name()))
}

#[test]
fn both_flow_sets_pass_the_check_against_the_binaries() {
    for line in KestraLine::ALL {
        let ids: BTreeSet<String> = flow_set(line).iter().map(|f| f.flow.id.clone()).collect();
        assert_eq!(
            ids,
            BTreeSet::from(["fleet", "main-orchestration", "pr-feedback"].map(str::to_owned)),
            "kestra {}",
            line.name()
        );
    }
}

#[test]
fn the_2x_set_has_no_plugin_defaults_or_for_each_and_the_13_set_no_loop() {
    let kinds = |files: &[deploy::FlowFile]| -> BTreeSet<String> {
        files
            .iter()
            .flat_map(|f| f.flow.all_tasks().into_iter().map(|t| t.kind.clone()))
            .collect()
    };
    let v2 = flow_set(KestraLine::V2);
    for file in &v2 {
        assert!(
            file.flow.plugin_defaults.is_empty(),
            "{}",
            file.path.display()
        );
        assert!(
            !file.yaml.lines().any(|l| l.starts_with("pluginDefaults:")),
            "{}",
            file.path.display()
        );
        assert!(
            !file.yaml.contains("flow.ForEach"),
            "{}",
            file.path.display()
        );
        assert!(
            !file.yaml.contains("taskrun.value"),
            "{}",
            file.path.display()
        );
    }
    assert!(kinds(&v2).contains(LOOP_TYPE));
    assert!(!kinds(&v2).contains(FOR_EACH_TYPE));

    let v1 = flow_set(KestraLine::V1);
    for file in &v1 {
        assert!(!file.yaml.contains("flow.Loop"), "{}", file.path.display());
        assert!(!file.yaml.contains("item.value"), "{}", file.path.display());
        // The flows both lines share are the same files: no pluginDefaults in 1.3 either.
        assert!(
            file.flow.plugin_defaults.is_empty(),
            "{}",
            file.path.display()
        );
    }
    assert!(kinds(&v1).contains(FOR_EACH_TYPE));
    assert!(!kinds(&v1).contains(LOOP_TYPE));
}

#[test]
fn every_phase_names_its_task_runner_and_environment_itself() {
    for line in KestraLine::ALL {
        for file in flow_set(line) {
            for task in file.flow.all_tasks() {
                if task.kind != COMMANDS_TYPE {
                    continue;
                }
                let place = format!("{} {}", file.path.display(), task.id);
                assert_eq!(
                    task.task_runner.as_ref().map(|r| r.kind.as_str()),
                    Some(PROCESS_RUNNER_TYPE),
                    "{place}"
                );
                assert_eq!(task.env["AM_LOG_FORMAT"], "kestra", "{place}");
                assert_eq!(
                    task.env["DATABASE_URL"], "{{ secret('DATABASE_URL') }}",
                    "{place}"
                );
            }
        }
    }
}

#[test]
fn the_fleet_runs_main_orchestration_per_repository_with_bounded_concurrency_and_retries() {
    for (line, loop_type, item) in [
        (KestraLine::V1, FOR_EACH_TYPE, "{{ taskrun.value }}"),
        (KestraLine::V2, LOOP_TYPE, "{{ item.value }}"),
    ] {
        let files = flow_set(line);
        // The subflow is created before the flow that calls it.
        let order: Vec<&str> = files.iter().map(|f| f.flow.id.as_str()).collect();
        assert_eq!(order.last(), Some(&"fleet"), "{order:?}");
        let fleet = &files.iter().find(|f| f.flow.id == "fleet").unwrap().flow;
        let repositories = fleet
            .inputs
            .iter()
            .find(|i| i.id == "repositories")
            .unwrap();
        assert_eq!(repositories.kind, "ARRAY");
        let each = &fleet.tasks[0];
        assert_eq!(each.kind, loop_type);
        assert!(each.concurrency_limit.is_some_and(|l| l >= 1));
        let improve = &each.tasks[0];
        assert_eq!(improve.kind, SUBFLOW_TYPE);
        assert_eq!(improve.flow_id.as_deref(), Some("main-orchestration"));
        assert_eq!(improve.wait, Some(true));
        assert!(improve.retry.as_ref().unwrap().max_attempts >= 2);
        assert_eq!(improve.inputs["repository"], item);
        let schedule = &fleet.triggers[0];
        assert_eq!(schedule.kind, SCHEDULE_TYPE);
        assert!(schedule.cron.is_some());
    }
}

#[test]
fn a_fleet_that_passes_main_orchestration_an_unknown_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["main-orchestration.yml", "fleet.yml"] {
        let text = std::fs::read_to_string(flows_dir().join(name)).unwrap();
        let text = text.replace(
            "          llm: \"{{ inputs.llm }}\"",
            "          model: \"{{ inputs.llm }}\"",
        );
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let e = deploy::prepare_line(
        dir.path(),
        KestraLine::V1,
        &flow_check::package_schemas(),
        &DeploySettings::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("improve: input `model` is not an input of `automaintainer.main-orchestration`"),
        "{e}"
    );
}

/// The flow run command by command with the package's binaries in a fresh working directory;
/// the store is a SQLite file in `root`.
async fn run_flow_in_shell(
    flow: &Flow,
    root: &Path,
    repository: &Path,
) -> (RunReport, String, String) {
    let given = BTreeMap::from([("repository".to_owned(), repository.display().to_string())]);
    run_flow_with(flow, root, &given, serde_json::Value::Null).await
}

/// Like [`run_flow_in_shell`], with any inputs and what the trigger passed.
async fn run_flow_with(
    flow: &Flow,
    root: &Path,
    given: &BTreeMap<String, String>,
    trigger: serde_json::Value,
) -> (RunReport, String, String) {
    let database_url = format!("sqlite://{}", root.join("store.db").display());
    let lookup_url = database_url.clone();
    let renderer = Renderer::new(
        Strictness::Strict,
        Box::new(move |name| (name == "DATABASE_URL").then(|| lookup_url.clone())),
    );
    let execution_id = "kestraExec1".to_owned();
    let run = FlowRun {
        flow,
        inputs: pipeline::inputs_with_defaults(flow, given).unwrap(),
        execution_id: execution_id.clone(),
        working_dir: root.join("wd"),
        trigger,
    };
    let executor = ShellExecutor {
        bin_dir: Some(bin::path("am-setup").parent().unwrap().to_path_buf()),
        env: vec![(
            "AM_DATA_DIR".to_owned(),
            root.join("data").display().to_string(),
        )],
    };
    let report = pipeline::run_flow(&run, &executor, &renderer, &mut |_| {}).await;
    (report, execution_id, database_url)
}

async fn run_detail(database_url: &str, run_id: &str) -> RunDetail {
    let store = automaintainer::store::open(Some(&Secret::new(database_url)))
        .await
        .unwrap();
    store
        .run_detail(run_id)
        .await
        .unwrap()
        .expect("the run is in the store")
}

fn outcome(report: &RunReport, id: &str) -> StepOutcome {
    report
        .step(id)
        .map(|s| s.outcome.clone())
        .unwrap_or(StepOutcome::Skipped)
}

#[tokio::test]
async fn the_main_flow_runs_command_by_command_on_a_fixture_repository() {
    let root = tempfile::tempdir().unwrap();
    let (_, remote) = git::rust_fixture_with_lint(&root.path().join("fixture"));
    let flow = main_flow();
    let (report, run_id, database_url) = run_flow_in_shell(&flow, root.path(), &remote).await;

    for step in &report.steps {
        assert_eq!(
            step.outcome,
            StepOutcome::Succeeded,
            "{}: {:?}",
            step.id,
            step.outcome
        );
    }
    let ids: Vec<&str> = report.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "setup",
            "context",
            "select",
            "implement",
            "open_pr",
            "review",
            "evaluate",
            "persist",
            "reflect",
            "cleanup"
        ]
    );
    // Each phase wrote its input from the outputs before it, in the shared working directory.
    let implement_input: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.path().join("wd/implement.input.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        implement_input["task"],
        report.outputs("select").unwrap()["task_path"]
    );
    assert_eq!(implement_input["run_id"], run_id);

    // The branch with the change is on the remote.
    let branch = report.outputs("implement").unwrap()["branch"]
        .as_str()
        .unwrap()
        .to_owned();
    let changed = git::git(&remote, &["show", &format!("{branch}:src/lib.rs")]);
    assert!(changed.contains("Point { x, y }"), "{changed}");
    assert!(!changed.contains("return a + b;"), "{changed}");

    // The run's rows: succeeded, its task, its PR, its score.
    let detail = run_detail(&database_url, &run_id).await;
    assert_eq!(
        detail.overview.status,
        RunStatus::Succeeded,
        "{:?}",
        detail.overview
    );
    assert!(detail.overview.task_title.is_some());
    assert!(detail.overview.pr_number.is_some());
    assert!(detail.overview.evolution_score.is_some());
    for artifact in ["task", "implementation", "review", "evaluation"] {
        assert!(
            detail.artifacts.contains_key(artifact),
            "{artifact}: {:?}",
            detail.artifacts.keys()
        );
    }
    // am-cleanup removed the run directory.
    assert!(!root.path().join("wd/run").exists());
}

#[tokio::test]
async fn a_phase_that_fails_is_recorded_with_its_name_and_the_cleanup_still_runs() {
    let root = tempfile::tempdir().unwrap();
    let (_, remote) = git::rust_fixture_with_lint(&root.path().join("fixture"));
    let mut flow = main_flow();
    flow.task_mut("implement").unwrap().commands =
        vec!["echo 'am-implement: failed to apply the edit' >&2; exit 1".to_owned()];
    let (report, run_id, database_url) = run_flow_in_shell(&flow, root.path(), &remote).await;

    assert_eq!(
        report.failed,
        Some((
            "implement".to_owned(),
            "am-implement: failed to apply the edit".to_owned()
        ))
    );
    let ran: Vec<(&str, &StepOutcome)> = report
        .steps
        .iter()
        .map(|s| (s.id.as_str(), &s.outcome))
        .collect();
    assert_eq!(
        ran,
        [
            ("setup", &StepOutcome::Succeeded),
            ("context", &StepOutcome::Succeeded),
            ("select", &StepOutcome::Succeeded),
            (
                "implement",
                &StepOutcome::Failed("am-implement: failed to apply the edit".to_owned())
            ),
            ("record_failure", &StepOutcome::Succeeded),
            ("cleanup", &StepOutcome::Succeeded),
        ]
    );
    assert_eq!(outcome(&report, "open_pr"), StepOutcome::Skipped);

    let detail = run_detail(&database_url, &run_id).await;
    assert_eq!(detail.overview.status, RunStatus::Failed);
    assert_eq!(detail.overview.phase.as_deref(), Some("implement"));
    assert!(
        detail
            .errors
            .iter()
            .any(|e| e.phase == "implement" && e.message.contains("failed to apply the edit")),
        "{:?}",
        detail.errors
    );
    assert!(
        !root.path().join("wd/run").exists(),
        "cleanup removed the run directory"
    );
    // Nothing was pushed.
    let branches = git::git(&remote, &["branch", "--list"]);
    assert_eq!(branches.trim(), "* main");
}

#[tokio::test]
async fn the_feedback_flow_reflects_when_a_pull_request_closes_and_ignores_other_events() {
    let flow =
        Flow::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("flows/pr-feedback.yml")).unwrap();
    let root = tempfile::tempdir().unwrap();
    let (_, remote) = git::rust_fixture_with_lint(&root.path().join("fixture"));
    let given = BTreeMap::from([("forge".to_owned(), "local".to_owned())]);
    let webhook = |action: &str| serde_json::json!({"body": {"action": action, "repository": {"clone_url": remote.display().to_string()}}});

    let (report, _, _) = run_flow_with(
        &flow,
        &root.path().join("closed"),
        &given,
        webhook("closed"),
    )
    .await;
    assert_eq!(
        outcome(&report, "reflect"),
        StepOutcome::Succeeded,
        "{report:?}"
    );
    assert!(report.outputs("reflect").unwrap().contains_key("status"));
    let input: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.path().join("closed/wd/reflect.input.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(input["repository"], remote.display().to_string());
    assert_eq!(input["forge"], "local");

    let (report, _, _) = run_flow_with(
        &flow,
        &root.path().join("opened"),
        &given,
        webhook("opened"),
    )
    .await;
    assert_eq!(outcome(&report, "reflect"), StepOutcome::Skipped);
}
