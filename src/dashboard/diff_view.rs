//! A unified diff as the run page shows it: one block per file with its line numbers, each line
//! classed (added, removed, context, hunk header) and coloured by [`Highlighter`], and at most
//! [`MAX_LINES`] lines in all, with a note saying what was left out.

use serde::Serialize;

use super::highlight::Highlighter;

/// The most diff lines one page shows.
pub(crate) const MAX_LINES: usize = 2_000;

/// Files open on the page when the whole diff is at most this many lines; larger diffs start
/// collapsed.
const OPEN_BELOW: usize = 400;

#[derive(Debug, Serialize)]
pub(crate) struct DiffView {
    pub files: Vec<DiffFile>,
    pub lines_added: u64,
    pub lines_removed: u64,
    /// Diff lines not shown because of [`MAX_LINES`].
    pub hidden_lines: usize,
}

#[derive(Debug, Serialize)]
pub(crate) struct DiffFile {
    pub path: String,
    /// `added`, `deleted`, `renamed` or `modified`.
    pub status: &'static str,
    pub added: u64,
    pub removed: u64,
    pub open: bool,
    pub binary: bool,
    pub lines: Vec<DiffLine>,
    /// This file's lines not shown because of [`MAX_LINES`].
    pub hidden_lines: usize,
}

#[derive(Debug, Serialize)]
pub(crate) struct DiffLine {
    /// `add`, `del`, `ctx`, `hunk` or `meta`: also the CSS class.
    pub class: &'static str,
    pub old: Option<u32>,
    pub new: Option<u32>,
    /// The line with its `+`/`-`/space, escaped and coloured.
    pub html: String,
}

/// Reads `diff` (git's unified format) into files and lines, at most [`MAX_LINES`] shown.
pub(crate) fn diff_view(diff: &str) -> DiffView {
    let mut files: Vec<FileBuilder> = Vec::new();
    for line in diff.lines() {
        if line.starts_with("diff --git ") || files.is_empty() {
            files.push(FileBuilder::new(line));
            if line.starts_with("diff --git ") {
                continue;
            }
        }
        if let Some(file) = files.last_mut() {
            file.push(line);
        }
    }
    let total: usize = files.iter().map(|f| f.lines.len()).sum();
    let open = total <= OPEN_BELOW;
    let mut budget = MAX_LINES;
    let mut view = DiffView {
        files: Vec::new(),
        lines_added: 0,
        lines_removed: 0,
        hidden_lines: 0,
    };
    for file in files {
        let built = file.build(&mut budget, open);
        view.lines_added += built.added;
        view.lines_removed += built.removed;
        view.hidden_lines += built.hidden_lines;
        view.files.push(built);
    }
    view
}

/// One file's raw lines as they are read.
struct FileBuilder {
    path: String,
    status: &'static str,
    binary: bool,
    /// (class, text, old line, new line)
    lines: Vec<(&'static str, String, Option<u32>, Option<u32>)>,
    old_line: u32,
    new_line: u32,
    in_hunk: bool,
}

impl FileBuilder {
    fn new(header: &str) -> Self {
        // `diff --git a/x b/x`: the path after ` b/`, until `+++` says better.
        let path = header
            .rsplit_once(" b/")
            .map(|(_, path)| path.to_owned())
            .unwrap_or_default();
        Self {
            path,
            status: "modified",
            binary: false,
            lines: Vec::new(),
            old_line: 0,
            new_line: 0,
            in_hunk: false,
        }
    }

    fn push(&mut self, line: &str) {
        if let Some(header) = line.strip_prefix("@@") {
            let (old, new) = hunk_starts(header);
            self.old_line = old;
            self.new_line = new;
            self.in_hunk = true;
            self.lines.push(("hunk", line.to_owned(), None, None));
            return;
        }
        if !self.in_hunk {
            self.header(line);
            return;
        }
        let (class, old, new) = match line.as_bytes().first() {
            Some(b'+') => ("add", None, Some(self.new_line)),
            Some(b'-') => ("del", Some(self.old_line), None),
            Some(b'\\') => ("meta", None, None),
            _ => ("ctx", Some(self.old_line), Some(self.new_line)),
        };
        if old.is_some() {
            self.old_line += 1;
        }
        if new.is_some() {
            self.new_line += 1;
        }
        self.lines.push((class, line.to_owned(), old, new));
    }

    /// A line between `diff --git` and the first hunk.
    fn header(&mut self, line: &str) {
        if let Some(path) = line.strip_prefix("+++ ") {
            if let Some(path) = path.strip_prefix("b/") {
                self.path = path.to_owned();
            }
        } else if line.starts_with("--- ") {
            // The old path; `+++` names the file.
        } else if line.starts_with("new file mode") {
            self.status = "added";
        } else if line.starts_with("deleted file mode") {
            self.status = "deleted";
            // `+++ /dev/null`: the path stays the one from `diff --git`.
        } else if line.starts_with("rename from") || line.starts_with("rename to") {
            self.status = "renamed";
        } else if line.starts_with("Binary files") || line.starts_with("GIT binary patch") {
            self.binary = true;
        }
        // `index …` and mode lines say nothing a reader needs.
    }

