//! CodeRabbit's proposals applied without a model: a committable suggestion replaces the lines
//! it was made on, a proposed diff replaces its `-` lines with its `+` lines. Each applies only
//! cleanly to the head: the lines must be there, found once (the nearest to the finding's line
//! when repeated), and the file must change. Anything else is said plainly.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::artifacts::{FeedbackItem, Suggestion};

/// A file as the round edits it: its text at the head, and now.
#[derive(Debug, Clone)]
struct Edited {
    path: PathBuf,
    head: String,
    now: String,
}

/// The files the round edits, keyed by the path relative to the clone.
#[derive(Debug, Default)]
pub struct Edits {
    files: BTreeMap<String, Edited>,
}

impl Edits {
    /// Applies `item`'s proposal to the file (read from `absolute` the first time, the head's
    /// text); the reason when it does not apply.
    pub fn apply(&mut self, item: &FeedbackItem, absolute: PathBuf) -> Result<(), String> {
        let Some(path) = item.path.as_deref() else {
            return Err("the finding names no file".to_owned());
        };
        let Some(suggestion) = &item.suggestion else {
            return Err("no committable suggestion or proposed diff".to_owned());
        };
        let file = match self.files.get(path) {
            Some(file) => file.clone(),
            None => {
                let head = std::fs::read_to_string(&absolute)
                    .map_err(|_| format!("{path} is not a text file at the head"))?;
                Edited {
                    now: head.clone(),
                    head,
                    path: absolute,
                }
            }
        };
        let (old, new) = match suggestion {
            Suggestion::Committable(text) => {
                let (start, end) = match (item.line_start, item.line_end) {
                    (Some(s), Some(e)) if s >= 1 && e >= s => (s as usize, e as usize),
                    _ => return Err("the suggestion names no lines".to_owned()),
                };
                // The lines the suggestion replaces, as the file holds them at the head.
                let lines: Vec<&str> = file.head.split_inclusive('\n').collect();
                if end > lines.len() {
                    return Err(format!(
                        "{path} has {} lines; the suggestion is for lines {start}-{end}",
                        lines.len()
                    ));
                }
                let old: String = lines[start - 1..end].concat();
                let mut new = text.clone();
                if old.ends_with('\n') && !new.ends_with('\n') {
                    new.push('\n');
                }
                (old, new)
            }
            Suggestion::Diff(diff) => from_diff(diff)?,
        };
        let replaced = replace_nearest(&file.now, &old, &new, item.line_start)
            .ok_or_else(|| format!("its lines are not in {path} at the head"))?;
        if replaced == file.now {
            return Err("it changes nothing: the head already has it".to_owned());
        }
        self.files.insert(
            path.to_owned(),
            Edited {
                now: replaced,
                ..file
            },
        );
        Ok(())
    }

    /// Writes every edited file; the paths written.
    pub fn write(&self) -> std::io::Result<Vec<String>> {
        for file in self.files.values() {
            std::fs::write(&file.path, &file.now)?;
        }
        Ok(self.files.keys().cloned().collect())
    }
}

/// The text a diff removes and the text it puts in its place (context lines in both); every
/// hunk must be one run (a diff of several hunks is taken as one block when they touch).
fn from_diff(diff: &str) -> Result<(String, String), String> {
    let mut old = String::new();
    let mut new = String::new();
    for line in diff.lines() {
        if line.starts_with("@@") || line.starts_with("---") || line.starts_with("+++") {
            continue;
        }
        match line.chars().next() {
            Some('-') => push_line(&mut old, &line[1..]),
            Some('+') => push_line(&mut new, &line[1..]),
            Some(' ') => {
                push_line(&mut old, &line[1..]);
                push_line(&mut new, &line[1..]);
            }
            None => {
                push_line(&mut old, "");
                push_line(&mut new, "");
            }
            Some(_) => return Err("the proposed diff is not a unified diff".to_owned()),
        }
    }
    if old.trim().is_empty() {
        return Err("the proposed diff removes no lines to find it by".to_owned());
    }
    Ok((old, new))
}

fn push_line(text: &mut String, line: &str) {
    text.push_str(line);
    text.push('\n');
}

/// `text` with the occurrence of `old` nearest to line `near` replaced by `new`.
fn replace_nearest(text: &str, old: &str, new: &str, near: Option<u32>) -> Option<String> {
    let line_of = |offset: usize| text[..offset].matches('\n').count() + 1;
    let target = near.map_or(1, |n| n as usize);
    let at = text
        .match_indices(old)
        .map(|(i, _)| i)
        .filter(|i| *i == 0 || text.as_bytes()[i - 1] == b'\n')
        .min_by_key(|i| line_of(*i).abs_diff(target))?;
    Some(format!("{}{new}{}", &text[..at], &text[at + old.len()..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(lines: (u32, u32), suggestion: Suggestion) -> FeedbackItem {
        FeedbackItem {
            id: "c1".into(),
            author: "coderabbitai[bot]".into(),
            path: Some("a.rs".into()),
            line_start: Some(lines.0),
            line_end: Some(lines.1),
            title: "t".into(),
            body: String::new(),
            suggestion: Some(suggestion),
        }
    }

    #[test]
    fn suggestions_and_diffs_apply_cleanly_or_say_why() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.rs");
        std::fs::write(
            &file,
            "fn a() {\n    x.unwrap()\n}\n\nfn b() {\n    y.unwrap()\n}\n",
        )
        .unwrap();
        let mut edits = Edits::default();
        edits
            .apply(
                &item((2, 2), Suggestion::Committable("    x?".into())),
                file.clone(),
            )
            .unwrap();
        edits
            .apply(
                &item(
                    (6, 6),
                    Suggestion::Diff("-    y.unwrap()\n+    y.expect(\"y\")".into()),
                ),
                file.clone(),
            )
            .unwrap();
        let err = edits
            .apply(
                &item((2, 2), Suggestion::Diff("-    z.unwrap()\n+    z?".into())),
                file.clone(),
            )
            .unwrap_err();
        assert!(err.contains("not in a.rs"), "{err}");
        let err = edits
            .apply(
                &item((40, 41), Suggestion::Committable("x".into())),
                file.clone(),
            )
            .unwrap_err();
        assert!(err.contains("has 7 lines"), "{err}");
        assert_eq!(edits.write().unwrap(), ["a.rs"]);
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "fn a() {\n    x?\n}\n\nfn b() {\n    y.expect(\"y\")\n}\n"
        );
    }
}
