//! Whitespace-only lines a fixer adds. clippy's fixes inside a macro's arguments are not
//! formatted afterwards (rustfmt leaves macro calls alone), so `let x = y; x` becomes a line of
//! spaces and then `y`: a removed `let` should leave no line at all. An added line holding only
//! whitespace is dropped when it opens a block (the line before ends with `{`, `(` or `[`) or
//! closes one (the next starts with `}`, `)` or `]`), and is otherwise left empty, without the
//! trailing spaces no formatter would keep.

use std::path::Path;

use git2::DiffOptions;

/// `after` tidied as the module says, or None when no added line is whitespace-only.
pub fn tidy(before: &str, after: &str) -> Option<String> {
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
    // 0-based indexes in `after` of the lines the fix added.
    let mut added = Vec::new();
    for index in 0..patch.num_hunks() {
        let Ok((hunk, _)) = patch.hunk(index) else {
            continue;
        };
        let start = usize::try_from(hunk.new_start()).ok()?.saturating_sub(1);
        added.extend(start..start + usize::try_from(hunk.new_lines()).ok()?);
    }
    let lines: Vec<&str> = after.split_inclusive('\n').collect();
    let blank_added = |i: &usize| {
        lines
            .get(*i)
            .is_some_and(|l| l.trim().is_empty() && !l.trim_end_matches(['\n', '\r']).is_empty())
    };
    let targets: Vec<usize> = added.into_iter().filter(blank_added).collect();
    if targets.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(after.len());
    for (i, line) in lines.iter().enumerate() {
        if !targets.contains(&i) {
            out.push_str(line);
            continue;
        }
        let opens = i
            .checked_sub(1)
            .and_then(|p| lines.get(p))
            .is_some_and(|p| p.trim_end().ends_with(['{', '(', '[']));
        let closes = lines
            .get(i + 1)
            .is_some_and(|n| n.trim_start().starts_with(['}', ')', ']']));
        if !(opens || closes) {
            out.push_str(if line.ends_with("\r\n") { "\r\n" } else { "\n" });
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_let_removed_inside_a_macro_leaves_no_line() {
        let before =
            "    m!(logger: {\n        let logger = Logger;\n        logger\n    }, \"hello\");\n";
        let after = "    m!(logger: {\n        \n        Logger\n    }, \"hello\");\n";
        assert_eq!(
            tidy(before, after).as_deref(),
            Some("    m!(logger: {\n        Logger\n    }, \"hello\");\n")
        );
    }

    #[test]
    fn elsewhere_an_added_blank_keeps_its_place_without_spaces() {
        let before = "a();\nb();\n";
        let after = "a();\n    \nb();\n";
        assert_eq!(tidy(before, after).as_deref(), Some("a();\n\nb();\n"));
    }

    #[test]
    fn untouched_whitespace_and_clean_changes_are_left_alone() {
        // The base's own whitespace-only line is not the fixer's.
        let before = "a();\n    \nb(&x);\n";
        let after = "a();\n    \nb(x);\n";
        assert_eq!(tidy(before, after), None);
    }
}
