//! The ten phases of a run and where a run stands in them, from its status and the phase the
//! store recorded (the one reached, or the one that failed).

use serde::Serialize;

use chrono::{DateTime, Utc};

use crate::dashboard::format;
use crate::store::{PhaseTiming, RunStatus};

/// The phases in order: the name recorded in the store and the label shown.
const PHASES: [(&str, &str); 10] = [
    ("setup", "Setup & clone"),
    ("context", "Context"),
    ("select", "Task selection"),
    ("implement", "Implementation"),
    ("open_pr", "Pull request"),
    ("review", "Code review"),
    ("evaluate", "Evaluation"),
    ("persist", "Persistence"),
    ("reflect", "Learning"),
    ("cleanup", "Cleanup"),
];

/// After task selection a run with nothing to do stops doing work.
const SELECT_INDEX: usize = 2;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PhaseStep {
    /// The name recorded in the store.
    pub name: &'static str,
    pub label: &'static str,
    /// `done`, `current`, `failed`, `handler` (a failed run's error handler or finally step),
    /// `skipped` or `pending`: also the CSS class.
    pub state: &'static str,
    pub state_label: &'static str,
    /// How long the phase took (or, while it runs, has taken so far), when the store timed it.
    pub duration: Option<String>,
}

/// The steps of a run, and whether its recorded phase was recognised (when it was not, the steps
/// say only what the status implies).
pub fn phase_steps(status: RunStatus, phase: Option<&str>) -> (Vec<PhaseStep>, bool) {
    let position = phase.and_then(phase_index);
    let steps = PHASES
        .iter()
        .enumerate()
        .map(|(index, (name, label))| {
            let (state, state_label) = state_of(status, position, index);
            PhaseStep {
                name,
                label,
                state,
                state_label,
                duration: None,
            }
        })
        .collect();
    (steps, phase.is_none() || position.is_some())
}

/// Gives each step the duration the store recorded for its phase; a phase still open counts up
/// to `now`. A phase the main line never reached but that ran anyway (a failed run's error
/// handler, `persist`, and its finally step, `cleanup`) shows as what it was.
pub fn add_timings(steps: &mut [PhaseStep], timings: &[PhaseTiming], now: DateTime<Utc>) {
    for step in steps {
        let timing = timings.iter().find(|timing| timing.phase == step.name);
        if step.state == "skipped" && timing.is_some() {
            if let Some(label) = closing_label(step.name) {
                step.state = "handler";
                step.state_label = label;
            }
        }
        step.duration = timing.map(|timing| {
            let secs = timing.duration_secs().unwrap_or_else(|| {
                (now - timing.started_at).num_milliseconds().max(0) as f64 / 1e3
            });
            format::duration(secs)
        });
    }
}

/// How the flow's error handler and finally step read when they ran for a failed run.
fn closing_label(phase: &str) -> Option<&'static str> {
    match phase {
        "persist" => Some("error handler: failure recorded"),
        "cleanup" => Some("finally: cleaned up"),
        _ => None,
    }
}

fn state_of(
    status: RunStatus,
    position: Option<usize>,
    index: usize,
) -> (&'static str, &'static str) {
    match (status, position) {
        (RunStatus::Succeeded, _) => ("done", "done"),
        (RunStatus::Nothing, _) if index <= SELECT_INDEX => ("done", "done"),
        (RunStatus::Nothing, _) => ("skipped", "nothing to do"),
        (RunStatus::Running, Some(at)) if index < at => ("done", "done"),
        (RunStatus::Running, Some(at)) if index == at => ("current", "running"),
        (RunStatus::Failed, Some(at)) if index < at => ("done", "done"),
        (RunStatus::Failed, Some(at)) if index == at => ("failed", "failed"),
        (RunStatus::Failed, Some(_)) => ("skipped", "not reached"),
        (RunStatus::Abandoned, Some(at)) if index < at => ("done", "done"),
        (RunStatus::Abandoned, Some(at)) if index == at => ("failed", "abandoned"),
        (RunStatus::Abandoned, Some(_)) => ("skipped", "not reached"),
        // Turned away at setup: another run held the repository, so nothing ran.
        (RunStatus::Skipped, _) if index == 0 => ("skipped", "another run holds the repository"),
        (RunStatus::Skipped, _) => ("skipped", "not run"),
        _ => ("pending", "–"),
    }
}

