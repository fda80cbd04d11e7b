//! Definitions and references from a file's tokens, as the tree-sitter tags queries would find
//! them, closely enough to rank files: definitions are the names keywords introduce (`fn`,
//! `struct`, `def`, `class`, `func`, `function`, `interface`, ...) plus the few shapes the
//! queries also count (methods in class bodies, functions bound to a name); references are
//! the names a file calls (`name(`, Rust's `name!`, JavaScript's `new Name`) or that are
//! capitalised (types, classes, constants), keywords aside. Rust attributes are skipped (the
//! query sees no calls in them); calls inside macro arguments are kept (the query misses them,
//! being unable to parse macro arguments, but they are references all the same).

use rustc_hash::FxHashMap;

use super::keywords::key;
use super::tokens::{Kind, Token};
use crate::analysis::tags::{Definition, FileTags};
use crate::analysis::Language;

/// The tokens of one file with its text.
pub(super) struct Source<'a> {
    pub language: Language,
    pub text: &'a [u8],
    pub tokens: &'a [Token],
    /// For each `(`, the index of its `)` (or the end).
    closing: Vec<u32>,
}

/// A definition found: the index of its name token and its kind (the tags queries' names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Found {
    pub name: usize,
    pub kind: &'static str,
}

impl<'a> Source<'a> {
    pub fn new(language: Language, text: &'a [u8], tokens: &'a [Token]) -> Self {
        let mut closing = vec![u32::MAX; tokens.len()];
        let mut open: Vec<usize> = Vec::new();
        for (i, token) in tokens.iter().enumerate() {
            match token.kind {
                Kind::Punct(b'(') => open.push(i),
                Kind::Punct(b')') => {
                    if let Some(at) = open.pop() {
                        closing[at] = i as u32;
                    }
                }
                _ => {}
            }
        }
        Self {
            language,
            text,
            tokens,
            closing,
        }
    }

    pub fn word(&self, i: usize) -> &'a [u8] {
        match self.tokens.get(i) {
            Some(t) if t.kind == Kind::Ident => &self.text[t.start as usize..t.end as usize],
            _ => b"",
        }
    }

    /// The word at `i` as a [`key`] (0 when there is no identifier there).
    pub fn key(&self, i: usize) -> u128 {
        match self.tokens.get(i) {
            Some(t) if t.kind == Kind::Ident => key(&self.text[t.start as usize..t.end as usize]),
            _ => 0,
        }
    }

    pub fn punct(&self, i: usize, byte: u8) -> bool {
        self.tokens.get(i).is_some_and(|t| t.is_punct(byte))
    }

    /// `i` when the token there is an identifier that is no keyword.
    fn name_at(&self, i: usize) -> Option<usize> {
        let word = self.word(i);
        (!word.is_empty() && !is_keyword(self.language, word)).then_some(i)
    }

    /// The `)` closing the `(` at `i`.
    pub fn closing(&self, i: usize) -> Option<usize> {
        self.closing
            .get(i)
            .filter(|&&c| c != u32::MAX)
            .map(|&c| c as usize)
    }

    /// The index of the `]` ending the Rust attribute (`#[...]`, `#![...]`) that starts at `i`.
    fn rust_attribute(&self, i: usize) -> Option<usize> {
        if self.language != Language::Rust || !self.punct(i, b'#') {
            return None;
        }
        let open = if self.punct(i + 1, b'!') {
            i + 2
        } else {
            i + 1
        };
        if !self.punct(open, b'[') {
            return None;
        }
        let mut depth = 0usize;
        for (j, token) in self.tokens.iter().enumerate().skip(open) {
            match token.kind {
                Kind::Punct(b'[') => depth += 1,
                Kind::Punct(b']') => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(j);
                    }
                }
                _ => {}
            }
        }
        Some(self.tokens.len() - 1)
    }

    /// Whether two punctuation tokens at `i` and `i + 1` touch: `==`, `=>`, `!=`, `::`.
    fn pair(&self, i: usize, first: u8, second: u8) -> bool {
        self.punct(i, first)
            && self.punct(i + 1, second)
            && self.tokens[i].touches(&self.tokens[i + 1])
    }
}

/// The definitions of a file, in token order.
pub(super) fn definitions(source: &Source<'_>) -> Vec<Found> {
    match source.language {
        Language::Rust => rust(source),
        Language::Python => python(source),
        Language::JavaScript | Language::TypeScript | Language::Tsx => javascript(source),
        Language::Go => go(source),
    }
}

