//! One parallel, .gitignore-aware pass over the tree (the `ignore` crate) that reads each file
//! once for everything the context needs from it: language and code lines, TODO markers,
//! whether it holds tests, and its tags (from the cache when its content was seen before).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use ignore::{WalkBuilder, WalkState};
use regex::bytes::Regex;

use super::file_analysis::{self, ComplexFunction, FileAnalysis};
use super::source_kind;
use super::tag_cache::TagCache;
use crate::analysis::tags::FileTags;
use crate::analysis::Language;

/// Files larger than this are counted but not parsed: they are data or generated code.
const MAX_PARSED_BYTES: usize = 512 * 1024;
/// Files whose lines are longer than this on average are counted but not parsed: minified or
/// generated code, slow to parse and of no use to the map or the findings.
const MAX_PARSED_MEAN_LINE_BYTES: usize = 300;
/// Markers found per file, at most: a file full of them is one finding's worth.
const MAX_MARKERS_PER_FILE: usize = 5;

/// What the walk learned about one file.
#[derive(Debug, Clone)]
pub struct FileRecord {
    /// Relative to the root, `/`-separated.
    pub path: String,
    pub bytes: u64,
    /// The summary's language name, when the file is code.
    pub language: Option<&'static str>,
    pub code_lines: u32,
    /// Tags, for files in a language the repo map parses.
    pub tags: Option<FileTags>,
    /// Its functions complex enough to report.
    pub complex_functions: Vec<ComplexFunction>,
    /// Holds tests itself (`#[test]`, `def test_`, `func Test`, `describe(`/`it(`).
    pub has_tests: bool,
    /// TODO/FIXME/HACK markers: (line, the marker's line trimmed).
    pub markers: Vec<(u32, String)>,
}

/// Everything the walk found, plus how the tag cache did.
#[derive(Debug, Default)]
pub struct Walked {
    pub files: Vec<FileRecord>,
    pub parsed: usize,
    pub cached: usize,
}

/// Walks `root`; `cache` keeps tags between runs.
pub fn walk(root: &Path, cache: Option<&TagCache>) -> Walked {
    let (sender, receiver) = mpsc::channel::<FileRecord>();
    let parsed = AtomicUsize::new(0);
    let cached = AtomicUsize::new(0);
    let marker = marker_pattern();
    WalkBuilder::new(root)
        .require_git(false)
        .filter_entry(|entry| entry.file_name() != ".git")
        .build_parallel()
        .run(|| {
            let sender = sender.clone();
            let (parsed, cached, marker) = (&parsed, &cached, &marker);
            Box::new(move |entry| {
                let Ok(entry) = entry else {
                    return WalkState::Continue;
                };
                if !entry.file_type().is_some_and(|t| t.is_file()) {
                    return WalkState::Continue;
                }
                let counters = Counters { parsed, cached };
                if let Some(record) = visit(root, entry.path(), cache, marker, &counters) {
                    let _ = sender.send(record);
                }
                WalkState::Continue
            })
        });
    drop(sender);
    let mut files: Vec<FileRecord> = receiver.into_iter().collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Walked {
        files,
        parsed: parsed.into_inner(),
        cached: cached.into_inner(),
    }
}

struct Counters<'a> {
    parsed: &'a AtomicUsize,
    cached: &'a AtomicUsize,
}

fn marker_pattern() -> Regex {
    // A fixed pattern: it compiles.
    #[allow(clippy::unwrap_used)]
    Regex::new(r"\b(TODO|FIXME|HACK)\b").unwrap()
}

fn visit(
    root: &Path,
    path: &Path,
    cache: Option<&TagCache>,
    marker: &Regex,
    counters: &Counters<'_>,
) -> Option<FileRecord> {
    let relative = relative_path(root, path)?;
    let kind = source_kind::of_path(path);
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let mut record = FileRecord {
        path: relative,
        bytes,
        language: kind.map(|k| k.name),
        code_lines: 0,
        tags: None,
        complex_functions: Vec::new(),
        has_tests: false,
        markers: Vec::new(),
    };
    let Some(kind) = kind else {
        return Some(record);
    };
    let Ok(content) = std::fs::read(path) else {
        return Some(record);
    };
    if content.iter().take(8192).any(|&b| b == 0) {
        record.language = None;
        return Some(record);
    }
    let text = String::from_utf8_lossy(&content);
    record.code_lines = kind.code_lines(&text);
    record.markers = markers(&content, marker);
    let language = Language::of_path(path);
    record.has_tests = language.is_some_and(|l| holds_tests(l, &text));
    if let Some(language) = language.filter(|_| worth_parsing(&content)) {
        let analysis = analysis_of(language, &content, cache, counters);
        record.tags = Some(analysis.tags);
        record.complex_functions = analysis.complex_functions;
    }
    Some(record)
}

/// Whether a file is small enough and looks hand-written (not minified) to be parsed.
fn worth_parsing(content: &[u8]) -> bool {
    let lines = content.iter().filter(|&&b| b == b'\n').count() + 1;
    content.len() <= MAX_PARSED_BYTES && content.len() / lines <= MAX_PARSED_MEAN_LINE_BYTES
}

