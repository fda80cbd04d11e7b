//! Per-function complexity from one walk over the syntax tree.
//!
//! - Cyclomatic complexity (McCabe): 1 + the decision points of the function: each `if` and
//!   else-if, loop, ternary, catch clause, comprehension clause, short-circuit `&&`/`||`/`and`/`or`
//!   operator, match guard, and each switch arm but `default` (an exhaustive Rust `match` of n
//!   arms adds n - 1, since its n arms are n paths). Rust's `?` is not counted: it is the idiom that
//!   replaces an explicit error branch, and counting it would penalise the better code.
//! - Cognitive complexity (SonarSource, "Cognitive Complexity", G. Ann Campbell, 2017): +1 for
//!   each `if`, else-if, `else`, ternary, switch (once, not per arm), loop, catch, labelled
//!   `break`/`continue`, and each sequence of like boolean operators (`a && b && c` is +1,
//!   `a && b || c` is +2); `if`, ternary, switch, loop and catch add their nesting level on
//!   top. The nesting level rises inside those structures' bodies and inside lambdas/closures;
//!   conditions stay at the structure's own level. Recursion is not counted.
//! - Maximum nesting depth: the deepest nesting level reached inside the function.
//!
//! Named nested functions are measured on their own and not added to their parent; anonymous
//! functions (closures, lambdas, callbacks) belong to the function they are written in. The
//! walk keeps its own stack, so deep trees cannot overflow the thread's stack.

use tree_sitter::Node;

use super::syntax::{role, Kinds, Syntax};
use crate::analysis::Language;

/// The raw complexity figures of one function (or of the code outside every function).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Complexity {
    /// Decision points counted (every arm of a switch among them).
    pub decisions: u32,
    /// Exhaustive switches seen: each has one decision fewer than it has arms.
    pub exhaustive_switches: u32,
    pub cognitive: u32,
    pub max_nesting: u32,
}

impl Complexity {
    /// McCabe's decision points; cyclomatic complexity is this + 1 for a function.
    pub fn decision_points(&self) -> u32 {
        self.decisions.saturating_sub(self.exhaustive_switches)
    }
}

/// A function found in the tree, with its complexity.
#[derive(Debug, Clone)]
pub(super) struct FunctionSite<'tree> {
    pub node: Node<'tree>,
    pub name: String,
    pub complexity: Complexity,
}

/// Where a node sits: which function it belongs to and how deeply it is nested.
#[derive(Debug, Clone, Copy)]
struct Visit<'tree> {
    node: Node<'tree>,
    nesting: u32,
    /// Index into the functions found so far; None for code outside every function.
    function: Option<usize>,
    /// The node is the `alternative` of an `if` (an else-if or an else).
    alternative: bool,
}

/// Every function of the tree with its complexity, in source order, and the complexity of the
/// code outside all functions.
pub(super) fn analyse<'tree>(
    root: Node<'tree>,
    source: &[u8],
    language: Language,
) -> (Vec<FunctionSite<'tree>>, Complexity) {
    let mut walk = Walk {
        syntax: Syntax::of(language),
        kinds: Kinds::of(language),
        source,
        functions: Vec::new(),
        top_level: Complexity::default(),
        stack: vec![Visit {
            node: root,
            nesting: 0,
            function: None,
            alternative: false,
        }],
    };
    while let Some(visit) = walk.stack.pop() {
        walk.visit(visit);
    }
    walk.functions.sort_by_key(|f| f.node.start_byte());
    (walk.functions, walk.top_level)
}

struct Walk<'tree, 's> {
    syntax: &'static Syntax,
    kinds: &'static Kinds,
    source: &'s [u8],
    functions: Vec<FunctionSite<'tree>>,
    top_level: Complexity,
    stack: Vec<Visit<'tree>>,
}

