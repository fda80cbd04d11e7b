//! Per-language tables of the tree-sitter node kinds the metrics care about: which nodes are
//! functions, branches, loops, switches and so on. Adding a language means adding one table.

use crate::analysis::Language;

/// The node kinds of one grammar, grouped by the role they play in the metrics.
#[derive(Debug)]
pub(super) struct Syntax {
    /// Named function-like definitions, each measured as its own function.
    pub functions: &'static [&'static str],
    /// Function expressions that count as named functions when bound to a name
    /// (`const f = () => ...`); elsewhere they are anonymous like lambdas.
    pub bindable_functions: &'static [&'static str],
    /// Node kinds whose `name` field names a bindable function assigned to it.
    pub binders: &'static [&'static str],
    /// Anonymous functions (closures, lambdas): part of the enclosing function, one level deeper.
    pub lambdas: &'static [&'static str],
    pub ifs: &'static [&'static str],
    /// An `elif`-style clause: an else-if that is not an `if` node itself.
    pub else_ifs: &'static [&'static str],
    /// The clause holding an `else` branch (or an else-if, when it wraps an `if`).
    pub else_clauses: &'static [&'static str],
    pub loops: &'static [&'static str],
    /// Multi-way branches (switch, match, select): one cognitive increment for the whole.
    pub switches: &'static [&'static str],
    /// Switches whose arms are exhaustive, so n arms are n paths and n - 1 decisions.
    pub exhaustive_switches: &'static [&'static str],
    /// Arms of a switch that add a path (not `default`).
    pub cases: &'static [&'static str],
    /// Patterns whose `condition` field is a guard (`Some(x) if x > 0 =>`).
    pub guarded_patterns: &'static [&'static str],
    pub catches: &'static [&'static str],
    pub ternaries: &'static [&'static str],
    /// Comprehension clauses (`for ... in`, `if ...` inside `[...]`): one path each.
    pub comprehension_clauses: &'static [&'static str],
    /// Binary-expression kinds that may hold a short-circuit boolean operator.
    pub binary_expressions: &'static [&'static str],
    pub logical_operators: &'static [&'static str],
    /// `break` / `continue` kinds; with a label child they jump and count.
    pub jumps: &'static [&'static str],
    pub labels: &'static [&'static str],
    pub comments: &'static [&'static str],
    /// Literals counted as one Halstead operand, not as their quote and content tokens.
    pub literals: &'static [&'static str],
    /// Parameter-list children that are not parameters (separators, `self`).
    pub non_parameters: &'static [&'static str],
    /// Whether a string statement opening a body is a docstring (counted as a comment).
    pub docstrings: bool,
}

/// Fields of a control structure that are evaluated at the structure's own nesting level
/// (its condition, scrutinee, iterable); every other child is one level deeper.
pub(super) const CONDITION_FIELDS: &[&str] = &[
    "condition",
    "value",
    "left",
    "right",
    "initializer",
    "increment",
    "update",
    "pattern",
    "parameter",
];

const RUST: Syntax = Syntax {
    functions: &["function_item"],
    bindable_functions: &[],
    binders: &[],
    lambdas: &["closure_expression"],
    ifs: &["if_expression"],
    else_ifs: &[],
    else_clauses: &["else_clause"],
    loops: &["for_expression", "while_expression", "loop_expression"],
    switches: &["match_expression"],
    exhaustive_switches: &["match_expression"],
    cases: &["match_arm"],
    guarded_patterns: &["match_pattern"],
    catches: &[],
    ternaries: &[],
    comprehension_clauses: &[],
    binary_expressions: &["binary_expression"],
    logical_operators: &["&&", "||"],
    jumps: &["break_expression", "continue_expression"],
    labels: &["label"],
    comments: &["line_comment", "block_comment"],
    literals: &["string_literal", "raw_string_literal", "char_literal"],
    non_parameters: &[
        "self_parameter",
        "line_comment",
        "block_comment",
        "attribute_item",
    ],
    docstrings: false,
};

