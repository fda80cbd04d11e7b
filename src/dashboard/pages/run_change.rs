//! The run page's change section: the recorded diff (escaped, coloured, collapsed per file,
//! capped with a note) and the commits, read from the store, so it outlives the run directory.

use serde::Serialize;

use crate::dashboard::diff_view::{diff_view, DiffView, MAX_LINES};
use crate::dashboard::format;
use crate::store::RunChange;

#[derive(Debug, Serialize)]
pub(crate) struct ChangeView {
    pub diff: DiffView,
    pub commits: Vec<CommitView>,
    /// What is left out, said plainly: the stored cap, the page's cap.
    pub notes: Vec<String>,
    /// The command that prints the whole recorded diff.
    pub show_command: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct CommitView {
    pub sha: String,
    pub short: String,
    pub summary: String,
    pub body: String,
    pub author: String,
}

pub(crate) fn change_view(run_id: &str, change: RunChange) -> ChangeView {
    let diff = diff_view(&change.diff);
    let mut notes = Vec::new();
    if change.truncated {
        notes.push(format!(
            "The diff was {} and only its first {} were kept with the run.",
            bytes(change.diff_bytes),
            bytes(change.diff.len() as u64)
        ));
    }
    if diff.hidden_lines > 0 {
        notes.push(format!(
            "{} more diff line{} not shown here (the page shows at most {}).",
            format::count(diff.hidden_lines as i64),
            if diff.hidden_lines == 1 {
                " is"
            } else {
                "s are"
            },
            format::count(MAX_LINES as i64),
        ));
    }
    ChangeView {
        diff,
        commits: change
            .commits
            .into_iter()
            .map(|c| CommitView {
                short: c.sha.chars().take(10).collect(),
                sha: c.sha,
                summary: c.summary,
                body: c.body,
                author: c.author,
            })
            .collect(),
        notes,
        show_command: format!("automaintainer show {run_id}"),
    }
}

/// `512 KiB`, `1.5 MiB`, `900 bytes`.
fn bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / (1u64 << 20) as f64),
        n if n >= 1 << 10 => format!("{} KiB", n >> 10),
        n => format!("{n} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_truncated_change_says_so() {
        let change = RunChange {
            diff: "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1 +1 @@\n-x\n+y\n".into(),
            diff_bytes: 3 << 20,
            truncated: true,
            ..RunChange::default()
        };
        let view = change_view("r1", change);
        assert_eq!(view.notes.len(), 1);
        assert!(view.notes[0].contains("3.0 MiB"), "{:?}", view.notes);
        assert_eq!(view.show_command, "automaintainer show r1");
        assert_eq!(bytes(900), "900 bytes");
        assert_eq!(bytes(2048), "2 KiB");
    }
}
