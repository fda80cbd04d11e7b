//! Changes that follow each repository's own tools and conventions: `automaintainer run` (offline
//! provider, local forge) on the fixture repositories of `tests/fixtures/conventions/`, one per
//! case, each asserting the exact files and lines changed (or why nothing was) and that the
//! repository's own linter reports no new findings on the branch.

mod go;
mod javascript;
mod python;
mod rust;

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::bin::{run_locally, Ran};
use crate::common::git;

/// A fixture repository run through `automaintainer run`, and what it left.
struct Case {
    _data: tempfile::TempDir,
    remote: PathBuf,
    ran: Ran,
}

impl Case {
    /// Copies `tests/fixtures/conventions/<name>` into a new repository with a bare remote and
    /// runs the whole pipeline on it.
    async fn run(name: &str) -> Self {
        Self::run_with(name, &[]).await
    }

    /// As [`Case::run`], with more arguments for `automaintainer run`.
    async fn run_with(name: &str, extra: &[&str]) -> Self {
        Self::run_altered(name, extra, |_| {}).await
    }

    /// As [`Case::run_with`], with the fixture's copy altered by `alter` before it is committed.
    async fn run_altered(name: &str, extra: &[&str], alter: impl FnOnce(&Path)) -> Self {
        let data = tempfile::tempdir().unwrap();
        let source = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/conventions")
            .join(name);
        let work = data.path().join("work");
        copy_tree(&source, &work);
        alter(&work);
        git::git(&work, &["init", "-q", "-b", "main"]);
        git::git(&work, &["add", "-A"]);
        git::git(&work, &["commit", "-q", "-m", "initial commit"]);
        let remote = git::bare_clone(&work, &data.path().join("remote.git"));
        let mut args = vec!["--repository", remote.to_str().unwrap()];
        args.extend(extra);
        let ran = run_locally(data.path(), &args).await;
        Self {
            _data: data,
            remote,
            ran,
        }
    }

    /// An artifact of the kept run directory (a run made with `--keep-run-dir`).
    fn artifact(&self, name: &str) -> serde_json::Value {
        let kept = self
            .ran
            .stderr
            .lines()
            .find_map(|l| l.split("kept: ").nth(1))
            .map(PathBuf::from)
            .expect("the kept directory is named");
        let text = std::fs::read_to_string(kept.join("artifacts").join(name)).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    /// The work branch the run pushed, if any.
    fn branch(&self) -> Option<String> {
        let branches = git::git(&self.remote, &["branch", "--list", "automaintainer/*"]);
        let branch = branches.trim().trim_start_matches("* ").to_owned();
        (!branch.is_empty()).then_some(branch)
    }

    /// The branch's change: (file, removed lines, added lines), files in order.
    fn change(&self) -> Vec<(String, Vec<String>, Vec<String>)> {
        let branch = self
            .branch()
            .unwrap_or_else(|| panic!("no work branch was pushed:\n{}", self.ran.stderr));
        let diff = git::git(&self.remote, &["diff", "-U0", "main", &branch]);
        let mut files: Vec<(String, Vec<String>, Vec<String>)> = Vec::new();
        for line in diff.lines() {
            if let Some(path) = line.strip_prefix("+++ b/") {
                files.push((path.to_owned(), Vec::new(), Vec::new()));
            } else if line.starts_with("+++") || line.starts_with("---") {
                continue;
            } else if let Some(removed) = line.strip_prefix('-') {
                files.last_mut().unwrap().1.push(removed.to_owned());
            } else if let Some(added) = line.strip_prefix('+') {
                files.last_mut().unwrap().2.push(added.to_owned());
            }
        }
        files
    }

    /// Asserts the change is exactly `expected`: per file, the lines removed and added.
    fn assert_change(&self, expected: &[(&str, &[&str], &[&str])]) {
        let change = self.change();
        let expected: Vec<(String, Vec<String>, Vec<String>)> = expected
            .iter()
            .map(|(f, r, a)| {
                (
                    (*f).to_owned(),
                    r.iter().map(|s| (*s).to_owned()).collect(),
                    a.iter().map(|s| (*s).to_owned()).collect(),
                )
            })
            .collect();
        assert_eq!(change, expected, "{}", self.ran.stderr);
    }

    /// A checkout of `rev` of the remote, in a new directory under the case's data.
    fn checkout(&self, rev: &str) -> PathBuf {
        let dir = self
            ._data
            .path()
            .join(format!("checkout-{}", rev.replace('/', "-")));
        if dir.exists() {
            return dir;
        }
        git::git(
            self._data.path(),
            &[
                "clone",
                "-q",
                self.remote.to_str().unwrap(),
                dir.to_str().unwrap(),
            ],
        );
        git::git(&dir, &["checkout", "-q", rev]);
        dir
    }

    /// Asserts `program args`, the repository's own linter, reports no more findings (output
    /// lines naming `pattern`) on the branch than on the base.
    fn assert_no_new_findings(&self, program: &str, args: &[&str], pattern: &str) {
        let branch = self.branch().unwrap();
        let count = |dir: &Path| {
            let output = Command::new(program)
                .args(args)
                .current_dir(dir)
                .output()
                .unwrap_or_else(|e| panic!("{program} runs: {e}"));
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            (text.lines().filter(|l| l.contains(pattern)).count(), text)
        };
        let (before, _) = count(&self.checkout("main"));
        let (after, text) = count(&self.checkout(&branch));
        assert!(
            after < before || before == 0 && after == 0,
            "{program} reports {after} finding(s) on the branch, {before} on the base:\n{text}"
        );
    }

    /// The run's summary says the change was not made, for a reason containing `reason`.
    fn assert_nothing(&self, reason: &str) {
        assert_eq!(self.branch(), None, "{}", self.ran.stderr);
        assert!(
            self.ran.stderr.contains(reason),
            "expected {reason:?} in:\n{}",
            self.ran.stderr
        );
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
