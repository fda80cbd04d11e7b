//! The tags of a parsed file from one walk over its tree: the definitions and references the
//! tags query ([`query`](super::query)) finds, with the same names, kinds, lines, signatures,
//! counts and order, matched by node kind ids instead of the query engine (which tracks every
//! pattern's partial matches at every node, and cost about a third of parsing a file).
//!
//! Each pattern of the query is checked at its root node. Definitions keep the query's rules:
//! one per name and line, the first the query cursor would report, which is the pattern whose
//! match completes first in the walk (the node its last step matches, in document order), the
//! shallower root first when two complete on the same node (a method in an `impl` is a `method`
//! before it is a `function`); they are then sorted by line.

use rustc_hash::FxHashMap;
use tree_sitter::Node;

use super::ids::Ids;
use super::{signature, Definition, FileTags};
use crate::analysis::Language;

/// A definition as the query would match it, before duplicates are dropped.
struct Found<'t, 's> {
    /// Where the match completes (start byte and depth of that node) and the depth of the
    /// pattern's root: the order the query cursor reports matches in.
    order: (usize, u32, u32),
    name: &'s str,
    kind: &'static str,
    /// The node the pattern captures as the definition (its line and signature).
    node: Node<'t>,
}

/// What one walk collects.
struct Collector<'t, 's> {
    source: &'s [u8],
    found: Vec<Found<'t, 's>>,
    references: FxHashMap<&'s str, u32>,
}

impl<'t, 's> Collector<'t, 's> {
    fn text(&self, node: Node<'t>) -> Option<&'s str> {
        std::str::from_utf8(self.source.get(node.start_byte()..node.end_byte())?).ok()
    }

    fn reference(&mut self, name: Node<'t>, count: u32) {
        if let Some(text) = self.text(name) {
            *self.references.entry(text).or_default() += count;
        }
    }

    /// A definition named by `name`, whose match completes on `last` (a node `last_depth`
    /// below the pattern's root, at `depth`).
    fn define(
        &mut self,
        node: Node<'t>,
        name: Node<'t>,
        kind: &'static str,
        last: Node<'t>,
        (depth, last_depth): (u32, u32),
    ) {
        if let Some(text) = self.text(name) {
            self.found.push(Found {
                order: (last.start_byte(), depth + last_depth, depth),
                name: text,
                kind,
                node,
            });
        }
    }

    /// `node`'s `field` child when it is of kind `kind` (0: any named node).
    fn field(node: Node<'t>, field: u16, kind: u16) -> Option<Node<'t>> {
        if field == 0 {
            return None;
        }
        let child = node.child_by_field_id(field)?;
        let fits = if kind == 0 {
            child.is_named()
        } else {
            child.kind_id() == kind
        };
        fits.then_some(child)
    }

    /// The common pattern `(kind name: (name_kind) @name) @definition.kind`.
    fn define_named(&mut self, node: Node<'t>, depth: u32, ids: (u16, u16), kind: &'static str) {
        if let Some(name) = Self::field(node, ids.0, ids.1) {
            self.define(node, name, kind, name, (depth, 1));
        }
    }

    fn into_tags(mut self) -> FileTags {
        self.found.sort_by_key(|f| f.order);
        let mut seen: Vec<(&str, u32)> = Vec::with_capacity(self.found.len());
        let mut definitions = Vec::with_capacity(self.found.len());
        for found in &self.found {
            let line = found.node.start_position().row as u32 + 1;
            if seen.contains(&(found.name, line)) {
                continue;
            }
            seen.push((found.name, line));
            definitions.push(Definition {
                name: found.name.to_owned(),
                kind: found.kind.to_owned(),
                line,
                signature: signature(found.node, self.source),
            });
        }
        definitions.sort_by_key(|d| d.line);
        let mut references: Vec<(String, u32)> = self
            .references
            .into_iter()
            .map(|(name, count)| (name.to_owned(), count))
            .collect();
        references.sort();
        FileTags {
            definitions,
            references,
        }
    }
}

/// The tags of the tree under `root`, parsed from `source` in `language`.
pub(super) fn collect(language: Language, root: Node<'_>, source: &[u8]) -> FileTags {
    let mut collector = Collector {
        source,
        found: Vec::new(),
        references: FxHashMap::default(),
    };
    let ids = Ids::of(language);
    let mut cursor = root.walk();
    let mut depth = 0u32;
    loop {
        let node = cursor.node();
        if node.is_named() {
            match language {
                Language::Rust => ids.rust(&mut collector, node, depth),
                Language::Python => ids.python(&mut collector, node, depth),
                Language::JavaScript | Language::TypeScript | Language::Tsx => {
                    ids.javascript(&mut collector, node, depth)
                }
                Language::Go => ids.go(&mut collector, node, depth),
            }
        }
        if cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return collector.into_tags();
            }
            depth -= 1;
        }
    }
}

/// Whether `kind` is one of `kinds` (0 in `kinds` is a kind the grammar lacks: never).
fn among(kinds: &[u16], kind: u16) -> bool {
    kind != 0 && kinds.contains(&kind)
}

