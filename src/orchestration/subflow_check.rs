//! The checks of a flow's `Subflow` calls: each call's own settings (the called flow named, waited
//! for, with its own retries), and its inputs against the called flow's in the deployed set.

use super::flow::{Flow, FlowTask, SUBFLOW_TYPE};
use super::flow_check::Problem;

pub(super) fn check_subflow_task(task: &FlowTask) -> Vec<String> {
    let mut problems = Vec::new();
    if task.namespace.as_deref().unwrap_or("").is_empty()
        || task.flow_id.as_deref().unwrap_or("").is_empty()
    {
        problems.push("a subflow needs `namespace` and `flowId`".to_owned());
    }
    // Without waiting, the loop's concurrency bounds nothing and a failure retries nothing.
    if task.wait != Some(true) {
        problems.push("a subflow must `wait: true` for its retries and the loop's concurrency to mean anything".to_owned());
    }
    if task.transmit_failed == Some(false) {
        problems.push("`transmitFailed: false` hides a failed run from its retries".to_owned());
    }
    if task.retry.is_none() {
        problems.push("a subflow needs its own `retry`".to_owned());
    }
    if let Some(behavior) = task.restart_behavior.as_deref() {
        if !matches!(behavior, "RETRY_FAILED" | "NEW_EXECUTION") {
            problems.push(format!(
                "restartBehavior `{behavior}` is not one Kestra knows"
            ));
        }
    }
    problems.extend(super::flow_check::check_durations(task));
    problems
}

/// The problems of `flow`'s subflow calls against the flows of its set: the called flow is in
/// the set, every input given is one of its inputs, and every input it requires is given.
pub fn check_subflows(flow: &Flow, set: &[&Flow]) -> Vec<Problem> {
    let mut problems = Vec::new();
    for task in flow
        .all_tasks()
        .into_iter()
        .filter(|t| t.kind == SUBFLOW_TYPE)
    {
        let (Some(namespace), Some(flow_id)) = (task.namespace.as_deref(), task.flow_id.as_deref())
        else {
            continue;
        };
        let mut report = |message: String| {
            problems.push(Problem {
                place: task.id.clone(),
                message,
            })
        };
        let Some(target) = set
            .iter()
            .find(|f| f.namespace == namespace && f.id == flow_id)
        else {
            report(format!(
                "subflow `{namespace}.{flow_id}` is not in the flow set"
            ));
            continue;
        };
        for given in task.inputs.keys() {
            if !target.inputs.iter().any(|i| &i.id == given) {
                report(format!(
                    "input `{given}` is not an input of `{namespace}.{flow_id}`"
                ));
            }
        }
        for input in &target.inputs {
            let required = input.required != Some(false) && input.defaults.is_none();
            if required && !task.inputs.contains_key(&input.id) {
                report(format!(
                    "`{namespace}.{flow_id}` requires input `{}`, which is not given",
                    input.id
                ));
            }
        }
    }
    problems
}
