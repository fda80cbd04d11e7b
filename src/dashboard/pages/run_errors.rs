//! A run's error messages as its page shows them: a path into the run directory, which cleanup
//! deleted when the run ended, is not left pointing nowhere. An artifact's path says where the
//! artifact is now (recorded with the run, on this page); any other absolute path that no
//! longer exists says it was deleted.

use std::path::Path;
use std::sync::OnceLock;

use regex::Regex;

/// Artifacts the store keeps with the run, by file name, and the page section that shows each.
const ARTIFACTS: [(&str, &str); 6] = [
    ("context.json", "the recorded context"),
    ("task.json", "the task below"),
    ("implementation.json", "the change and checks below"),
    ("pr.json", "the pull request below"),
    ("review.json", "the review below"),
    ("evaluation.json", "the evaluation below"),
];

fn absolute_path() -> &'static Regex {
    static PATH: OnceLock<Regex> = OnceLock::new();
    PATH.get_or_init(|| Regex::new(r"(?:^|[\s(`'\x22])(/[^\s`'\x22()]+)").expect("a valid pattern"))
}

/// `message` with each absolute path that no longer exists rewritten: an artifact becomes
/// "`implementation.json` (recorded with the run: the change and checks below)", anything else
/// gets "(deleted with the run directory)".
pub(crate) fn error_text(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut at = 0;
    for captures in absolute_path().captures_iter(message) {
        let Some(found) = captures.get(1) else {
            continue;
        };
        let path = found.as_str().trim_end_matches(['.', ',', ';', ':']);
        let end = found.start() + path.len();
        if Path::new(path).exists() {
            continue;
        }
        out.push_str(&message[at..found.start()]);
        let name = Path::new(path)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or(path);
        match ARTIFACTS.iter().find(|(file, _)| *file == name) {
            Some((file, section)) => {
                out.push_str(&format!("`{file}` (recorded with the run: {section})"))
            }
            None => out.push_str(&format!("{path} (deleted with the run directory)")),
        }
        at = end;
    }
    out.push_str(&message[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deleted_run_files_are_not_pointed_at() {
        let message = "implement the task: cargo test failed; the branch was reset to main \
                       (the last output is in /nonexistent/flow/run/implementation.json)";
        let text = error_text(message);
        assert!(!text.contains("/nonexistent"), "{text}");
        assert!(
            text.contains("(the last output is in `implementation.json` (recorded with the run: the change and checks below))"),
            "{text}"
        );
        let other = error_text("could not read /nonexistent/run/repo/src/x.rs: gone");
        assert_eq!(
            other,
            "could not read /nonexistent/run/repo/src/x.rs (deleted with the run directory): gone"
        );
    }

    #[test]
    fn existing_paths_and_plain_text_stay() {
        let dir = tempfile::tempdir().unwrap();
        let message = format!("see {} and 3/4 done", dir.path().display());
        assert_eq!(error_text(&message), message);
    }
}