/// The phase's position, accepting the spellings the flows and binaries use (`am-open-pr`,
/// `open-pr`, `pull_request`, `implementation`, ...).
fn phase_index(recorded: &str) -> Option<usize> {
    let name = recorded.trim().to_ascii_lowercase().replace('-', "_");
    let name = name.strip_prefix("am_").unwrap_or(&name);
    let canonical = match name {
        "clone" => "setup",
        "selection" | "task" | "task_selection" => "select",
        "implementation" => "implement",
        "pr" | "pull_request" | "open_pull_request" => "open_pr",
        "code_review" => "review",
        "evaluation" => "evaluate",
        "persistence" => "persist",
        "learning" | "learn" | "reflection" => "reflect",
        other => other,
    };
    PHASES.iter().position(|(phase, _)| *phase == canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn states(status: RunStatus, phase: Option<&str>) -> Vec<&'static str> {
        phase_steps(status, phase)
            .0
            .iter()
            .map(|s| s.state)
            .collect()
    }

    #[test]
    fn a_failed_run_shows_where_it_failed() {
        let s = states(RunStatus::Failed, Some("am-open-pr"));
        assert_eq!(&s[..5], ["done", "done", "done", "done", "failed"]);
        assert!(s[5..].iter().all(|state| *state == "skipped"));
    }

    #[test]
    fn a_running_run_shows_its_current_phase() {
        let s = states(RunStatus::Running, Some("implementation"));
        assert_eq!(&s[..4], ["done", "done", "done", "current"]);
        assert_eq!(s[4], "pending");
    }

    #[test]
    fn nothing_to_do_skips_the_work_phases() {
        let s = states(RunStatus::Nothing, Some("select"));
        assert_eq!(&s[..4], ["done", "done", "done", "skipped"]);
    }

    #[test]
    fn a_skipped_run_ran_nothing_and_says_why_at_setup() {
        let (steps, known) = phase_steps(RunStatus::Skipped, Some("setup"));
        assert!(known);
        assert!(steps.iter().all(|s| s.state == "skipped"));
        assert_eq!(steps[0].state_label, "another run holds the repository");
        assert_eq!(steps[1].state_label, "not run");
    }

    #[test]
    fn a_failed_runs_error_handler_and_finally_step_show_as_what_they_were() {
        let (mut steps, _) = phase_steps(RunStatus::Failed, Some("implement"));
        let at = Utc::now();
        let timing = |phase: &str| PhaseTiming {
            phase: phase.to_owned(),
            started_at: at,
            finished_at: Some(at),
            status: RunStatus::Succeeded,
        };
        add_timings(&mut steps, &[timing("persist"), timing("cleanup")], at);
        let state = |name: &str| {
            let step = steps.iter().find(|s| s.name == name).unwrap();
            (step.state, step.state_label)
        };
        assert_eq!(state("implement").0, "failed");
        assert_eq!(state("open_pr"), ("skipped", "not reached"));
        assert_eq!(
            state("persist"),
            ("handler", "error handler: failure recorded")
        );
        assert_eq!(state("reflect"), ("skipped", "not reached"));
        assert_eq!(state("cleanup"), ("handler", "finally: cleaned up"));
    }

    #[test]
    fn an_unknown_phase_is_reported() {
        let (steps, known) = phase_steps(RunStatus::Failed, Some("warp-drive"));
        assert!(!known);
        assert!(steps.iter().all(|s| s.state == "pending"));
    }
}