const PYTHON: Syntax = Syntax {
    functions: &["function_definition"],
    bindable_functions: &[],
    binders: &[],
    lambdas: &["lambda"],
    ifs: &["if_statement"],
    else_ifs: &["elif_clause"],
    else_clauses: &["else_clause"],
    loops: &["for_statement", "while_statement"],
    switches: &["match_statement"],
    exhaustive_switches: &[],
    cases: &["case_clause"],
    guarded_patterns: &[],
    catches: &["except_clause", "except_group_clause"],
    ternaries: &["conditional_expression"],
    comprehension_clauses: &["for_in_clause", "if_clause"],
    binary_expressions: &["boolean_operator"],
    logical_operators: &["and", "or"],
    jumps: &[],
    labels: &[],
    comments: &["comment"],
    literals: &["string", "concatenated_string"],
    non_parameters: &["keyword_separator", "positional_separator", "comment"],
    docstrings: true,
};

const JAVASCRIPT: Syntax = Syntax {
    functions: &[
        "function_declaration",
        "generator_function_declaration",
        "method_definition",
    ],
    bindable_functions: &[
        "arrow_function",
        "function_expression",
        "generator_function",
    ],
    binders: &[
        "variable_declarator",
        "public_field_definition",
        "field_definition",
    ],
    lambdas: &[
        "arrow_function",
        "function_expression",
        "generator_function",
    ],
    ifs: &["if_statement"],
    else_ifs: &[],
    else_clauses: &["else_clause"],
    loops: &[
        "for_statement",
        "for_in_statement",
        "while_statement",
        "do_statement",
    ],
    switches: &["switch_statement"],
    exhaustive_switches: &[],
    cases: &["switch_case"],
    guarded_patterns: &[],
    catches: &["catch_clause"],
    ternaries: &["ternary_expression"],
    comprehension_clauses: &[],
    binary_expressions: &["binary_expression"],
    logical_operators: &["&&", "||"],
    jumps: &["break_statement", "continue_statement"],
    labels: &["statement_identifier"],
    comments: &["comment", "html_comment"],
    literals: &["string", "template_string", "regex"],
    non_parameters: &["comment"],
    docstrings: false,
};

const GO: Syntax = Syntax {
    functions: &["function_declaration", "method_declaration"],
    bindable_functions: &[],
    binders: &[],
    lambdas: &["func_literal"],
    ifs: &["if_statement"],
    else_ifs: &[],
    else_clauses: &[],
    loops: &["for_statement"],
    switches: &[
        "expression_switch_statement",
        "type_switch_statement",
        "select_statement",
    ],
    exhaustive_switches: &[],
    cases: &["expression_case", "type_case", "communication_case"],
    guarded_patterns: &[],
    catches: &[],
    ternaries: &[],
    comprehension_clauses: &[],
    binary_expressions: &["binary_expression"],
    logical_operators: &["&&", "||"],
    jumps: &["break_statement", "continue_statement"],
    labels: &["label_name"],
    comments: &["comment"],
    literals: &[
        "interpreted_string_literal",
        "raw_string_literal",
        "rune_literal",
    ],
    non_parameters: &["comment"],
    docstrings: false,
};

impl Syntax {
    pub fn of(language: Language) -> &'static Syntax {
        match language {
            Language::Rust => &RUST,
            Language::Python => &PYTHON,
            // TypeScript's grammar extends JavaScript's; the control-flow kinds are the same.
            Language::JavaScript | Language::TypeScript | Language::Tsx => &JAVASCRIPT,
            Language::Go => &GO,
        }
    }
}

pub(super) fn is(kinds: &[&str], kind: &str) -> bool {
    kinds.contains(&kind)
}

/// A [`Syntax`] turned into numbers for one grammar: the roles of each node kind id and the
/// ids of the fields the walk asks about, so the complexity walk compares integers, not names
/// (it asked a dozen name lists about every node).
#[derive(Debug)]
pub(super) struct Kinds {
    /// Role bits per kind id ([`role`]).
    roles: Vec<u32>,
    /// Field ids of [`CONDITION_FIELDS`].
    pub condition_fields: Vec<u16>,
    /// `consequence` and `body`: an `if`'s branches, one level deeper.
    pub branch_fields: [u16; 2],
    pub alternative_field: u16,
}

