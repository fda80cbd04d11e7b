//! The full analysis (tree-sitter tags with signatures, complex functions) of the files the
//! context shows: the walk read every file lexically; this parses only those the map and the
//! findings need, in parallel, each file once, through the tag cache.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use super::file_analysis::{self, FileAnalysis};
use super::tag_cache::TagCache;
use super::walk::FileRecord;
use crate::analysis::Language;

/// Parses files of a walked tree on demand and keeps what it parsed.
#[derive(Debug)]
pub struct Analyser<'a> {
    root: &'a Path,
    files: &'a [FileRecord],
    cache: Option<&'a TagCache>,
    done: HashMap<usize, FileAnalysis>,
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
            done: HashMap::new(),
            parsed: AtomicUsize::new(0),
            cached: AtomicUsize::new(0),
        }
    }

    /// The analyses of `indices` (into the walked files), parsing those not analysed yet.
    pub fn analyse(&mut self, indices: &[usize]) -> Vec<&FileAnalysis> {
        let mut missing: Vec<usize> = indices
            .iter()
            .copied()
            .filter(|i| !self.done.contains_key(i))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        let found: Vec<(usize, FileAnalysis)> = missing
            .par_iter()
            .map(|&i| (i, self.analyse_one(&self.files[i])))
            .collect();
        self.done.extend(found);
        indices.iter().map(|i| &self.done[i]).collect()
    }

    /// What was analysed, by index into the walked files.
    pub fn into_analysed(self) -> HashMap<usize, FileAnalysis> {
        self.done
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
        let mut cold = Analyser::new(dir.path(), &walked.files, Some(&cache));
        let tags = cold.analyse(&[0, 1])[0].tags.clone();
        assert_eq!(tags.definitions[0].signature, "def f()");
        cold.analyse(&[1, 0, 1]);
        assert_eq!(cold.counts(), (2, 0), "asked thrice, parsed once");
        assert_eq!(cold.into_analysed().len(), 2, "c.rs was not asked for");

        std::fs::write(dir.path().join("b.go"), "package b\nfunc H() {}\n").unwrap();
        let walked = walk(dir.path());
        let mut warm = Analyser::new(dir.path(), &walked.files, Some(&cache));
        assert_eq!(warm.analyse(&[0])[0].tags, tags);
        warm.analyse(&[1]);
        assert_eq!(warm.counts(), (1, 1));
    }
}
