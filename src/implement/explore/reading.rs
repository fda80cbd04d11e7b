//! The read-only tools: listing a directory, reading a file or a range of its lines, searching
//! the repository with a regular expression (skipping what `.gitignore` ignores), showing a
//! finding with its code. Every answer is capped; nothing under `.git/` or outside the clone is
//! shown.

use std::fmt::Write as _;
use std::path::Path;

use ignore::WalkBuilder;

use super::tools::{ListDirArgs, ReadFileArgs, SearchArgs};
use crate::artifacts::Finding;
use crate::implement::paths::PathPolicy;

/// Entries of one directory listing shown.
const MAX_ENTRIES: usize = 300;
/// Lines and characters of one read shown.
const MAX_READ_LINES: usize = 400;
const MAX_READ_CHARS: usize = 24_000;
/// Files larger than this are not read or searched.
const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;
/// Matches of one search shown, and characters of each matching line.
const MAX_MATCHES: usize = 60;
const MAX_MATCH_CHARS: usize = 200;
/// Files one search looks at.
const MAX_SEARCHED_FILES: usize = 20_000;

/// The directory's entries, directories first marked with `/`, ignored files left out.
pub fn list_dir(policy: &PathPolicy, args: &ListDirArgs) -> Result<String, String> {
    let asked = args.path.as_deref().unwrap_or(".");
    let dir = policy.readable(asked).map_err(|r| format!("refused {r}"))?;
    if !dir.is_dir() {
        return Err(format!("`{asked}` is not a directory"));
    }
    let mut entries: Vec<String> = WalkBuilder::new(&dir)
        .max_depth(Some(1))
        .hidden(false)
        .filter_entry(|e| e.file_name() != ".git")
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.depth() == 1)
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if e.file_type().is_some_and(|t| t.is_dir()) {
                format!("{name}/")
            } else {
                name
            }
        })
        .collect();
    entries.sort_by_key(|e| (!e.ends_with('/'), e.clone()));
    let total = entries.len();
    entries.truncate(MAX_ENTRIES);
    let mut text = entries.join("\n");
    if total > MAX_ENTRIES {
        let _ = write!(text, "\n[{} more entries not shown]", total - MAX_ENTRIES);
    }
    if total == 0 {
        text = "(empty)".to_owned();
    }
    Ok(text)
}

/// The file's lines `start_line..=end_line` (all of a small file), with a header saying which.
pub fn read_file(policy: &PathPolicy, args: &ReadFileArgs) -> Result<String, String> {
    let path = policy
        .readable(&args.path)
        .map_err(|r| format!("refused {r}"))?;
    let content = text_of(&path).map_err(|reason| format!("`{}`: {reason}", args.path))?;
    let lines: Vec<&str> = content.lines().collect();
    let total = lines.len();
    let start = args.start_line.unwrap_or(1).max(1);
    if total > 0 && start > total {
        return Err(format!(
            "`{}` has {total} lines; start_line {start} is past its end",
            args.path
        ));
    }
    let end = args
        .end_line
        .unwrap_or(total)
        .min(total)
        .min(start + MAX_READ_LINES - 1);
    let mut shown = String::new();
    let mut last = start.saturating_sub(1);
    for (i, line) in lines
        .iter()
        .enumerate()
        .take(end)
        .skip(start.saturating_sub(1))
    {
        if shown.len() + line.len() > MAX_READ_CHARS {
            break;
        }
        shown.push_str(line);
        shown.push('\n');
        last = i + 1;
    }
    let header = if total == 0 {
        format!("{} (empty)", args.path)
    } else if start == 1 && last == total {
        format!("{} (all {total} lines)", args.path)
    } else {
        format!(
            "{} (lines {start}-{last} of {total}; read again with start_line = {} for more)",
            args.path,
            last + 1
        )
    };
    Ok(format!("{header}\n{shown}"))
}