/// The tags: `found` definitions, and the references among the other identifiers.
pub(super) fn tags(source: &Source<'_>, found: &[Found]) -> FileTags {
    let mut is_definition = vec![false; source.tokens.len()];
    let mut definitions = Vec::with_capacity(found.len());
    for f in found {
        is_definition[f.name] = true;
        let line = source.tokens[f.name].line;
        let name = String::from_utf8_lossy(source.word(f.name)).into_owned();
        if !definitions
            .iter()
            .any(|d: &Definition| d.line == line && d.name == name)
        {
            definitions.push(Definition {
                name,
                kind: f.kind.to_owned(),
                line,
                signature: String::new(),
            });
        }
    }
    let mut counts: FxHashMap<&[u8], u32> = FxHashMap::default();
    let mut i = 0;
    while i < source.tokens.len() {
        if let Some(end) = source.rust_attribute(i) {
            // `#[derive(Debug)]`, `#[cfg(test)]`: no calls, as the tags query sees them.
            i = end + 1;
            continue;
        }
        let word = source.word(i);
        if !word.is_empty() && !is_definition[i] && is_reference(source, i, word) {
            *counts.entry(word).or_default() += 1;
        }
        i += 1;
    }
    let mut references: Vec<(String, u32)> = counts
        .into_iter()
        .map(|(word, count)| (String::from_utf8_lossy(word).into_owned(), count))
        .collect();
    references.sort();
    FileTags {
        definitions,
        references,
    }
}

fn is_reference(source: &Source<'_>, i: usize, word: &[u8]) -> bool {
    // The keyword check last: most identifiers are neither called nor capitalised.
    let candidate = word[0].is_ascii_uppercase()
        || source.punct(i + 1, b'(')
        || match source.language {
            // A macro (`name!`, not `name != x`) or a turbofish call (`name::<T>(`).
            Language::Rust => {
                (source.punct(i + 1, b'!') && !source.pair(i + 1, b'!', b'='))
                    || (source.pair(i + 1, b':', b':') && source.punct(i + 3, b'<'))
            }
            Language::JavaScript | Language::TypeScript | Language::Tsx => {
                source.word(i.wrapping_sub(1)) == b"new"
            }
            Language::Python | Language::Go => false,
        };
    candidate && !is_keyword(source.language, word)
}

/// Whether a Rust item keyword at `i` starts an item (not `-> impl Trait`, `x: impl Trait`).
fn rust_item_level(source: &Source<'_>, i: usize) -> bool {
    if i == 0 {
        return true;
    }
    match source.tokens[i - 1].kind {
        Kind::Punct(byte) => matches!(byte, b'}' | b';' | b'{' | b']' | b')'),
        Kind::Ident => matches!(
            source.word(i - 1),
            b"pub" | b"unsafe" | b"default" | b"auto" | b"crate"
        ),
        Kind::Literal => false,
    }
}

const FN: u128 = key(b"fn");
const STRUCT: u128 = key(b"struct");
const ENUM: u128 = key(b"enum");
const UNION: u128 = key(b"union");
const TYPE: u128 = key(b"type");
const TRAIT: u128 = key(b"trait");
const IMPL: u128 = key(b"impl");
const MOD: u128 = key(b"mod");
const MACRO_RULES: u128 = key(b"macro_rules");
const CONST: u128 = key(b"const");
const STATIC: u128 = key(b"static");
const MUT: u128 = key(b"mut");
const UNDERSCORE: u128 = key(b"_");
const DEF: u128 = key(b"def");
const CLASS: u128 = key(b"class");
const FUNC: u128 = key(b"func");