fn relative_path(root: &Path, path: &Path) -> Option<String> {
    let relative: PathBuf = path.strip_prefix(root).ok()?.to_path_buf();
    let parts: Vec<&str> = relative.iter().filter_map(|p| p.to_str()).collect();
    Some(parts.join("/"))
}

fn analysis_of(
    language: Language,
    content: &[u8],
    cache: Option<&TagCache>,
    counters: &Counters<'_>,
) -> FileAnalysis {
    let Some(cache) = cache else {
        counters.parsed.fetch_add(1, Ordering::Relaxed);
        return file_analysis::analyse(language, content);
    };
    let key = TagCache::key(language, content);
    if let Some(analysis) = cache.get(&key) {
        counters.cached.fetch_add(1, Ordering::Relaxed);
        return analysis;
    }
    counters.parsed.fetch_add(1, Ordering::Relaxed);
    let analysis = file_analysis::analyse(language, content);
    cache.put(&key, &analysis);
    analysis
}

fn markers(content: &[u8], marker: &Regex) -> Vec<(u32, String)> {
    let mut found = Vec::new();
    let mut line = 1u32;
    let mut counted_to = 0usize;
    for hit in marker.find_iter(content).take(MAX_MARKERS_PER_FILE) {
        line += content[counted_to..hit.start()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u32;
        counted_to = hit.start();
        let line_start = content[..hit.start()]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line_end = content[hit.start()..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(content.len(), |i| hit.start() + i);
        let text = String::from_utf8_lossy(&content[line_start..line_end]);
        let text: String = text.trim().chars().take(160).collect();
        if found.last().is_none_or(|(l, _)| *l != line) {
            found.push((line, text));
        }
    }
    found
}

fn holds_tests(language: Language, text: &str) -> bool {
    match language {
        Language::Rust => text.contains("#[test]") || text.contains("#[cfg(test)]"),
        Language::Python => text.contains("def test_") || text.contains("unittest.TestCase"),
        Language::Go => text.contains("func Test"),
        Language::JavaScript | Language::TypeScript | Language::Tsx => {
            text.contains("describe(") || text.contains("it(") || text.contains("test(")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_languages_markers_tests_and_respects_gitignore() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::create_dir_all(root.join("target")).unwrap();
        std::fs::write(root.join(".gitignore"), "target/\n").unwrap();
        std::fs::write(root.join("target/junk.rs"), "fn junk() {}\n").unwrap();
        std::fs::write(
            root.join("src/lib.rs"),
            "// TODO: split this\npub fn a() {}\n\n#[cfg(test)]\nmod tests {}\n",
        )
        .unwrap();
        std::fs::write(root.join("notes.txt"), "FIXME not code\n").unwrap();
        let walked = walk(root, None);
        let paths: Vec<&str> = walked.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, vec!["notes.txt", "src/lib.rs"]);
        let lib = &walked.files[1];
        assert_eq!(lib.language, Some("Rust"));
        assert_eq!(lib.code_lines, 3);
        assert!(lib.has_tests);
        assert_eq!(lib.markers, vec![(1, "// TODO: split this".to_owned())]);
        assert_eq!(lib.tags.as_ref().unwrap().definitions[0].name, "a");
        assert_eq!(walked.parsed, 1);
    }

    #[test]
    fn minified_and_huge_files_are_counted_but_not_parsed() {
        let dir = tempfile::tempdir().unwrap();
        let minified: String = (0..200)
            .map(|i| format!("function f{i}(a){{return a+{i}}};"))
            .collect();
        std::fs::write(dir.path().join("app.min.js"), &minified).unwrap();
        let huge = "fn f() {}\n".repeat(MAX_PARSED_BYTES / 10 + 1);
        std::fs::write(dir.path().join("huge.rs"), huge).unwrap();
        std::fs::write(dir.path().join("small.rs"), "fn f() {}\n").unwrap();
        let walked = walk(dir.path(), None);
        let parsed: Vec<(&str, bool)> = walked
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.tags.is_some()))
            .collect();
        assert_eq!(
            parsed,
            vec![
                ("app.min.js", false),
                ("huge.rs", false),
                ("small.rs", true)
            ]
        );
        assert_eq!(walked.parsed, 1);
        assert!(walked.files[0].code_lines > 0);
    }

    #[test]
    fn a_second_walk_reads_tags_from_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let cache_dir = tempfile::tempdir().unwrap();
        let cache = TagCache::new(cache_dir.path());
        std::fs::write(dir.path().join("a.py"), "def f():\n    return g()\n").unwrap();
        std::fs::write(dir.path().join("b.go"), "package b\nfunc G() {}\n").unwrap();
        let cold = walk(dir.path(), Some(&cache));
        assert_eq!((cold.parsed, cold.cached), (2, 0));
        std::fs::write(dir.path().join("b.go"), "package b\nfunc H() {}\n").unwrap();
        let warm = walk(dir.path(), Some(&cache));
        assert_eq!((warm.parsed, warm.cached), (1, 1));
        assert_eq!(warm.files[0].tags, cold.files[0].tags);
    }
}
