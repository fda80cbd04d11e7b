//! The full analysis (tree-sitter tags with signatures, complex functions) of the files the
//! context shows: the walk read every file lexically; this parses only those the map and the
//! findings need, in parallel, each file once, through the tag cache. The map's rounds and the
//! findings' candidates may ask at the same time, from two threads: a file one asks for while
//! the other parses it is waited for, not parsed twice.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use rayon::prelude::*;

use super::file_analysis::{self, FileAnalysis};
use super::tag_cache::TagCache;
use super::walk::FileRecord;
use crate::analysis::tags::FileTags;
use crate::analysis::Language;

/// One file's analysis, done once by whoever asks first.
type Slot = Arc<OnceLock<FileAnalysis>>;

/// Parses files of a walked tree on demand and keeps what it parsed.
#[derive(Debug)]
pub struct Analyser<'a> {
    root: &'a Path,
    files: &'a [FileRecord],
    cache: Option<&'a TagCache>,
    done: Mutex<HashMap<usize, Slot>>,
    parsed: AtomicUsize,
    cached: AtomicUsize,
}

impl<'a> Analyser<'a> {
    /// An analyser of `files` (walked under `root`); `cache` keeps analyses between runs.
    pub fn new(root: &'a Path, files: &'a [FileRecord], cache: Option<&'a TagCache>) -> Self {
        Self {
            root,
            files,
            cache,
            done: Mutex::new(HashMap::new()),
            parsed: AtomicUsize::new(0),
            cached: AtomicUsize::new(0),
        }
    }

    /// Analyses `indices` (into the walked files), parsing those not analysed yet, in parallel.
    pub fn analyse(&self, indices: &[usize]) {
        self.slots(indices);
    }

    /// The tags of `indices`, in that order, parsing those not analysed yet.
    pub fn tags(&self, indices: &[usize]) -> Vec<FileTags> {
        let slots = self.slots(indices);
        indices
            .iter()
            .map(|i| {
                slots
                    .get(i)
                    .and_then(|slot| slot.get())
                    .map(|analysis| analysis.tags.clone())
                    .unwrap_or_default()
            })
            .collect()
    }

    /// The slots of `indices`, each filled.
    fn slots(&self, indices: &[usize]) -> HashMap<usize, Slot> {
        let slots: HashMap<usize, Slot> = {
            let mut done = self.done.lock().unwrap_or_else(PoisonError::into_inner);
            let unique: HashSet<usize> = indices.iter().copied().collect();
            unique
                .into_iter()
                .map(|i| (i, Arc::clone(done.entry(i).or_default())))
                .collect()
        };
        let mut pending: Vec<(&usize, &Slot)> = slots
            .iter()
            .filter(|(_, slot)| slot.get().is_none())
            .collect();
        pending.sort_unstable_by_key(|(i, _)| **i);
        pending.par_iter().for_each(|(i, slot)| {
            slot.get_or_init(|| self.analyse_one(&self.files[**i]));
        });
        slots
    }

    /// What was analysed, by index into the walked files.
    pub fn into_analysed(self) -> HashMap<usize, FileAnalysis> {
        self.done
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .into_iter()
            .filter_map(|(i, slot)| {
                let analysis = match Arc::try_unwrap(slot) {
                    Ok(slot) => slot.into_inner(),
                    Err(shared) => shared.get().cloned(),
                };
                analysis.map(|a| (i, a))
            })
            .collect()
    }

    /// Files parsed so far, and files whose analysis came from the cache.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.parsed.load(Ordering::Relaxed),
            self.cached.load(Ordering::Relaxed),
        )
    }

    fn analyse_one(&self, file: &FileRecord) -> FileAnalysis {
        let path = self.root.join(&file.path);
        let (Some(language), Ok(content)) = (Language::of_path(&path), std::fs::read(&path)) else {
            return FileAnalysis::default();
        };
        let Some(cache) = self.cache else {
            self.parsed.fetch_add(1, Ordering::Relaxed);
            return file_analysis::analyse(language, &content);
        };
        let key = TagCache::key(language, &content);
        if let Some(analysis) = cache.get(&key) {
            self.cached.fetch_add(1, Ordering::Relaxed);
            return analysis;
        }
        self.parsed.fetch_add(1, Ordering::Relaxed);
        let analysis = file_analysis::analyse(language, &content);
        cache.put(&key, &analysis);
        analysis
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::walk::walk;

    #[test]
    fn parses_each_file_once_and_a_second_run_reads_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let cache_dir = tempfile::tempdir().unwrap();
        let cache = TagCache::new(cache_dir.path());
        std::fs::write(dir.path().join("a.py"), "def f():\n    return g()\n").unwrap();
        std::fs::write(dir.path().join("b.go"), "package b\nfunc G() {}\n").unwrap();
        std::fs::write(dir.path().join("c.rs"), "fn unasked() {}\n").unwrap();
        let walked = walk(dir.path());
        let cold = Analyser::new(dir.path(), &walked.files, Some(&cache));
        let tags = cold.tags(&[0, 1])[0].clone();
        assert_eq!(tags.definitions[0].signature, "def f()");
        assert_eq!(cold.tags(&[1, 0, 1])[1], tags, "in the order asked");
        assert_eq!(cold.counts(), (2, 0), "asked thrice, parsed once");
        assert_eq!(cold.into_analysed().len(), 2, "c.rs was not asked for");

        std::fs::write(dir.path().join("b.go"), "package b\nfunc H() {}\n").unwrap();
        let walked = walk(dir.path());
        let warm = Analyser::new(dir.path(), &walked.files, Some(&cache));
        assert_eq!(warm.tags(&[0])[0], tags);
        warm.analyse(&[1]);
        assert_eq!(warm.counts(), (1, 1));
    }

    #[test]
    fn two_threads_asking_for_the_same_files_parse_each_once() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..40 {
            std::fs::write(
                dir.path().join(format!("f{i:02}.rs")),
                format!("fn f{i}() -> u32 {{ {i} }}\n"),
            )
            .unwrap();
        }
        let walked = walk(dir.path());
        let analyser = Analyser::new(dir.path(), &walked.files, None);
        let all: Vec<usize> = (0..40).collect();
        let reversed: Vec<usize> = all.iter().rev().copied().collect();
        let (a, b) = std::thread::scope(|scope| {
            let a = scope.spawn(|| analyser.tags(&all));
            let b = scope.spawn(|| analyser.tags(&reversed));
            (a.join().unwrap(), b.join().unwrap())
        });
        assert_eq!(analyser.counts(), (40, 0));
        assert_eq!(a[3].definitions[0].name, "f3");
        assert_eq!(b[3].definitions[0].name, "f36");
        let analysed = analyser.into_analysed();
        assert_eq!(analysed.len(), 40);
        assert_eq!(analysed[&7].tags.definitions[0].name, "f7");
    }
}
