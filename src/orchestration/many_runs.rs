//! `automaintainer run` over several repositories, one after another: the repositories file
//! (one repository a line, `#` comments and blank lines ignored) and the summary table printed
//! once they all ran.

use std::path::Path;
use std::time::Duration;

use super::local_run::{LocalRun, RunEnd};
use crate::contract::InputError;

/// The repositories a file names, in order. A line holding more than one word, or a file that
/// names none or cannot be read, is bad input naming the file (and the line).
pub fn read_repositories_file(path: &Path) -> Result<Vec<String>, InputError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        InputError(format!(
            "repositories file {}: cannot read it ({e})",
            path.display()
        ))
    })?;
    parse_repositories(&text, &path.display().to_string())
}

/// The repositories of a file's text; `name` names the file in errors.
pub fn parse_repositories(text: &str, name: &str) -> Result<Vec<String>, InputError> {
    let mut repositories = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = without_comment(line).trim();
        if line.is_empty() {
            continue;
        }
        if line.split_whitespace().nth(1).is_some() || line.chars().any(char::is_control) {
            let shown: String = line.chars().filter(|c| !c.is_control()).take(80).collect();
            return Err(InputError(format!(
                "repositories file {name} line {}: expected one repository (a URL or path), got `{shown}`",
                index + 1
            )));
        }
        repositories.push(line.to_owned());
    }
    if repositories.is_empty() {
        return Err(InputError(format!(
            "repositories file {name}: names no repository (one URL or path a line)"
        )));
    }
    Ok(repositories)
}

/// A line without its `#` comment: one that starts the line or follows a space (a `#` inside
/// a URL stays).
fn without_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (at, byte) in bytes.iter().enumerate() {
        if *byte == b'#' && (at == 0 || bytes[at - 1].is_ascii_whitespace()) {
            return &line[..at];
        }
    }
    line
}

/// One repository's line of the summary table.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    pub repository: String,
    pub end: RunEnd,
    /// `#N branch`, or the work branch.
    pub pull_request: Option<String>,
    pub score: Option<f64>,
    pub duration: Duration,
}

impl RunRow {
    pub fn of(run: &LocalRun, duration: Duration) -> Self {
        Self {
            repository: run.repository.clone(),
            end: run.end(),
            pull_request: run.pull_request_or_branch(),
            score: run.score(),
            duration,
        }
    }

    /// A repository whose run could not start (its error is said above the table).
    pub fn not_started(repository: &str, duration: Duration) -> Self {
        Self {
            repository: repository.to_owned(),
            end: RunEnd::Failed,
            pull_request: None,
            score: None,
            duration,
        }
    }
}

/// The table's lines: a header, a rule, one line per repository.
pub fn table(rows: &[RunRow]) -> Vec<String> {
    let header = ["repository", "status", "PR/branch", "score", "duration"];
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|row| {
            [
                row.repository.clone(),
                row.end.label().to_owned(),
                row.pull_request.clone().unwrap_or_else(|| "–".to_owned()),
                row.score
                    .map_or_else(|| "–".to_owned(), |s| format!("{s:.1}")),
                duration(row.duration),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &cells {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |row: [&str; 5]| {
        let text: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        text.join("  ").trim_end().to_owned()
    };
    let mut lines = vec![
        line(header),
        line(widths.map(|w| "─".repeat(w)).each_ref().map(String::as_str)),
    ];
    lines.extend(
        cells
            .iter()
            .map(|row| line(row.each_ref().map(String::as_str))),
    );
    lines
}

fn duration(elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.1}s")
    } else {
        let whole = elapsed.as_secs();
        format!("{}m {:02}s", whole / 60, whole % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_names_one_repository_a_line_with_comments_and_blank_lines() {
        let text =
            "# the fleet\n\nhttps://github.com/o/a  # main one\n  /srv/git/b.git\nhttps://h/x#y\n";
        assert_eq!(
            parse_repositories(text, "r.txt").unwrap(),
            ["https://github.com/o/a", "/srv/git/b.git", "https://h/x#y"]
        );
    }

    #[test]
    fn a_bad_line_or_an_empty_file_is_named() {
        let e = parse_repositories("/a\n\n/b /c\n", "r.txt").unwrap_err();
        assert_eq!(
            e.to_string(),
            "bad input: repositories file r.txt line 3: expected one repository (a URL or path), got `/b /c`"
        );
        let e = parse_repositories("# nothing\n\n", "r.txt").unwrap_err();
        assert!(e.to_string().contains("names no repository"), "{e}");
    }

    #[test]
    fn the_table_lines_up_its_columns() {
        let rows = [
            RunRow {
                repository: "/srv/a.git".into(),
                end: RunEnd::Done,
                pull_request: Some("#3 automaintainer/lint".into()),
                score: Some(71.26),
                duration: Duration::from_millis(12_340),
            },
            RunRow::not_started("/nope", Duration::from_secs(75)),
        ];
        let lines = table(&rows);
        assert_eq!(
            lines[0],
            "repository  status  PR/branch               score  duration"
        );
        assert_eq!(
            lines[2],
            "/srv/a.git  done    #3 automaintainer/lint  71.3   12.3s"
        );
        assert_eq!(
            lines[3],
            "/nope       failed  –                       –      1m 15s"
        );
    }
}