/// The role bits of [`Kinds`]: one per list of [`Syntax`] the complexity walk asks about.
pub(super) mod role {
    pub const COMMENT: u32 = 1;
    pub const FUNCTION: u32 = 1 << 1;
    pub const BINDABLE_FUNCTION: u32 = 1 << 2;
    pub const BINDER: u32 = 1 << 3;
    pub const LAMBDA: u32 = 1 << 4;
    pub const IF: u32 = 1 << 5;
    pub const ELSE_IF: u32 = 1 << 6;
    pub const ELSE_CLAUSE: u32 = 1 << 7;
    pub const LOOP: u32 = 1 << 8;
    pub const SWITCH: u32 = 1 << 9;
    pub const EXHAUSTIVE_SWITCH: u32 = 1 << 10;
    pub const CASE: u32 = 1 << 11;
    pub const GUARDED_PATTERN: u32 = 1 << 12;
    pub const CATCH: u32 = 1 << 13;
    pub const TERNARY: u32 = 1 << 14;
    pub const COMPREHENSION_CLAUSE: u32 = 1 << 15;
    pub const BINARY_EXPRESSION: u32 = 1 << 16;
    pub const JUMP: u32 = 1 << 17;
    pub const LABEL: u32 = 1 << 18;
}

impl Kinds {
    /// The kinds of `language`'s grammar, built once.
    pub fn of(language: Language) -> &'static Kinds {
        static KINDS: [std::sync::OnceLock<Kinds>; Language::ALL.len()] =
            [const { std::sync::OnceLock::new() }; Language::ALL.len()];
        let slot = Language::ALL
            .iter()
            .position(|l| *l == language)
            .unwrap_or_default();
        KINDS[slot].get_or_init(|| Kinds::load(language))
    }

    fn load(language: Language) -> Kinds {
        let grammar = language.grammar();
        let s = Syntax::of(language);
        let lists: [(&[&str], u32); 19] = [
            (s.comments, role::COMMENT),
            (s.functions, role::FUNCTION),
            (s.bindable_functions, role::BINDABLE_FUNCTION),
            (s.binders, role::BINDER),
            (s.lambdas, role::LAMBDA),
            (s.ifs, role::IF),
            (s.else_ifs, role::ELSE_IF),
            (s.else_clauses, role::ELSE_CLAUSE),
            (s.loops, role::LOOP),
            (s.switches, role::SWITCH),
            (s.exhaustive_switches, role::EXHAUSTIVE_SWITCH),
            (s.cases, role::CASE),
            (s.guarded_patterns, role::GUARDED_PATTERN),
            (s.catches, role::CATCH),
            (s.ternaries, role::TERNARY),
            (s.comprehension_clauses, role::COMPREHENSION_CLAUSE),
            (s.binary_expressions, role::BINARY_EXPRESSION),
            (s.jumps, role::JUMP),
            (s.labels, role::LABEL),
        ];
        let roles = (0..grammar.node_kind_count())
            .map(|id| {
                let name = u16::try_from(id)
                    .ok()
                    .and_then(|id| grammar.node_kind_for_id(id))
                    .unwrap_or_default();
                lists
                    .iter()
                    .filter(|(list, _)| is(list, name))
                    .fold(0, |bits, (_, bit)| bits | bit)
            })
            .collect();
        let field = |name: &str| grammar.field_id_for_name(name).map_or(0, |id| id.get());
        Kinds {
            roles,
            condition_fields: CONDITION_FIELDS
                .iter()
                .map(|name| field(name))
                .filter(|id| *id != 0)
                .collect(),
            branch_fields: [field("consequence"), field("body")],
            alternative_field: field("alternative"),
        }
    }

    /// Whether kind id `kind` has any of the role bits `roles`.
    pub fn has(&self, kind: u16, roles: u32) -> bool {
        self.roles
            .get(usize::from(kind))
            .is_some_and(|bits| bits & roles != 0)
    }
}
