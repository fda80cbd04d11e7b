//! Reading a clone's recent history (`repo::history::read`, what am-context lists and counts)
//! against a time-sorted walk of the same length, the way it was read before: interleaved
//! pairs (A, B, A, B), medians with min and max.
//!
//! `cargo bench --bench history -- /path/to/a/clone` (default: this repository). A clone with a
//! long history shows the difference: the time sort parses every commit before the first one is
//! handed out; the first-parent walk reads only what it shows.

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use automaintainer::repo::history::{self, HistoryLimits};
use git2::{Repository, Sort};

const ROUNDS: usize = 15;

fn main() {
    let root = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    let limits = HistoryLimits::default();
    let commits = Repository::open(&root)
        .and_then(|repo| {
            let mut walk = repo.revwalk()?;
            walk.push_head()?;
            Ok(walk.count())
        })
        .expect("open the clone");
    let (mut first_parent, mut time_sorted) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let started = Instant::now();
        history::read(&root, limits).unwrap();
        first_parent.push(started.elapsed());
        let started = Instant::now();
        time_sorted_walk(&root, limits.scanned);
        time_sorted.push(started.elapsed());
    }
    println!(
        "{} ({commits} commits), {ROUNDS} interleaved rounds",
        root.display()
    );
    report("history::read (first parent, unsorted)", &mut first_parent);
    report("time-sorted walk of the same length   ", &mut time_sorted);
}

/// The walk as it was: every commit of the repository sorted by time, then `count` taken.
fn time_sorted_walk(root: &std::path::Path, count: usize) {
    let repo = Repository::open(root).unwrap();
    let mut walk = repo.revwalk().unwrap();
    walk.set_sorting(Sort::TIME).unwrap();
    walk.push_head().unwrap();
    for oid in walk.take(count) {
        let commit = repo.find_commit(oid.unwrap()).unwrap();
        let tree = commit.tree().unwrap();
        let parent = commit.parent(0).ok().and_then(|p| p.tree().ok());
        repo.diff_tree_to_tree(parent.as_ref(), Some(&tree), None)
            .unwrap();
    }
}

fn report(what: &str, times: &mut [Duration]) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{what}: median {:.1} ms (min {:.1}, max {:.1})",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1])
    );
}