/// `path:line: text` for the first matches of the pattern, in path order.
pub fn search(policy: &PathPolicy, args: &SearchArgs) -> Result<String, String> {
    let regex = regex::RegexBuilder::new(&args.pattern)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| format!("the pattern is not a valid regular expression: {e}"))?;
    let asked = args.path.as_deref().unwrap_or(".");
    let start = policy.readable(asked).map_err(|r| format!("refused {r}"))?;
    let root = policy.readable(".").map_err(|r| format!("refused {r}"))?;
    let mut matches = Vec::new();
    let mut more = 0usize;
    let walker = WalkBuilder::new(&start)
        .hidden(false)
        .filter_entry(|e| e.file_name() != ".git")
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    for entry in walker
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .take(MAX_SEARCHED_FILES)
    {
        let Ok(content) = text_of(entry.path()) else {
            continue;
        };
        let relative = relative_to(&root, entry.path());
        for (number, line) in content.lines().enumerate() {
            if !regex.is_match(line) {
                continue;
            }
            if matches.len() >= MAX_MATCHES {
                more += 1;
                continue;
            }
            let shown: String = line.trim_end().chars().take(MAX_MATCH_CHARS).collect();
            matches.push(format!("{relative}:{}: {shown}", number + 1));
        }
    }
    if matches.is_empty() {
        return Ok(format!("no match for `{}`", args.pattern));
    }
    let mut text = matches.join("\n");
    if more > 0 {
        let _ = write!(
            text,
            "\n[{more} more matches not shown; narrow the pattern or the path]"
        );
    }
    Ok(text)
}

/// Finding `number` (from 1) and the lines around it.
pub fn show_finding(
    policy: &PathPolicy,
    findings: &[Finding],
    number: usize,
) -> Result<String, String> {
    let finding = number
        .checked_sub(1)
        .and_then(|i| findings.get(i))
        .ok_or_else(|| {
            format!(
                "there is no finding {number}; the task has {}",
                findings.len()
            )
        })?;
    let mut text = format!(
        "{}{}: {} ({}, {:?}{})\n",
        finding.path,
        finding.line.map(|l| format!(":{l}")).unwrap_or_default(),
        finding.message,
        finding.tool,
        finding.kind,
        if finding.fixable { ", fixable" } else { "" }
    );
    if let (Some(line), Ok(path)) = (finding.line, policy.readable(&finding.path)) {
        if let Ok(content) = text_of(&path) {
            let line = line as usize;
            for (i, l) in content
                .lines()
                .enumerate()
                .skip(line.saturating_sub(6))
                .take(11)
            {
                let _ = writeln!(
                    text,
                    "{:>5}{} {l}",
                    i + 1,
                    if i + 1 == line { ">" } else { ":" }
                );
            }
        }
    }
    Ok(text)
}

/// Files that hold credentials by convention (`.env`, private keys, package-registry and netrc
/// logins): never shown to the model, whatever they contain. Known secrets and token shapes are
/// redacted from everything else.
fn is_credentials_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name == ".env"
        || name.starts_with(".env.")
        || [
            ".npmrc",
            ".pypirc",
            ".netrc",
            "_netrc",
            ".git-credentials",
            ".htpasswd",
        ]
        .contains(&name.as_str())
        || name.starts_with("id_rsa")
        || name.starts_with("id_ed25519")
        || name.starts_with("id_ecdsa")
        || [".pem", ".key", ".p12", ".pfx", ".keystore", ".jks"]
            .iter()
            .any(|ext| name.ends_with(ext))
}

