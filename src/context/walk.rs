//! One parallel, .gitignore-aware pass over the tree (the `ignore` crate) that reads each file
//! once for everything the context needs from it: language and code lines, TODO markers,
//! whether it holds tests, and its lexical tags and complexity estimate (no parse: the files
//! worth parsing are chosen from these, see [`super::parse`]).

use std::path::{Path, PathBuf};
use std::sync::mpsc;

use ignore::{WalkBuilder, WalkState};
use regex::bytes::Regex;

use super::file_analysis::ComplexFunction;
use super::generated;
use super::source_kind;
use crate::analysis::lexical;
use crate::analysis::tags::FileTags;
use crate::analysis::Language;

/// Files larger than this are counted but not read for tags: they are data or generated code.
const MAX_PARSED_BYTES: usize = 512 * 1024;
/// Files whose lines are longer than this on average are counted but not read for tags:
/// minified or generated code, slow to parse and of no use to the map or the findings.
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
    /// Lexical tags (definitions without signatures, references), for files in a language the
    /// repo map reads that are neither generated, vendored nor minified.
    pub tags: Option<FileTags>,
    /// The lexical estimate of its most complex function's cognitive complexity.
    pub complexity_estimate: u32,
    /// Its functions complex enough to report, once it is parsed (empty until then).
    pub complex_functions: Vec<ComplexFunction>,
    /// Generated (a marker in its header) or vendored: counted, but neither mapped nor reported.
    pub generated: bool,
    /// Holds tests itself (`#[test]`, `def test_`, `func Test`, `describe(`/`it(`).
    pub has_tests: bool,
    /// TODO/FIXME/HACK markers: (line, the marker's line trimmed).
    pub markers: Vec<(u32, String)>,
}

/// Everything the walk found.
#[derive(Debug, Default)]
pub struct Walked {
    /// In path order.
    pub files: Vec<FileRecord>,
}

/// Walks `root`.
pub fn walk(root: &Path) -> Walked {
    let (sender, receiver) = mpsc::channel::<FileRecord>();
    let marker = marker_pattern();
    WalkBuilder::new(root)
        .require_git(false)
        .filter_entry(|entry| entry.file_name() != ".git")
        .build_parallel()
        .run(|| {
            let sender = sender.clone();
            let marker = &marker;
            Box::new(move |entry| {
                let Ok(entry) = entry else {
                    return WalkState::Continue;
                };
                if !entry.file_type().is_some_and(|t| t.is_file()) {
                    return WalkState::Continue;
                }
                if let Some(record) = visit(root, entry.path(), marker) {
                    let _ = sender.send(record);
                }
                WalkState::Continue
            })
        });
    drop(sender);
    let mut files: Vec<FileRecord> = receiver.into_iter().collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Walked { files }
}

fn marker_pattern() -> Regex {
    // A fixed pattern: it compiles.
    #[allow(clippy::unwrap_used)]
    Regex::new(r"\b(TODO|FIXME|HACK)\b").unwrap()
}

fn visit(root: &Path, path: &Path, marker: &Regex) -> Option<FileRecord> {
    let relative = relative_path(root, path)?;
    let kind = source_kind::of_path(path);
    let mut record = FileRecord {
        path: relative,
        bytes: 0,
        language: kind.map(|k| k.name),
        code_lines: 0,
        tags: None,
        complexity_estimate: 0,
        complex_functions: Vec::new(),
        generated: false,
        has_tests: false,
        markers: Vec::new(),
    };
    let Some(kind) = kind else {
        record.bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        return Some(record);
    };
    let Ok(content) = std::fs::read(path) else {
        return Some(record);
    };
    record.bytes = content.len() as u64;
    if content.iter().take(8192).any(|&b| b == 0) {
        record.language = None;
        return Some(record);
    }
    record.code_lines = kind.code_lines(&content);
    record.generated = generated::is_vendored(&record.path) || generated::is_generated(&content);
    if record.generated {
        return Some(record);
    }
    record.markers = markers(&content, marker);
    let language = Language::of_path(path);
    record.has_tests = language.is_some_and(|l| holds_tests(l, &content));
    if let Some(language) = language.filter(|_| worth_parsing(&content)) {
        let lexed = lexical::scan(language, &content);
        record.tags = Some(lexed.tags);
        record.complexity_estimate = lexed.complexity;
    }
    Some(record)
}