/// Calls `each` with every named child of `node`, in order.
fn for_named_children<'t>(node: Node<'t>, mut each: impl FnMut(Node<'t>)) {
    let mut cursor = node.walk();
    if !cursor.goto_first_child() {
        return;
    }
    loop {
        let child = cursor.node();
        if child.is_named() {
            each(child);
        }
        if !cursor.goto_next_sibling() {
            return;
        }
    }
}

type C<'c, 't, 's> = &'c mut Collector<'t, 's>;

impl Ids {
    /// tree-sitter-rust's tags query and ours (paths, types, constants).
    fn rust<'t>(&self, c: C<'_, 't, '_>, node: Node<'t>, depth: u32) {
        let kind = node.kind_id();
        let named = |field, of| Collector::field(node, field, of);
        if kind == self.type_identifier {
            c.reference(node, 1);
        } else if among(&self.classes, kind) {
            c.define_named(node, depth, (self.name, self.type_identifier), "class");
        } else if kind == self.declaration_list {
            for_named_children(node, |item| {
                if item.kind_id() == self.function_item {
                    if let Some(name) = Collector::field(item, self.name, self.identifier) {
                        c.define(item, name, "method", name, (depth, 2));
                    }
                }
            });
        } else if kind == self.function_item {
            c.define_named(node, depth, (self.name, self.identifier), "function");
        } else if kind == self.trait_item {
            c.define_named(node, depth, (self.name, self.type_identifier), "interface");
        } else if kind == self.mod_item {
            c.define_named(node, depth, (self.name, self.identifier), "module");
        } else if kind == self.macro_definition {
            c.define_named(node, depth, (self.name, self.identifier), "macro");
        } else if among(&self.constants, kind) {
            c.define_named(node, depth, (self.name, self.identifier), "constant");
        } else if kind == self.call_expression {
            if let Some(name) = named(self.function, self.identifier) {
                c.reference(name, 1);
            } else if let Some(callee) = named(self.function, self.field_expression) {
                if let Some(name) = Collector::field(callee, self.field, self.field_identifier) {
                    c.reference(name, 1);
                }
            } else if let Some(callee) = named(self.function, self.scoped_identifier) {
                if let Some(name) = Collector::field(callee, self.name, self.identifier) {
                    c.reference(name, 1);
                }
            }
        } else if kind == self.macro_invocation {
            if let Some(name) = named(self.macro_, self.identifier) {
                c.reference(name, 1);
            }
        } else if kind == self.impl_item {
            // `trait: (type_identifier)`, or `type: (type_identifier)` with no `trait`.
            let name = match node.child_by_field_id(self.trait_) {
                Some(_) => named(self.trait_, self.type_identifier),
                None => named(self.type_, self.type_identifier),
            };
            if let Some(name) = name {
                c.reference(name, 1);
            }
        }
    }

    /// tree-sitter-python's tags query.
    fn python<'t>(&self, c: C<'_, 't, '_>, node: Node<'t>, depth: u32) {
        let kind = node.kind_id();
        if kind == self.module {
            for_named_children(node, |statement| {
                if statement.kind_id() != self.expression_statement {
                    return;
                }
                for_named_children(statement, |assignment| {
                    if assignment.kind_id() != self.assignment {
                        return;
                    }
                    if let Some(name) = Collector::field(assignment, self.left, self.identifier) {
                        c.define(assignment, name, "constant", name, (depth, 3));
                    }
                });
            });
        } else if kind == self.class_definition {
            c.define_named(node, depth, (self.name, self.identifier), "class");
        } else if kind == self.function_definition {
            c.define_named(node, depth, (self.name, self.identifier), "function");
        } else if kind == self.call {
            if let Some(name) = Collector::field(node, self.function, self.identifier) {
                c.reference(name, 1);
            } else if let Some(callee) = Collector::field(node, self.function, self.attribute_kind)
            {
                if let Some(name) = Collector::field(callee, self.attribute, self.identifier) {
                    c.reference(name, 1);
                }
            }
        }
    }

    /// tree-sitter-javascript's tags query; for TypeScript, tree-sitter-typescript's too and
    /// ours (classes, type aliases, enums, types).
    fn javascript<'t>(&self, c: C<'_, 't, '_>, node: Node<'t>, depth: u32) {
        let kind = node.kind_id();
        let named = |field, of| Collector::field(node, field, of);
        if kind == self.type_identifier {
            if self.typescript {
                c.reference(node, 1);
            }
        } else if kind == self.method_definition {
            if let Some(name) = named(self.name, self.property_identifier) {
                if c.text(name) != Some("constructor") {
                    c.define(node, name, "method", name, (depth, 1));
                }
            }
        } else if kind == self.class || kind == self.class_declaration {
            c.define_named(node, depth, (self.name, 0), "class");
        } else if among(&self.functions, kind) {
            c.define_named(node, depth, (self.name, self.identifier), "function");
        } else if among(&self.declarations, kind) {
            for_named_children(node, |declarator| {
                if declarator.kind_id() != self.variable_declarator {
                    return;
                }
                let name = Collector::field(declarator, self.name, self.identifier);
                let value = Collector::field(declarator, self.value, 0)
                    .filter(|v| among(&self.function_values, v.kind_id()));
                if let (Some(name), Some(value)) = (name, value) {
                    c.define(declarator, name, "function", value, (depth, 2));
                }
            });
        } else if kind == self.assignment_expression {
            let name = named(self.left, self.identifier).or_else(|| {
                named(self.left, self.member_expression).and_then(|member| {
                    Collector::field(member, self.property, self.property_identifier)
                })
            });
            let value = named(self.right, 0).filter(|v| among(&self.function_values, v.kind_id()));
            if let (Some(name), Some(value)) = (name, value) {
                c.define(node, name, "function", value, (depth, 1));
            }
        } else if kind == self.pair {
            let name = named(self.key, self.property_identifier);
            let value = named(self.value, 0).filter(|v| among(&self.function_values, v.kind_id()));
            if let (Some(name), Some(value)) = (name, value) {
                c.define(node, name, "function", value, (depth, 1));
            }
        } else if kind == self.export_statement {
            let Some(assignment) = named(self.value, self.assignment_expression) else {
                return;
            };
            let name = Collector::field(assignment, self.left, self.identifier);
            let value = Collector::field(assignment, self.right, 0)
                .filter(|v| among(&self.constant_values, v.kind_id()));
            if let (Some(name), Some(value)) = (name, value) {
                c.define(node, name, "constant", value, (depth, 2));
            }
        } else if kind == self.call_expression {
            if let Some(name) = named(self.function, self.identifier) {
                if c.text(name) != Some("require") {
                    c.reference(name, 1);
                }
            } else if let Some(callee) = named(self.function, self.member_expression) {
                let name = Collector::field(callee, self.property, self.property_identifier);
                if let (Some(name), Some(_)) = (name, named(self.arguments, 0)) {
                    c.reference(name, 1);
                }
            }
        } else if kind == self.new_expression {
            if let Some(name) = named(self.constructor, 0) {
                let typescript_too = self.typescript && name.kind_id() == self.identifier;
                c.reference(name, if typescript_too { 2 } else { 1 });
            }
        } else if self.typescript {
            self.typescript_only(c, node, depth);
        }
    }

    /// tree-sitter-typescript's own patterns and ours.
    fn typescript_only<'t>(&self, c: C<'_, 't, '_>, node: Node<'t>, depth: u32) {
        let kind = node.kind_id();
        let (name, identifier, type_identifier) =
            (self.name, self.identifier, self.type_identifier);
        if kind == self.function_signature {
            c.define_named(node, depth, (name, identifier), "function");
        } else if among(&self.method_signatures, kind) {
            c.define_named(node, depth, (name, self.property_identifier), "method");
        } else if kind == self.abstract_class_declaration {
            c.define_named(node, depth, (name, type_identifier), "class");
        } else if kind == self.module {
            c.define_named(node, depth, (name, identifier), "module");
        } else if kind == self.interface_declaration {
            c.define_named(node, depth, (name, type_identifier), "interface");
        } else if kind == self.type_alias_declaration {
            c.define_named(node, depth, (name, type_identifier), "type");
        } else if kind == self.enum_declaration {
            c.define_named(node, depth, (name, identifier), "enum");
        } else if kind == self.type_annotation {
            for_named_children(node, |child| {
                if child.kind_id() == type_identifier {
                    c.reference(child, 1);
                }
            });
        }
    }

    /// tree-sitter-go's tags query and ours (types).
    fn go<'t>(&self, c: C<'_, 't, '_>, node: Node<'t>, depth: u32) {
        let kind = node.kind_id();
        if kind == self.type_identifier {
            // The stock query's pattern and ours both match.
            c.reference(node, 2);
        } else if kind == self.function_declaration {
            c.define_named(node, depth, (self.name, self.identifier), "function");
        } else if kind == self.method_declaration {
            c.define_named(node, depth, (self.name, self.field_identifier), "method");
        } else if kind == self.type_spec {
            c.define_named(node, depth, (self.name, self.type_identifier), "type");
        } else if kind == self.call_expression {
            let Some(callee) = Collector::field(node, self.function, 0) else {
                return;
            };
            let selected = |selector: Node<'t>| {
                (selector.kind_id() == self.selector_expression)
                    .then(|| Collector::field(selector, self.field, self.field_identifier))
                    .flatten()
            };
            if callee.kind_id() == self.identifier {
                c.reference(callee, 1);
            } else if let Some(name) = selected(callee) {
                c.reference(name, 1);
            } else if callee.kind_id() == self.parenthesized_expression {
                for_named_children(callee, |inner| {
                    if inner.kind_id() == self.identifier {
                        c.reference(inner, 1);
                    } else if let Some(name) = selected(inner) {
                        c.reference(name, 1);
                    }
                });
            }
        }
    }
}