impl<'tree> Walk<'tree, '_> {
    fn visit(&mut self, at: Visit<'tree>) {
        let kind = at.node.kind_id();
        let kinds = self.kinds;
        let has = |roles| kinds.has(kind, roles);
        // Anonymous nodes are tokens (Python's `lambda` keyword shares its node's kind).
        if !at.node.is_named() || has(role::COMMENT) {
            return;
        }
        if let Some(name) = self.function_name(at.node) {
            self.functions.push(FunctionSite {
                node: at.node,
                name,
                complexity: Complexity::default(),
            });
            let index = self.functions.len() - 1;
            self.push_children(at, |_| 0, Some(index));
            return;
        }
        if at.alternative {
            self.visit_alternative(at);
        } else if has(role::IF | role::ELSE_IF) {
            let else_if = has(role::ELSE_IF);
            self.visit_if(at, else_if);
        } else if has(role::LAMBDA) {
            self.nest(at, 1);
            self.push_children(at, |_| 1, at.function);
        } else if has(role::LOOP | role::CATCH | role::TERNARY) {
            self.add(at, 1, 1 + at.nesting);
            self.nested_structure(at);
        } else if has(role::SWITCH) {
            self.add(at, 0, 1 + at.nesting);
            if has(role::EXHAUSTIVE_SWITCH) {
                // n exhaustive arms are n - 1 decisions; the arms each add one below.
                self.subtract_decision(at);
            }
            self.nested_structure(at);
        } else {
            self.visit_plain(at, kind);
        }
    }

    /// Nodes that add no nesting: arms, comprehension clauses, boolean operators, jumps.
    fn visit_plain(&mut self, at: Visit<'tree>, kind: u16) {
        let kinds = self.kinds;
        let has = |roles| kinds.has(kind, roles);
        if has(role::CASE | role::COMPREHENSION_CLAUSE) {
            self.add(at, 1, 0);
        } else if has(role::GUARDED_PATTERN) && at.node.child_by_field_name("condition").is_some() {
            // A match guard is one more condition on its arm.
            self.add(at, 1, 0);
        } else if let Some(operator) = self.logical_operator(at.node) {
            let starts_sequence = at
                .node
                .parent()
                .and_then(|parent| self.logical_operator(parent))
                .is_none();
            let sequences = if starts_sequence {
                self.operator_sequences(at.node, operator)
            } else {
                0
            };
            self.add(at, 1, sequences);
        } else if has(role::JUMP) && self.has_child_of_kind(at.node, role::LABEL) {
            self.add(at, 0, 1);
        }
        self.push_children(at, |_| 0, at.function);
    }

    /// An `if` (or `elif`): +1 plus nesting unless it continues an else chain.
    fn visit_if(&mut self, at: Visit<'tree>, else_if: bool) {
        let increment = if else_if { 1 } else { 1 + at.nesting };
        self.add(at, 1, increment);
        self.nest(at, 1);
        let mut cursor = at.node.walk();
        let start = self.stack.len();
        let kinds = self.kinds;
        if cursor.goto_first_child() {
            loop {
                let node = cursor.node();
                let field = cursor.field_id().map(|id| id.get());
                let (depth, alternative) = match field {
                    Some(id) if kinds.branch_fields.contains(&id) => (1, false),
                    Some(id) if id == kinds.alternative_field => (0, true),
                    _ => (0, false),
                };
                self.stack.push(Visit {
                    node,
                    nesting: at.nesting + depth,
                    function: at.function,
                    alternative,
                });
                if !cursor.goto_next_sibling() {
                    break;
                }
            }
        }
        self.stack[start..].reverse();
    }

    /// The `alternative` of an `if`: an else-if continues the chain, an `else` adds one.
    fn visit_alternative(&mut self, at: Visit<'tree>) {
        let kinds = self.kinds;
        let kind = at.node.kind_id();
        if kinds.has(kind, role::IF | role::ELSE_IF) {
            return self.visit_if(
                Visit {
                    alternative: false,
                    ..at
                },
                true,
            );
        }
        if kinds.has(kind, role::ELSE_CLAUSE) {
            let mut cursor = at.node.walk();
            let statements: Vec<Node<'tree>> = at
                .node
                .named_children(&mut cursor)
                .filter(|n| !kinds.has(n.kind_id(), role::COMMENT))
                .collect();
            if let [only] = statements.as_slice() {
                if kinds.has(only.kind_id(), role::IF) {
                    self.stack.push(Visit { node: *only, ..at });
                    return;
                }
            }
        }
        // A plain `else`: +1 without nesting, its body one level deeper.
        self.add(at, 0, 1);
        self.nest(at, 1);
        self.push_children(at, |_| 1, at.function);
    }

    /// Children of a loop, switch, catch or ternary: the condition at the structure's level,
    /// the body one deeper.
    fn nested_structure(&mut self, at: Visit<'tree>) {
        self.nest(at, 1);
        let conditions = &self.kinds.condition_fields;
        self.push_children(
            at,
            |field| match field {
                Some(field) if conditions.contains(&field) => 0,
                _ => 1,
            },
            at.function,
        );
    }

    fn push_children(
        &mut self,
        at: Visit<'tree>,
        depth_of: impl Fn(Option<u16>) -> u32,
        function: Option<usize>,
    ) {
        let mut cursor = at.node.walk();
        if !cursor.goto_first_child() {
            return;
        }
        let base = if function == at.function {
            at.nesting
        } else {
            0
        };
        let start = self.stack.len();
        loop {
            self.stack.push(Visit {
                node: cursor.node(),
                nesting: base + depth_of(cursor.field_id().map(|id| id.get())),
                function,
                alternative: false,
            });
            if !cursor.goto_next_sibling() {
                break;
            }
        }
        // Popped first child first.
        self.stack[start..].reverse();
    }

    fn target(&mut self, function: Option<usize>) -> &mut Complexity {
        match function.and_then(|i| self.functions.get_mut(i)) {
            Some(site) => &mut site.complexity,
            None => &mut self.top_level,
        }
    }

    fn add(&mut self, at: Visit<'tree>, decisions: u32, cognitive: u32) {
        let target = self.target(at.function);
        target.decisions += decisions;
        target.cognitive += cognitive;
    }

    fn subtract_decision(&mut self, at: Visit<'tree>) {
        self.target(at.function).exhaustive_switches += 1;
    }

    fn nest(&mut self, at: Visit<'tree>, depth: u32) {
        let target = self.target(at.function);
        target.max_nesting = target.max_nesting.max(at.nesting + depth);
    }

    /// The name of a node that is a named function, None for anything else.
    fn function_name(&self, node: Node<'tree>) -> Option<String> {
        let kinds = self.kinds;
        let kind = node.kind_id();
        if kinds.has(kind, role::FUNCTION) {
            node.child_by_field_name("body")?;
            let name = node
                .child_by_field_name("name")
                .map(|n| self.text(n))
                .unwrap_or_else(|| "<anonymous>".to_owned());
            return Some(name);
        }
        if kinds.has(kind, role::BINDABLE_FUNCTION) {
            let parent = node.parent()?;
            if kinds.has(parent.kind_id(), role::BINDER) {
                let binding = parent.child_by_field_name("name")?;
                if binding.kind().ends_with("identifier") {
                    return Some(self.text(binding));
                }
            }
        }
        None
    }

    /// The short-circuit operator of a boolean binary expression.
    fn logical_operator(&self, node: Node<'tree>) -> Option<&'static str> {
        if !self.kinds.has(node.kind_id(), role::BINARY_EXPRESSION) {
            return None;
        }
        let operator = node.child_by_field_name("operator")?.kind();
        self.syntax
            .logical_operators
            .iter()
            .find(|op| **op == operator)
            .copied()
    }

    /// How many runs of like operators a boolean expression has: `a && b && c` is one,
    /// `a && b || c` two. Operands in parentheses start sequences of their own.
    fn operator_sequences(&self, root: Node<'tree>, root_operator: &'static str) -> u32 {
        // The operators of the chain (operands that are themselves boolean operations without
        // parentheses), put back in source order.
        let mut operators: Vec<(usize, &'static str)> = Vec::new();
        let mut pending = vec![(root, root_operator)];
        while let Some((node, operator)) = pending.pop() {
            let position = node
                .child_by_field_name("operator")
                .map(|op| op.start_byte())
                .unwrap_or_default();
            operators.push((position, operator));
            for field in ["left", "right"] {
                if let Some(child) = node.child_by_field_name(field) {
                    if let Some(op) = self.logical_operator(child) {
                        pending.push((child, op));
                    }
                }
            }
        }
        operators.sort_by_key(|(position, _)| *position);
        let operators: Vec<&str> = operators.into_iter().map(|(_, op)| op).collect();
        let changes = operators
            .windows(2)
            .filter(|pair| pair[0] != pair[1])
            .count();
        u32::try_from(changes + 1).unwrap_or(u32::MAX)
    }

    fn has_child_of_kind(&self, node: Node<'_>, roles: u32) -> bool {
        let mut cursor = node.walk();
        let found = node
            .children(&mut cursor)
            .any(|c| self.kinds.has(c.kind_id(), roles));
        found
    }

    fn text(&self, node: Node<'tree>) -> String {
        node.utf8_text(self.source).unwrap_or_default().to_owned()
    }
}
