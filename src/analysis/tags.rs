//! Tags for the repo map, as aider extracts them: the definitions a file makes (with their
//! signatures) and the identifiers it references, as each grammar's tree-sitter tags query
//! finds them (plus a few patterns of ours, [`query`]); found with one walk over the tree, which
//! costs a fraction of running the query.

use std::cell::RefCell;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use tree_sitter::{Node, Parser, Tree};

use super::Language;

mod ids;
pub mod query;
mod walk;
#[cfg(test)]
mod walk_tests;

/// Longest signature kept, in characters.
const MAX_SIGNATURE_CHARS: usize = 160;

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

/// The tags of `tree`, parsed from `source` in `language`: what the grammar's tags query finds
/// ([`query`]), from one walk over the tree.
pub fn extract_from_tree(language: Language, tree: &Tree, source: &[u8]) -> FileTags {
    walk::collect(language, tree.root_node(), source)
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
