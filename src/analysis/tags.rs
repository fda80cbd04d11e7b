//! Tags for the repo map, as aider extracts them: the definitions a file makes (with their
//! signatures) and the identifiers it references, found with each grammar's tree-sitter tags
//! query.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use streaming_iterator::StreamingIterator;
use tree_sitter::{Node, Parser, Query, QueryCursor, Tree};

use super::Language;

/// Longest signature kept, in characters.
const MAX_SIGNATURE_CHARS: usize = 160;

/// References the stock Rust tags query misses: paths (`module::function()`) and types, which
/// carry most of the links between Rust files.
const RUST_EXTRA: &str = r#"
(call_expression function: (scoped_identifier name: (identifier) @name)) @reference.call
((type_identifier) @name) @reference.type
(const_item name: (identifier) @name) @definition.constant
(static_item name: (identifier) @name) @definition.constant
"#;

/// Type references for TypeScript beyond its own (short) tags query.
const TYPESCRIPT_EXTRA: &str = r#"
(class_declaration name: (type_identifier) @name) @definition.class
(type_alias_declaration name: (type_identifier) @name) @definition.type
(enum_declaration name: (identifier) @name) @definition.enum
((type_identifier) @name) @reference.type
"#;

/// Go's query names types only through `type_spec`; type uses link files too.
const GO_EXTRA: &str = r#"
((type_identifier) @name) @reference.type
"#;

/// One definition: what it is called, what kind of thing it is, where, and its signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Definition {
    pub name: String,
    /// `function`, `method`, `class`, `interface`, `module`, ...
    pub kind: String,
    /// 1-based.
    pub line: u32,
    /// The definition's head up to its body, on one line.
    pub signature: String,
}

/// The tags of one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileTags {
    pub definitions: Vec<Definition>,
    /// Referenced identifiers with how often each is referenced, sorted by name.
    pub references: Vec<(String, u32)>,
}

fn query_source(language: Language) -> String {
    match language {
        Language::Rust => format!("{}\n{RUST_EXTRA}", tree_sitter_rust::TAGS_QUERY),
        Language::Python => tree_sitter_python::TAGS_QUERY.to_owned(),
        Language::JavaScript => tree_sitter_javascript::TAGS_QUERY.to_owned(),
        Language::TypeScript | Language::Tsx => format!(
            "{}\n{}\n{TYPESCRIPT_EXTRA}",
            tree_sitter_javascript::TAGS_QUERY,
            tree_sitter_typescript::TAGS_QUERY
        ),
        Language::Go => format!("{}\n{GO_EXTRA}", tree_sitter_go::TAGS_QUERY),
    }
}

/// The compiled tags query of `language`, built once, when first needed (compiling all six
/// costs more than parsing the few files a run may parse). A query that does not compile (it
/// should not) leaves that language without tags rather than failing the run.
fn query(language: Language) -> Option<&'static Query> {
    static QUERIES: [OnceLock<Option<Query>>; Language::ALL.len()] =
        [const { OnceLock::new() }; Language::ALL.len()];
    let slot = Language::ALL.iter().position(|l| *l == language)?;
    QUERIES[slot]
        .get_or_init(
            || match Query::new(&language.grammar(), &query_source(language)) {
                Ok(query) => Some(query),
                Err(e) => {
                    tracing::warn!("tags query for {} does not compile: {e}", language.name());
                    None
                }
            },
        )
        .as_ref()
}

thread_local! {
    /// Parsers are reused per thread: building one per file costs more than parsing small files.
    static PARSERS: RefCell<HashMap<Language, Parser>> = RefCell::new(HashMap::new());
}

/// The tags of `source`, a file in `language`. Unparseable text yields whatever the parser
/// recovered.
pub fn extract(language: Language, source: &[u8]) -> FileTags {
    parse(language, source)
        .map(|tree| extract_from_tree(language, &tree, source))
        .unwrap_or_default()
}

/// `source` parsed with this thread's parser for `language`, so a caller can share one tree
/// between the tags and the metrics.
pub fn parse(language: Language, source: &[u8]) -> Option<Tree> {
    PARSERS.with(|parsers| {
        let mut parsers = parsers.borrow_mut();
        let parser = match parsers.entry(language) {
            std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::hash_map::Entry::Vacant(entry) => entry.insert(language.parser()?),
        };
        parser.parse(source, None)
    })
}

/// The tags of `tree`, parsed from `source` in `language`.
pub fn extract_from_tree(language: Language, tree: &Tree, source: &[u8]) -> FileTags {
    match query(language) {
        Some(query) => collect(query, tree.root_node(), source),
        None => FileTags::default(),
    }
}

fn collect(query: &Query, root: Node<'_>, source: &[u8]) -> FileTags {
    let names = query.capture_names();
    let mut cursor = QueryCursor::new();
    let mut definitions: Vec<Definition> = Vec::new();
    let mut references: HashMap<String, u32> = HashMap::new();
    let mut matches = cursor.matches(query, root, source);
    while let Some(found) = matches.next() {
        let mut name = None;
        let mut role = None;
        for capture in found.captures {
            let capture_name = names[capture.index as usize];
            if capture_name == "name" {
                name = capture.node.utf8_text(source).ok();
            } else if let Some(kind) = capture_name.strip_prefix("definition.") {
                role = Some((true, kind, capture.node));
            } else if let Some(kind) = capture_name.strip_prefix("reference.") {
                role = Some((false, kind, capture.node));
            }
        }
        let (Some(name), Some((is_definition, kind, node))) = (name, role) else {
            continue;
        };
        if is_definition {
            let line = node.start_position().row as u32 + 1;
            if !definitions.iter().any(|d| d.name == name && d.line == line) {
                definitions.push(Definition {
                    name: name.to_owned(),
                    kind: kind.to_owned(),
                    line,
                    signature: signature(node, source),
                });
            }
        } else {
            *references.entry(name.to_owned()).or_default() += 1;
        }
    }
    definitions.sort_by_key(|d| d.line);
    let mut references: Vec<(String, u32)> = references.into_iter().collect();
    references.sort();
    FileTags {
        definitions,
        references,
    }
}

/// The definition's text up to its body (or its first line), whitespace collapsed.
fn signature(node: Node<'_>, source: &[u8]) -> String {
    let start = node.start_byte();
    let body_start = node
        .child_by_field_name("body")
        .map(|body| body.start_byte())
        .unwrap_or(node.end_byte());
    let head = source.get(start..body_start).unwrap_or_default();
    let head = String::from_utf8_lossy(head);
    let first_lines: String = if node.child_by_field_name("body").is_some() {
        head.into_owned()
    } else {
        head.lines().next().unwrap_or_default().to_owned()
    };
    let collapsed = first_lines.split_whitespace().collect::<Vec<_>>().join(" ");
    let trimmed = collapsed.trim_end_matches(['{', ':', ' ']).to_owned();
    if trimmed.chars().count() > MAX_SIGNATURE_CHARS {
        let cut: String = trimmed.chars().take(MAX_SIGNATURE_CHARS).collect();
        format!("{cut}…")
    } else {
        trimmed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tags_query_compiles() {
        for language in Language::ALL {
            assert!(query(language).is_some(), "{language:?}");
        }
    }
}
