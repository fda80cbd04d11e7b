//! Blank lines a removed line leaves behind: deleting an import that stood between two blank
//! lines joins the two runs into one twice as long (`"""Doc."""`, blank, `import os`, blank,
//! `from x import y` becomes two blank lines before the import). The joined run is cut back to
//! the longer of the two it came from, which is what a person deleting the line would leave.

use std::path::Path;

use git2::DiffOptions;

/// `after` with every run of blank lines that a pure deletion joined cut back to the longer of
/// its two parts; None when there is none.
pub fn rejoin(before: &str, after: &str) -> Option<String> {
    let mut options = DiffOptions::new();
    options.context_lines(0);
    let patch = git2::Patch::from_buffers(
        before.as_bytes(),
        Some(Path::new("a")),
        after.as_bytes(),
        Some(Path::new("a")),
        Some(&mut options),
    )
    .ok()?;
    let old: Vec<&str> = before.lines().collect();
    let blank = |line: Option<&&str>| line.is_some_and(|l| l.trim().is_empty());
    // (index in `after` of the first line after the deletion, blank lines to drop there)
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    for index in 0..patch.num_hunks() {
        let Ok((hunk, _)) = patch.hunk(index) else {
            continue;
        };
        if hunk.new_lines() != 0 || hunk.old_lines() == 0 {
            continue;
        }
        let first = usize::try_from(hunk.old_start()).ok()?.checked_sub(1)?;
        let end = first + usize::try_from(hunk.old_lines()).ok()?;
        if old[first..end.min(old.len())]
            .iter()
            .any(|l| l.trim().is_empty())
        {
            continue;
        }
        let above = (0..first).rev().take_while(|&i| blank(old.get(i))).count();
        let below = (end..old.len()).take_while(|&i| blank(old.get(i))).count();
        let drop = above.min(below);
        if drop > 0 {
            cuts.push((usize::try_from(hunk.new_start()).ok()?, drop));
        }
    }
    if cuts.is_empty() {
        return None;
    }
    let mut lines: Vec<&str> = after.split_inclusive('\n').collect();
    for (at, drop) in cuts.into_iter().rev() {
        let end = (at + drop).min(lines.len());
        if at <= end && lines[at..end].iter().all(|l| l.trim().is_empty()) {
            lines.drain(at..end);
        }
    }
    Some(lines.concat())
}

#[cfg(test)]
mod tests {
    use super::rejoin;

    #[test]
    fn a_removed_line_between_blank_lines_leaves_one_run() {
        let before = "\"\"\"Doc.\"\"\"\n\nimport os\n\nfrom x import y\n";
        let after = "\"\"\"Doc.\"\"\"\n\n\nfrom x import y\n";
        assert_eq!(
            rejoin(before, after).as_deref(),
            Some("\"\"\"Doc.\"\"\"\n\nfrom x import y\n")
        );
        // One blank above, two below: the two stay (PEP 8's spacing before a definition).
        let before = "\"\"\"Doc.\"\"\"\n\nimport os\nimport sys\n\n\ndef f():\n    pass\n";
        let after = "\"\"\"Doc.\"\"\"\n\n\n\ndef f():\n    pass\n";
        assert_eq!(
            rejoin(before, after).as_deref(),
            Some("\"\"\"Doc.\"\"\"\n\n\ndef f():\n    pass\n")
        );
    }

    #[test]
    fn deletions_without_blank_lines_on_both_sides_are_left_alone() {
        assert_eq!(
            rejoin("import os\nimport sys\n\nx = 1\n", "import sys\n\nx = 1\n"),
            None
        );
        assert_eq!(rejoin("a\n\nb\n", "a\n\nc\n"), None);
        assert_eq!(rejoin("a\n", "a\n"), None);
    }
}