/// Whether a file is small enough and looks hand-written (not minified) to be read for tags.
fn worth_parsing(content: &[u8]) -> bool {
    let lines = content.iter().filter(|&&b| b == b'\n').count() + 1;
    content.len() <= MAX_PARSED_BYTES && content.len() / lines <= MAX_PARSED_MEAN_LINE_BYTES
}

fn relative_path(root: &Path, path: &Path) -> Option<String> {
    let relative: PathBuf = path.strip_prefix(root).ok()?.to_path_buf();
    let parts: Vec<&str> = relative.iter().filter_map(|p| p.to_str()).collect();
    Some(parts.join("/"))
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

fn holds_tests(language: Language, content: &[u8]) -> bool {
    let has = |needle: &str| memchr::memmem::find(content, needle.as_bytes()).is_some();
    match language {
        Language::Rust => has("#[test]") || has("#[cfg(test)]"),
        Language::Python => has("def test_") || has("unittest.TestCase"),
        Language::Go => has("func Test"),
        Language::JavaScript | Language::TypeScript | Language::Tsx => {
            has("describe(") || has("it(") || has("test(")
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
        let walked = walk(root);
        let paths: Vec<&str> = walked.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, vec!["notes.txt", "src/lib.rs"]);
        let lib = &walked.files[1];
        assert_eq!(lib.language, Some("Rust"));
        assert_eq!(lib.code_lines, 3);
        assert!(lib.has_tests);
        assert_eq!(lib.markers, vec![(1, "// TODO: split this".to_owned())]);
        assert_eq!(lib.tags.as_ref().unwrap().definitions[0].name, "a");
        assert!(lib.complex_functions.is_empty(), "nothing is parsed yet");
    }

    #[test]
    fn minified_and_huge_files_are_counted_but_not_read_for_tags() {
        let dir = tempfile::tempdir().unwrap();
        let minified: String = (0..200)
            .map(|i| format!("function f{i}(a){{return a+{i}}};"))
            .collect();
        std::fs::write(dir.path().join("app.min.js"), &minified).unwrap();
        let huge = "fn f() {}\n".repeat(MAX_PARSED_BYTES / 10 + 1);
        std::fs::write(dir.path().join("huge.rs"), huge).unwrap();
        std::fs::write(dir.path().join("small.rs"), "fn f() {}\n").unwrap();
        let walked = walk(dir.path());
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
        assert!(walked.files[0].code_lines > 0);
    }

    #[test]
    fn generated_and_vendored_files_are_counted_but_not_mapped_or_reported() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("vendor/dep")).unwrap();
        std::fs::write(
            root.join("bindings.rs"),
            "/* automatically generated by rust-bindgen */\n// TODO: not ours\npub fn binding() {}\n",
        )
        .unwrap();
        std::fs::write(
            root.join("vendor/dep/lib.go"),
            "package dep\nfunc Dep() {}\n",
        )
        .unwrap();
        std::fs::write(root.join("own.rs"), "pub fn own() {}\n").unwrap();
        let walked = walk(root);
        let seen: Vec<(&str, bool, bool, u32)> = walked
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.generated, f.tags.is_some(), f.code_lines))
            .collect();
        assert_eq!(
            seen,
            vec![
                ("bindings.rs", true, false, 1),
                ("own.rs", false, true, 1),
                ("vendor/dep/lib.go", true, false, 2)
            ]
        );
        assert!(walked.files[0].markers.is_empty());
    }

    #[test]
    fn the_walk_estimates_complexity_without_parsing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("a.rs"),
            "fn flat() -> u32 { 1 }\nfn nested(v: &[u32]) -> u32 {\n    let mut t = 0;\n    for x in v {\n        if *x > 1 {\n            while t < *x { if t % 2 == 0 && t > 3 { t += 1; } else { t += 2; } }\n        }\n    }\n    t\n}\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("b.rs"), "fn flat() -> u32 { 1 }\n").unwrap();
        let walked = walk(dir.path());
        // for 1, if 2, while 3, if 4, && 1, else 1.
        assert_eq!(walked.files[0].complexity_estimate, 12);
        assert_eq!(walked.files[1].complexity_estimate, 0);
    }
}
