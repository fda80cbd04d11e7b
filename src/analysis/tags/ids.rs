//! The kind and field ids of each grammar that the tags patterns name, looked up once, so the
//! walk compares numbers, not kind names.

use std::sync::OnceLock;

use crate::analysis::Language;

/// The kind and field ids of one grammar that the patterns name (0: not in this grammar).
#[derive(Debug, Default)]
pub(super) struct Ids {
    pub(super) typescript: bool,
    // fields
    pub(super) name: u16,
    pub(super) function: u16,
    pub(super) field: u16,
    pub(super) macro_: u16,
    pub(super) trait_: u16,
    pub(super) type_: u16,
    pub(super) left: u16,
    pub(super) right: u16,
    pub(super) value: u16,
    pub(super) key: u16,
    pub(super) property: u16,
    pub(super) arguments: u16,
    pub(super) attribute: u16,
    pub(super) constructor: u16,
    // kinds
    pub(super) identifier: u16,
    pub(super) type_identifier: u16,
    pub(super) field_identifier: u16,
    pub(super) property_identifier: u16,
    pub(super) call_expression: u16,
    pub(super) field_expression: u16,
    pub(super) scoped_identifier: u16,
    pub(super) macro_invocation: u16,
    pub(super) impl_item: u16,
    pub(super) classes: [u16; 4],
    pub(super) declaration_list: u16,
    pub(super) function_item: u16,
    pub(super) trait_item: u16,
    pub(super) mod_item: u16,
    pub(super) macro_definition: u16,
    pub(super) constants: [u16; 2],
    pub(super) module: u16,
    pub(super) expression_statement: u16,
    pub(super) assignment: u16,
    pub(super) class_definition: u16,
    pub(super) function_definition: u16,
    pub(super) call: u16,
    pub(super) attribute_kind: u16,
    pub(super) method_definition: u16,
    pub(super) class: u16,
    pub(super) class_declaration: u16,
    pub(super) functions: [u16; 4],
    pub(super) declarations: [u16; 2],
    pub(super) variable_declarator: u16,
    pub(super) function_values: [u16; 2],
    pub(super) assignment_expression: u16,
    pub(super) member_expression: u16,
    pub(super) pair: u16,
    pub(super) new_expression: u16,
    pub(super) export_statement: u16,
    pub(super) constant_values: [u16; 8],
    pub(super) function_signature: u16,
    pub(super) method_signatures: [u16; 2],
    pub(super) abstract_class_declaration: u16,
    pub(super) interface_declaration: u16,
    pub(super) type_annotation: u16,
    pub(super) type_alias_declaration: u16,
    pub(super) enum_declaration: u16,
    pub(super) function_declaration: u16,
    pub(super) method_declaration: u16,
    pub(super) type_spec: u16,
    pub(super) parenthesized_expression: u16,
    pub(super) selector_expression: u16,
}

impl Ids {
    /// The ids of `language`, looked up once.
    pub(super) fn of(language: Language) -> &'static Ids {
        static IDS: [OnceLock<Ids>; Language::ALL.len()] =
            [const { OnceLock::new() }; Language::ALL.len()];
        let slot = Language::ALL
            .iter()
            .position(|l| *l == language)
            .unwrap_or_default();
        IDS[slot].get_or_init(|| Ids::load(language))
    }

    fn load(language: Language) -> Ids {
        let grammar = language.grammar();
        let k = |name: &str| grammar.id_for_node_kind(name, true);
        let f = |name: &str| grammar.field_id_for_name(name).map_or(0, |id| id.get());
        Ids {
            typescript: matches!(language, Language::TypeScript | Language::Tsx),
            name: f("name"),
            function: f("function"),
            field: f("field"),
            macro_: f("macro"),
            trait_: f("trait"),
            type_: f("type"),
            left: f("left"),
            right: f("right"),
            value: f("value"),
            key: f("key"),
            property: f("property"),
            arguments: f("arguments"),
            attribute: f("attribute"),
            constructor: f("constructor"),
            identifier: k("identifier"),
            type_identifier: k("type_identifier"),
            field_identifier: k("field_identifier"),
            property_identifier: k("property_identifier"),
            call_expression: k("call_expression"),
            field_expression: k("field_expression"),
            scoped_identifier: k("scoped_identifier"),
            macro_invocation: k("macro_invocation"),
            impl_item: k("impl_item"),
            classes: ["struct_item", "enum_item", "union_item", "type_item"].map(k),
            declaration_list: k("declaration_list"),
            function_item: k("function_item"),
            trait_item: k("trait_item"),
            mod_item: k("mod_item"),
            macro_definition: k("macro_definition"),
            constants: ["const_item", "static_item"].map(k),
            module: k("module"),
            expression_statement: k("expression_statement"),
            assignment: k("assignment"),
            class_definition: k("class_definition"),
            function_definition: k("function_definition"),
            call: k("call"),
            attribute_kind: k("attribute"),
            method_definition: k("method_definition"),
            class: k("class"),
            class_declaration: k("class_declaration"),
            functions: [
                "function_expression",
                "function_declaration",
                "generator_function",
                "generator_function_declaration",
            ]
            .map(k),
            declarations: ["lexical_declaration", "variable_declaration"].map(k),
            variable_declarator: k("variable_declarator"),
            function_values: ["arrow_function", "function_expression"].map(k),
            assignment_expression: k("assignment_expression"),
            member_expression: k("member_expression"),
            pair: k("pair"),
            new_expression: k("new_expression"),
            export_statement: k("export_statement"),
            constant_values: [
                "number",
                "string",
                "identifier",
                "undefined",
                "null",
                "new_expression",
                "binary_expression",
                "call_expression",
            ]
            .map(k),
            function_signature: k("function_signature"),
            method_signatures: ["method_signature", "abstract_method_signature"].map(k),
            abstract_class_declaration: k("abstract_class_declaration"),
            interface_declaration: k("interface_declaration"),
            type_annotation: k("type_annotation"),
            type_alias_declaration: k("type_alias_declaration"),
            enum_declaration: k("enum_declaration"),
            function_declaration: k("function_declaration"),
            method_declaration: k("method_declaration"),
            type_spec: k("type_spec"),
            parenthesized_expression: k("parenthesized_expression"),
            selector_expression: k("selector_expression"),
        }
    }
}