/// The file as text: refused when it holds credentials, is too large or binary.
fn text_of(path: &Path) -> Result<String, String> {
    if is_credentials_file(path) {
        return Err("is a credentials file by its name; it is not shown".to_owned());
    }
    let meta = std::fs::metadata(path).map_err(|_| "does not exist".to_owned())?;
    if !meta.is_file() {
        return Err("is not a file".to_owned());
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!("is {} bytes, too large to show", meta.len()));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot be read: {e}"))?;
    if bytes.iter().take(8192).any(|b| *b == 0) {
        return Err("is a binary file".to_owned());
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn relative_to(root: &Path, path: &Path) -> String {
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    canonical
        .strip_prefix(root)
        .unwrap_or(&canonical)
        .to_string_lossy()
        .replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo_config::RepoConfig;

    fn repo() -> (tempfile::TempDir, PathPolicy) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        crate::repo::test_git::git(root, &["init", "-q"]);
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::create_dir_all(root.join("target")).unwrap();
        std::fs::write(root.join(".gitignore"), "target/\n").unwrap();
        let lib: String = (1..=500).map(|i| format!("fn f{i}() {{}}\n")).collect();
        std::fs::write(root.join("src/lib.rs"), lib).unwrap();
        std::fs::write(root.join("target/out.rs"), "fn f7() {}\n").unwrap();
        std::fs::write(root.join("blob.bin"), b"fn f7\0\0").unwrap();
        std::fs::write(root.join(".env"), "DB_PASSWORD=fn f7 hunter2\n").unwrap();
        let policy = PathPolicy::new(root, &RepoConfig::default()).unwrap();
        (dir, policy)
    }

    #[test]
    fn lists_without_ignored_or_git_entries() {
        let (_dir, policy) = repo();
        let listed = list_dir(&policy, &ListDirArgs { path: None }).unwrap();
        assert_eq!(listed, "src/\n.env\n.gitignore\nblob.bin");
        assert!(list_dir(
            &policy,
            &ListDirArgs {
                path: Some(".git".into())
            }
        )
        .is_err());
    }

    #[test]
    fn reads_ranges_and_says_where_it_stopped() {
        let (_dir, policy) = repo();
        let read = |start, end| {
            read_file(
                &policy,
                &ReadFileArgs {
                    path: "src/lib.rs".into(),
                    start_line: start,
                    end_line: end,
                },
            )
        };
        let part = read(Some(10), Some(12)).unwrap();
        assert_eq!(
            part,
            "src/lib.rs (lines 10-12 of 500; read again with start_line = 13 for more)\nfn f10() {}\nfn f11() {}\nfn f12() {}\n"
        );
        let whole = read(None, None).unwrap();
        assert!(
            whole.contains("lines 1-400 of 500"),
            "{}",
            whole.lines().next().unwrap()
        );
        assert!(read(Some(900), None).unwrap_err().contains("past its end"));
        let binary = read_file(
            &policy,
            &ReadFileArgs {
                path: "blob.bin".into(),
                start_line: None,
                end_line: None,
            },
        );
        assert!(binary.unwrap_err().contains("binary"));
        let env = read_file(
            &policy,
            &ReadFileArgs {
                path: ".env".into(),
                start_line: None,
                end_line: None,
            },
        );
        assert!(env.unwrap_err().contains("credentials file"));
    }

    #[test]
    fn searches_tracked_text_only_and_caps_matches() {
        let (_dir, policy) = repo();
        let found = search(
            &policy,
            &SearchArgs {
                pattern: r"^fn f7\(".into(),
                path: None,
            },
        )
        .unwrap();
        assert_eq!(found, "src/lib.rs:7: fn f7() {}");
        let secret = SearchArgs {
            pattern: "hunter2".into(),
            path: None,
        };
        assert_eq!(search(&policy, &secret).unwrap(), "no match for `hunter2`");
        let many = search(
            &policy,
            &SearchArgs {
                pattern: "fn".into(),
                path: Some("src".into()),
            },
        )
        .unwrap();
        assert_eq!(many.lines().count(), MAX_MATCHES + 1);
        assert!(many.ends_with("[440 more matches not shown; narrow the pattern or the path]"));
        assert!(search(
            &policy,
            &SearchArgs {
                pattern: "(".into(),
                path: None
            }
        )
        .unwrap_err()
        .contains("not a valid regular expression"));
    }
}
