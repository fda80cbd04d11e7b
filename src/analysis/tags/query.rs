//! The tags as each grammar's tree-sitter tags query finds them: what the context used before
//! [`walk`](super::walk) replaced it, kept as the reference the walk is tested (and benched)
//! against.

use std::collections::HashMap;
use std::sync::OnceLock;

use streaming_iterator::StreamingIterator;
use tree_sitter::{Node, Query, QueryCursor, Tree};

use super::{signature, Definition, FileTags};
use crate::analysis::Language;

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

/// The compiled tags query of `language`, built once, when first needed. A query that does not
/// compile (it should not) leaves that language without tags rather than failing.
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

/// The tags of `tree`, parsed from `source` in `language`, found with the tags query.
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
