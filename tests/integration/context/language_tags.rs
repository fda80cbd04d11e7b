//! Tags for each language from fixture files, and the lexical pass against tree-sitter: on the
//! fixtures, on this repository's own sources, and in the ranking the map is built from.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use automaintainer::analysis::tags::{self, FileTags};
use automaintainer::analysis::{lexical, Language};
use automaintainer::context::repo_map::{self, MapInput};

fn fixture_tags(name: &str) -> FileTags {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tags")
        .join(name);
    let language = Language::of_path(&path).unwrap();
    tags::extract(language, &std::fs::read(&path).unwrap())
}

fn definitions(tags: &FileTags) -> BTreeSet<(String, String)> {
    tags.definitions
        .iter()
        .map(|d| (d.name.clone(), d.kind.clone()))
        .collect()
}

fn references(tags: &FileTags) -> BTreeSet<&str> {
    tags.references
        .iter()
        .map(|(name, _)| name.as_str())
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    items
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn tags_for_rust() {
    let tags = fixture_tags("shapes.rs");
    let defs = definitions(&tags);
    for expected in pairs(&[
        ("Circle", "class"),
        ("Area", "interface"),
        ("square", "function"),
        ("describe", "function"),
    ]) {
        assert!(defs.contains(&expected), "{expected:?} in {defs:?}");
    }
    assert!(
        defs.iter()
            .any(|(name, kind)| name == "area" && kind == "method"),
        "{defs:?}"
    );
    let refs = references(&tags);
    for name in ["square", "area", "Circle", "format"] {
        assert!(refs.contains(name), "{name} in {refs:?}");
    }
    let square = tags
        .definitions
        .iter()
        .find(|d| d.name == "square")
        .unwrap();
    assert_eq!(square.signature, "pub fn square(x: f64) -> f64");
    assert_eq!(square.line, 15);
}

#[test]
fn tags_for_python() {
    let tags = fixture_tags("inventory.py");
    assert_eq!(
        definitions(&tags),
        pairs(&[
            ("Inventory", "class"),
            ("__init__", "function"),
            ("add_item", "function"),
            ("total_count", "function")
        ])
    );
    assert!(references(&tags).contains("total_count"));
    let add = tags
        .definitions
        .iter()
        .find(|d| d.name == "add_item")
        .unwrap();
    assert_eq!(add.signature, "def add_item(self, name, count)");
}

#[test]
fn tags_for_javascript() {
    let tags = fixture_tags("cart.js");
    let defs = definitions(&tags);
    for expected in pairs(&[
        ("Cart", "class"),
        ("addLine", "method"),
        ("computeTotal", "function"),
    ]) {
        assert!(defs.contains(&expected), "{expected:?} in {defs:?}");
    }
    assert!(references(&tags).contains("computeTotal"));
}

#[test]
fn tags_for_typescript() {
    let tags = fixture_tags("user.ts");
    let defs = definitions(&tags);
    for expected in pairs(&[
        ("User", "interface"),
        ("greet", "function"),
        ("formatName", "function"),
    ]) {
        assert!(defs.contains(&expected), "{expected:?} in {defs:?}");
    }
    let refs = references(&tags);
    assert!(
        refs.contains("User") && refs.contains("formatName"),
        "{refs:?}"
    );
    let greet = tags.definitions.iter().find(|d| d.name == "greet").unwrap();
    assert_eq!(greet.signature, "function greet(user: User): string");
}

#[test]
fn tags_for_go() {
    let tags = fixture_tags("server.go");
    let defs = definitions(&tags);
    for expected in pairs(&[
        ("Server", "type"),
        ("NewServer", "function"),
        ("Address", "method"),
        ("validate", "function"),
    ]) {
        assert!(defs.contains(&expected), "{expected:?} in {defs:?}");
    }
    let refs = references(&tags);
    assert!(
        refs.contains("validate") && refs.contains("Server"),
        "{refs:?}"
    );
}

/// Every definition tree-sitter finds in the fixtures the lexical pass finds too (same name,
/// line and kind), and every reference to a name defined in them: the references that become
/// edges.
#[test]
fn the_lexical_pass_finds_what_tree_sitter_finds_in_the_fixtures() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tags");
    let mut parsed = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let language = Language::of_path(&path).unwrap();
        let source = std::fs::read(&path).unwrap();
        let full = tags::extract(language, &source);
        let lexed = lexical::scan(language, &source).tags;
        parsed.push((path, full, lexed));
    }
    assert_eq!(parsed.len(), 5);
    let defined: BTreeSet<String> = parsed
        .iter()
        .flat_map(|(_, full, _)| full.definitions.iter().map(|d| d.name.clone()))
        .collect();
    for (path, full, lexed) in &parsed {
        let lexical_definitions: BTreeSet<(&str, u32, &str)> = lexed
            .definitions
            .iter()
            .map(|d| (d.name.as_str(), d.line, d.kind.as_str()))
            .collect();
        for d in &full.definitions {
            assert!(
                lexical_definitions.contains(&(d.name.as_str(), d.line, d.kind.as_str())),
                "{}: {d:?} not in {lexical_definitions:?}",
                path.display()
            );
        }
        let lexical_references = references(lexed);
        for name in references(full)
            .into_iter()
            .filter(|n| defined.contains(*n))
        {
            assert!(
                lexical_references.contains(name),
                "{}: {name} not in {lexical_references:?}",
                path.display()
            );
        }
    }
}

