//! Tags cached between runs, keyed by a hash of the file's content (and the tags format), so a
//! second run parses only the files that changed. One small file per entry: entries are read
//! and written by the parsing threads in parallel, and shared by every repository. A run
//! parses only the files its map and findings show (a few hundred in a tree of tens of
//! thousands), so there are few entries to write; a packed cache would save little.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::file_analysis::FileAnalysis;
use crate::analysis::Language;

/// Bumped whenever the tags queries, the metrics or `FileAnalysis` change, so old entries are never read.
const FORMAT: &str = "analysis-v3";

/// A directory of cached tags.
#[derive(Debug, Clone)]
pub struct TagCache {
    dir: PathBuf,
}

impl TagCache {
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
        }
    }

    /// The cache key of a file's content in a language.
    pub fn key(language: Language, content: &[u8]) -> String {
        let mut hasher = Sha256::new();
        hasher.update(FORMAT.as_bytes());
        hasher.update(language.name().as_bytes());
        hasher.update([0]);
        hasher.update(content);
        hex::encode(hasher.finalize())
    }

    fn entry(&self, key: &str) -> PathBuf {
        let (shard, rest) = key.split_at(2.min(key.len()));
        self.dir.join(shard).join(format!("{rest}.json"))
    }

    /// The cached tags, if there are (readable) ones.
    pub fn get(&self, key: &str) -> Option<FileAnalysis> {
        let bytes = std::fs::read(self.entry(key)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Stores tags; a failure only costs a re-parse next time, so it is logged, not returned.
    pub fn put(&self, key: &str, analysis: &FileAnalysis) {
        let path = self.entry(key);
        let result = (|| -> std::io::Result<()> {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let text = serde_json::to_vec(analysis).map_err(std::io::Error::other)?;
            // Written aside and renamed, so a parallel reader never sees half an entry.
            let tmp = path.with_extension(format!(
                "tmp-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            std::fs::write(&tmp, text)?;
            std::fs::rename(&tmp, &path)
        })();
        if let Err(e) = result {
            tracing::debug!("could not cache tags at {}: {e}", path.display());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::tags::{Definition, FileTags};

    #[test]
    fn round_trips_and_keys_by_content() {
        let dir = tempfile::tempdir().unwrap();
        let cache = TagCache::new(dir.path());
        let key = TagCache::key(Language::Rust, b"fn a() {}");
        assert_ne!(key, TagCache::key(Language::Rust, b"fn b() {}"));
        assert_ne!(key, TagCache::key(Language::Go, b"fn a() {}"));
        assert!(cache.get(&key).is_none());
        let tags = FileTags {
            definitions: vec![Definition {
                name: "a".into(),
                kind: "function".into(),
                line: 1,
                signature: "fn a()".into(),
            }],
            references: vec![("b".into(), 2)],
        };
        let analysis = FileAnalysis {
            tags,
            complex_functions: vec![],
        };
        cache.put(&key, &analysis);
        assert_eq!(cache.get(&key), Some(analysis));
    }
}
