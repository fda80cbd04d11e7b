//! The tags walk against the tags query it replaced, on trees of real code: whether they agree
//! on every file (definitions with kinds, lines, signatures and order; reference counts), and
//! what each costs beside parsing and the complexity walk, in CPU on one thread.
//!
//!   BENCH_SOURCES="/path/a /path/b" cargo bench --bench tags_walk
//!
//! Default: the clones bench/context.sh makes (under /tmp/am-bench-context). Prints per
//! language the files compared, those that differ (with the first few differences) and the
//! milliseconds each step took.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use automaintainer::analysis::tags::{self, query};
use automaintainer::analysis::{metrics, Language};

#[derive(Default)]
struct Tally {
    files: usize,
    differing: usize,
    parse: Duration,
    query: Duration,
    walk: Duration,
    complexity: Duration,
}

#[allow(clippy::print_stdout, clippy::unwrap_used)]
fn main() {
    let sources: Vec<PathBuf> = std::env::var("BENCH_SOURCES")
        .unwrap_or_else(|_| {
            ["dtolnay+semver", "tokio-rs+tokio", "rust-lang+cargo"]
                .map(|n| format!("/tmp/am-bench-context/{n}/run/repo"))
                .join(" ")
        })
        .split_whitespace()
        .map(PathBuf::from)
        .collect();
    let mut tallies: BTreeMap<Language, Tally> = BTreeMap::new();
    let mut shown = 0;
    let mut slowest_walk = (Duration::ZERO, PathBuf::new());
    for source in &sources {
        for path in files(source) {
            let Some(language) = Language::of_path(&path) else {
                continue;
            };
            let Ok(content) = std::fs::read(&path) else {
                continue;
            };
            if content.len() > 512 * 1024 {
                continue;
            }
            let tally = tallies.entry(language).or_default();
            let started = Instant::now();
            let Some(tree) = tags::parse(language, &content) else {
                continue;
            };
            let parsed = Instant::now();
            let queried = query::extract_from_tree(language, &tree, &content);
            let queried_at = Instant::now();
            let walked = tags::extract_from_tree(language, &tree, &content);
            let walked_at = Instant::now();
            let _ = metrics::function_complexity(language, &tree, &content);
            tally.complexity += walked_at.elapsed();
            tally.parse += parsed - started;
            tally.query += queried_at - parsed;
            tally.walk += walked_at - queried_at;
            if walked_at - queried_at > slowest_walk.0 {
                slowest_walk = (walked_at - queried_at, path.clone());
            }
            tally.files += 1;
            if walked != queried {
                tally.differing += 1;
                if shown < 12 {
                    shown += 1;
                    report(&path, &walked, &queried);
                }
            }
        }
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "slowest walk: {:.1} ms, {}",
        ms(slowest_walk.0),
        slowest_walk.1.display()
    );
    for (language, t) in &tallies {
        println!(
            "{:10} {:6} files, {} differ; parse {:8.1} ms, query {:8.1} ms, walk {:7.1} ms, complexity {:7.1} ms",
            language.name(),
            t.files,
            t.differing,
            ms(t.parse),
            ms(t.query),
            ms(t.walk),
            ms(t.complexity)
        );
    }
}

#[allow(clippy::print_stdout)]
fn report(path: &Path, walked: &tags::FileTags, queried: &tags::FileTags) {
    println!("differs: {}", path.display());
    let (w, q) = (&walked.definitions, &queried.definitions);
    if let Some(i) = (0..w.len().max(q.len())).find(|&i| w.get(i) != q.get(i)) {
        println!(
            "  definition {i}: walk {:?}\n               query {:?}",
            w.get(i),
            q.get(i)
        );
    }
    let (w, q) = (&walked.references, &queried.references);
    if let Some(i) = (0..w.len().max(q.len())).find(|&i| w.get(i) != q.get(i)) {
        println!(
            "  reference {i}: walk {:?}\n              query {:?}",
            w.get(i),
            q.get(i)
        );
    }
}

/// Every file under `root` (hidden directories and `target` skipped), sorted.
fn files(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let hidden = name.to_string_lossy().starts_with('.');
            match entry.file_type() {
                Ok(t) if t.is_dir() && !hidden && name != "target" => pending.push(path),
                Ok(t) if t.is_file() => found.push(path),
                _ => {}
            }
        }
    }
    found.sort();
    found
}