fn rust(source: &Source<'_>) -> Vec<Found> {
    let mut found = Vec::new();
    // Whether each open `{` is an impl or trait body, whose functions are methods.
    let mut blocks: Vec<bool> = Vec::new();
    let mut item_block_next = false;
    let mut add = |name: Option<usize>, kind| {
        if let Some(name) = name {
            found.push(Found { name, kind });
        }
    };
    for (i, token) in source.tokens.iter().enumerate() {
        match token.kind {
            Kind::Punct(b'{') => blocks.push(std::mem::take(&mut item_block_next)),
            Kind::Punct(b'}') => {
                blocks.pop();
            }
            Kind::Punct(b';') => item_block_next = false,
            Kind::Ident => match source.key(i) {
                FN => {
                    let kind = if blocks.last() == Some(&true) {
                        "method"
                    } else {
                        "function"
                    };
                    add(source.name_at(i + 1), kind);
                }
                STRUCT | ENUM => add(source.name_at(i + 1), "class"),
                UNION if source.punct(i + 2, b'{') || source.punct(i + 2, b'<') => {
                    add(source.name_at(i + 1), "class");
                }
                TYPE => add(source.name_at(i + 1), "class"),
                TRAIT => {
                    add(source.name_at(i + 1), "interface");
                    item_block_next |= rust_item_level(source, i);
                }
                IMPL => item_block_next |= rust_item_level(source, i),
                MOD => add(source.name_at(i + 1), "module"),
                MACRO_RULES if source.punct(i + 1, b'!') => {
                    add(source.name_at(i + 2), "macro");
                }
                CONST => {
                    let before = i.wrapping_sub(1);
                    let generic = source.punct(before, b'<') || source.punct(before, b',');
                    let pointer = source.punct(before, b'*');
                    if !generic && !pointer && source.key(i + 1) != UNDERSCORE {
                        add(source.name_at(i + 1), "constant");
                    }
                }
                STATIC => {
                    let at = if source.key(i + 1) == MUT {
                        i + 2
                    } else {
                        i + 1
                    };
                    if source.punct(at + 1, b':') {
                        add(source.name_at(at), "constant");
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }
    found
}

fn python(source: &Source<'_>) -> Vec<Found> {
    let mut found = Vec::new();
    let mut brackets = 0i32;
    for (i, token) in source.tokens.iter().enumerate() {
        match token.kind {
            Kind::Punct(b'(' | b'[' | b'{') => brackets += 1,
            Kind::Punct(b')' | b']' | b'}') => brackets -= 1,
            Kind::Ident => {
                let word = source.word(i);
                let kind = match source.key(i) {
                    DEF => "function",
                    CLASS => "class",
                    // A module-level assignment `NAME = ...` (not `==`).
                    _ if token.indent == 0
                        && brackets <= 0
                        && source.punct(i + 1, b'=')
                        && !source.pair(i + 1, b'=', b'=') =>
                    {
                        if !is_keyword(Language::Python, word) {
                            found.push(Found {
                                name: i,
                                kind: "constant",
                            });
                        }
                        continue;
                    }
                    _ => continue,
                };
                if let Some(name) = source.name_at(i + 1) {
                    found.push(Found { name, kind });
                }
            }
            _ => {}
        }
    }
    found
}

/// What a JavaScript block is, for the methods declared directly in it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Block {
    #[default]
    Other,
    Class,
    Interface,
}

/// Words that may stand before a method's name in a class body.
fn method_modifier(word: &[u8]) -> bool {
    matches!(
        word,
        b"static"
            | b"async"
            | b"get"
            | b"set"
            | b"public"
            | b"private"
            | b"protected"
            | b"readonly"
            | b"abstract"
            | b"override"
            | b"declare"
    )
}

/// Whether the tokens at `at` are a function value: `function`, `async`, an arrow function
/// (`(a, b) =>`, `(a): T =>`, `a =>`).
fn javascript_function_value(source: &Source<'_>, at: usize) -> bool {
    match source.word(at) {
        b"function" | b"async" => return true,
        b"" => {}
        _ => return source.pair(at + 1, b'=', b'>'),
    }
    if !source.punct(at, b'(') {
        return false;
    }
    source
        .closing(at)
        .is_some_and(|close| source.pair(close + 1, b'=', b'>') || source.punct(close + 1, b':'))
}

fn javascript(source: &Source<'_>) -> Vec<Found> {
    let typescript = matches!(source.language, Language::TypeScript | Language::Tsx);
    let mut found = Vec::new();
    let mut blocks: Vec<Block> = Vec::new();
    let mut next_block = Block::Other;
    let mut add = |name: Option<usize>, kind| {
        if let Some(name) = name {
            found.push(Found { name, kind });
        }
    };
    for (i, token) in source.tokens.iter().enumerate() {
        match token.kind {
            Kind::Punct(b'{') => blocks.push(std::mem::take(&mut next_block)),
            Kind::Punct(b'}') => {
                blocks.pop();
            }
            Kind::Ident => {
                let word = source.word(i);
                match word {
                    b"function" => {
                        let at = if source.punct(i + 1, b'*') {
                            i + 2
                        } else {
                            i + 1
                        };
                        add(source.name_at(at), "function");
                        continue;
                    }
                    b"class" => {
                        add(source.name_at(i + 1), "class");
                        next_block = Block::Class;
                        continue;
                    }
                    b"interface" if typescript => {
                        add(source.name_at(i + 1), "interface");
                        next_block = Block::Interface;
                        continue;
                    }
                    b"enum" if typescript => {
                        add(source.name_at(i + 1), "enum");
                        continue;
                    }
                    b"type"
                        if typescript
                            && (source.punct(i + 2, b'=') || source.punct(i + 2, b'<')) =>
                    {
                        add(source.name_at(i + 1), "type");
                        continue;
                    }
                    b"namespace" | b"module"
                        if typescript
                            && (source.punct(i + 2, b'{') || source.punct(i + 2, b'.')) =>
                    {
                        add(source.name_at(i + 1), "module");
                        continue;
                    }
                    b"const" | b"let" | b"var" => {
                        if source.punct(i + 2, b'=')
                            && !source.pair(i + 2, b'=', b'=')
                            && javascript_function_value(source, i + 3)
                        {
                            add(source.name_at(i + 1), "function");
                        }
                        continue;
                    }
                    _ => {}
                }
                // A modifier is a method's name itself when a `(` follows: `get(key) {`.
                if is_keyword(source.language, word)
                    || (method_modifier(word) && !source.punct(i + 1, b'('))
                {
                    continue;
                }
                let previous = i.checked_sub(1).map(|p| &source.tokens[p]);
                let after_statement = previous.is_none_or(|p| {
                    token.first_on_line()
                        || matches!(p.kind, Kind::Punct(b'{' | b'}' | b';' | b'*'))
                        || method_modifier(source.word(i - 1))
                });
                if source.punct(i + 1, b'(') {
                    let close = source.closing(i + 1).unwrap_or(i + 1);
                    let in_block = blocks.last().copied().unwrap_or_default();
                    let method = match in_block {
                        Block::Class => after_statement && word != b"constructor",
                        Block::Interface => {
                            after_statement || source.punct(i.wrapping_sub(1), b',')
                        }
                        // An object literal's shorthand method: `{ name() {`, `, name() {`.
                        Block::Other => {
                            source.punct(close + 1, b'{')
                                && previous
                                    .is_some_and(|p| matches!(p.kind, Kind::Punct(b'{' | b',')))
                        }
                    };
                    if method {
                        add(Some(i), "method");
                    }
                } else if (source.punct(i + 1, b':')
                    && previous.is_some_and(|p| matches!(p.kind, Kind::Punct(b'{' | b','))))
                    || (source.punct(i + 1, b'=')
                        && !source.pair(i + 1, b'=', b'=')
                        && !source.pair(i + 1, b'=', b'>')
                        && (after_statement || source.punct(i.wrapping_sub(1), b'.')))
                {
                    // `name: function`, `name = () =>`, `exports.name = function`.
                    if javascript_function_value(source, i + 2) {
                        add(Some(i), "function");
                    }
                }
            }
            _ => {}
        }
    }
    found
}

fn go(source: &Source<'_>) -> Vec<Found> {
    let mut found = Vec::new();
    let tokens = source.tokens;
    for i in 0..tokens.len() {
        match source.key(i) {
            FUNC => {
                if let Some(name) = source.name_at(i + 1) {
                    found.push(Found {
                        name,
                        kind: "function",
                    });
                } else if source.punct(i + 1, b'(') {
                    // A method: `func (r *T) Name(`.
                    let close = source.closing(i + 1).unwrap_or(i + 1);
                    if source.punct(close + 2, b'(') {
                        if let Some(name) = source.name_at(close + 1) {
                            found.push(Found {
                                name,
                                kind: "method",
                            });
                        }
                    }
                }
            }
            TYPE => {
                if let Some(name) = source.name_at(i + 1) {
                    found.push(Found { name, kind: "type" });
                } else if source.punct(i + 1, b'(') {
                    // A group: each line's first name is a type.
                    let close = source.closing(i + 1).unwrap_or(i + 1);
                    let mut depth = 0i32;
                    let group = tokens.iter().enumerate().take(close).skip(i + 2);
                    for (j, token) in group {
                        match token.kind {
                            Kind::Punct(b'(' | b'[' | b'{') => depth += 1,
                            Kind::Punct(b')' | b']' | b'}') => depth -= 1,
                            Kind::Ident if depth == 0 && token.first_on_line() => {
                                if let Some(name) = source.name_at(j) {
                                    found.push(Found { name, kind: "type" });
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
            _ => {}
        }
    }
    found
}

/// The language's keywords (and literals like `None`, `Self`), which are never names.
pub(super) fn is_keyword(language: Language, word: &[u8]) -> bool {
    super::keywords::is_keyword(language, word)
}