/// (path, tree-sitter tags, lexical tags) of every Rust file under this repository's `src/`:
/// real code, written by others than the lexical pass's author's tests.
fn own_sources() -> Vec<(String, FileTags, FileTags)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    let mut dirs = vec![root.join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let source = std::fs::read(&path).unwrap();
                let relative = path.strip_prefix(root).unwrap().display().to_string();
                files.push((
                    relative,
                    tags::extract(Language::Rust, &source),
                    lexical::scan(Language::Rust, &source).tags,
                ));
            }
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(files.len() > 100, "{}", files.len());
    files
}

/// On this repository's own sources the lexical pass finds nearly every definition the tags
/// query finds, and nearly every reference that links two files.
#[test]
fn the_lexical_pass_agrees_with_tree_sitter_on_real_code() {
    let files = own_sources();
    let defined: BTreeSet<&str> = files
        .iter()
        .flat_map(|(_, full, _)| full.definitions.iter().map(|d| d.name.as_str()))
        .collect();
    let (mut definitions, mut found_definitions) = (0usize, 0usize);
    let (mut links, mut found_links) = (0usize, 0usize);
    for (_, full, lexed) in &files {
        let lexical: BTreeSet<(&str, u32)> = lexed
            .definitions
            .iter()
            .map(|d| (d.name.as_str(), d.line))
            .collect();
        definitions += full.definitions.len();
        found_definitions += full
            .definitions
            .iter()
            .filter(|d| lexical.contains(&(d.name.as_str(), d.line)))
            .count();
        let lexical_references = references(lexed);
        for name in references(full).into_iter().filter(|n| defined.contains(n)) {
            links += 1;
            found_links += usize::from(lexical_references.contains(name));
        }
    }
    let definition_recall = found_definitions as f64 / definitions as f64;
    let link_recall = found_links as f64 / links as f64;
    assert!(
        definition_recall >= 0.99,
        "{found_definitions} of {definitions} definitions"
    );
    assert!(link_recall >= 0.95, "{found_links} of {links} links");
}

/// Ranked on lexical tags, this repository's own map puts the same files on top as ranked on
/// the tags of a full parse.
#[test]
fn the_lexical_ranking_agrees_with_the_full_parse_one() {
    let files = own_sources();
    let none = HashSet::new();
    let top = |lexical: bool| -> Vec<String> {
        let input = MapInput {
            files: files
                .iter()
                .map(|(path, full, lexed)| (path.as_str(), if lexical { lexed } else { full }))
                .collect(),
            focus_files: &none,
            mentioned: &none,
            budget: 2048,
        };
        let map = repo_map::build(&input, &mut |asked: &[usize]| {
            asked.iter().map(|&i| files[i].1.clone()).collect()
        });
        map.ranked_files
            .iter()
            .take(10)
            .map(|f| f.path.clone())
            .collect()
    };
    let (full, lexical) = (top(false), top(true));
    let shared = full.iter().filter(|p| lexical.contains(p)).count();
    assert!(shared >= 7, "full {full:?}\nlexical {lexical:?}");
}