    fn build(self, budget: &mut usize, open: bool) -> DiffFile {
        let added = self.lines.iter().filter(|l| l.0 == "add").count() as u64;
        let removed = self.lines.iter().filter(|l| l.0 == "del").count() as u64;
        let shown = self.lines.len().min(*budget);
        *budget -= shown;
        let hidden_lines = self.lines.len() - shown;
        let mut highlighter = Highlighter::for_path(&self.path);
        let lines = self
            .lines
            .into_iter()
            .take(shown)
            .map(|(class, text, old, new)| {
                let html = match class {
                    "add" | "del" | "ctx" => {
                        let (sign, code) = text.split_at(text.len().min(1));
                        let mut html = minijinja::HtmlEscape(sign).to_string();
                        html.push_str(&highlighter.line(code));
                        html
                    }
                    _ => minijinja::HtmlEscape(&text).to_string(),
                };
                DiffLine {
                    class,
                    old,
                    new,
                    html,
                }
            })
            .collect();
        DiffFile {
            path: self.path,
            status: self.status,
            added,
            removed,
            open,
            binary: self.binary,
            lines,
            hidden_lines,
        }
    }
}

/// The old and new start lines of `@@ -a,b +c,d @@`.
fn hunk_starts(header: &str) -> (u32, u32) {
    let mut old = 1;
    let mut new = 1;
    for part in header.split_whitespace() {
        let number = |s: &str| s.split(',').next().and_then(|n| n.parse().ok());
        if let Some(rest) = part.strip_prefix('-') {
            old = number(rest).unwrap_or(old);
        } else if let Some(rest) = part.strip_prefix('+') {
            new = number(rest).unwrap_or(new);
        } else if part == "@@" {
            break;
        }
    }
    (old, new)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIFF: &str = "diff --git a/src/lib.rs b/src/lib.rs
index 1111111..2222222 100644
--- a/src/lib.rs
+++ b/src/lib.rs
@@ -3,3 +3,3 @@ fn main() {
 fn keep() {}
-let x = \"<old>\";
+let x = \"<new>\";
 // end
\\ No newline at end of file
diff --git a/notes.txt b/notes.txt
new file mode 100644
index 0000000..3333333
--- /dev/null
+++ b/notes.txt
@@ -0,0 +1 @@
+hello <b>
";

    #[test]
    fn files_lines_and_numbers() {
        let view = diff_view(DIFF);
        assert_eq!(view.files.len(), 2);
        let lib = &view.files[0];
        assert_eq!(
            (lib.path.as_str(), lib.status, lib.added, lib.removed),
            ("src/lib.rs", "modified", 1, 1)
        );
        let classes: Vec<_> = lib.lines.iter().map(|l| l.class).collect();
        assert_eq!(classes, ["hunk", "ctx", "del", "add", "ctx", "meta"]);
        assert_eq!((lib.lines[2].old, lib.lines[2].new), (Some(4), None));
        assert_eq!((lib.lines[3].old, lib.lines[3].new), (None, Some(4)));
        assert_eq!((lib.lines[4].old, lib.lines[4].new), (Some(5), Some(5)));
        assert!(lib.lines[3].html.contains("tk-kw"), "{}", lib.lines[3].html);
        assert!(lib.lines[3].html.contains("&lt;new&gt;"));
        let notes = &view.files[1];
        assert_eq!((notes.path.as_str(), notes.status), ("notes.txt", "added"));
        assert_eq!(notes.lines[1].html, "+hello &lt;b&gt;");
        assert_eq!((view.lines_added, view.lines_removed), (2, 1));
        assert!(view.files.iter().all(|f| f.open));
    }

    #[test]
    fn a_long_diff_is_capped_and_collapsed() {
        let mut diff =
            String::from("diff --git a/a.rs b/a.rs\n--- a/a.rs\n+++ b/a.rs\n@@ -1,0 +1,3000 @@\n");
        for i in 0..3_000 {
            diff.push_str(&format!("+let v{i} = {i};\n"));
        }
        diff.push_str("diff --git a/b.rs b/b.rs\n--- a/b.rs\n+++ b/b.rs\n@@ -1 +1 @@\n-a\n+b\n");
        let view = diff_view(&diff);
        let shown: usize = view.files.iter().map(|f| f.lines.len()).sum();
        assert_eq!(shown, MAX_LINES);
        assert_eq!(view.hidden_lines, 3_001 + 3 - MAX_LINES);
        assert_eq!(view.files[1].lines.len(), 0);
        assert_eq!(view.files[1].hidden_lines, 3);
        assert_eq!(view.lines_added, 3_001, "counts cover hidden lines too");
        assert!(view.files.iter().all(|f| !f.open));
    }
}
