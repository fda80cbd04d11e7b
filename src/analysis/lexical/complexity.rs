//! An estimate of each function's cognitive complexity from its tokens, to pick the files worth
//! measuring properly: the same increments as the metrics' cognitive complexity (`if`, loops,
//! `match`/`switch`, `catch`/`except` add one plus their nesting; `else` and else-if add one;
//! each run of like boolean operators adds one), with nesting read from braces (Python:
//! indentation) instead of a syntax tree. Closures and ternaries are not seen, so it errs low.

use super::keywords::key;
use super::names::{Found, Source};
use super::tokens::Kind;
use crate::analysis::Language;

const IF: u128 = key(b"if");
const ELSE: u128 = key(b"else");
const ELIF: u128 = key(b"elif");
const FOR: u128 = key(b"for");
const WHILE: u128 = key(b"while");
const LOOP: u128 = key(b"loop");
const MATCH: u128 = key(b"match");
const SWITCH: u128 = key(b"switch");
const SELECT: u128 = key(b"select");
const CATCH: u128 = key(b"catch");
const EXCEPT: u128 = key(b"except");
const AND: u128 = key(b"and");
const OR: u128 = key(b"or");

/// A function being measured.
struct Frame {
    /// The brace depth inside its body (Python: its `def` line's indentation).
    body: u32,
    score: u32,
    /// For each control structure it is inside of, the brace depth of that structure's body
    /// (Python: the structure's indentation).
    controls: Vec<u32>,
    /// The last boolean operator, so a run of like ones counts once.
    last_operator: Option<u8>,
}

impl Frame {
    fn new(body: u32) -> Self {
        Self {
            body,
            score: 0,
            controls: Vec::new(),
            last_operator: None,
        }
    }

    /// A structure that nests at `level` (brace depth or indentation): +1 and its nesting.
    fn nesting_structure(&mut self, level: u32, nested_body: u32) {
        self.controls.retain(|&c| c <= level);
        self.score += 1 + self.controls.len() as u32;
        self.controls.push(nested_body);
        self.last_operator = None;
    }

    /// `else` or else-if: +1, and a body nested like the structure it continues.
    fn flat_structure(&mut self, level: u32, nested_body: u32) {
        self.controls.retain(|&c| c <= level);
        self.score += 1;
        self.controls.push(nested_body);
        self.last_operator = None;
    }

    fn operator(&mut self, operator: u8) {
        if self.last_operator != Some(operator) {
            self.score += 1;
            self.last_operator = Some(operator);
        }
    }
}

/// The highest estimate of any function in the file (0 without functions).
pub(super) fn estimate(source: &Source<'_>, definitions: &[Found]) -> u32 {
    let functions: Vec<usize> = definitions
        .iter()
        .filter(|d| matches!(d.kind, "function" | "method"))
        .map(|d| d.name)
        .collect();
    match source.language {
        Language::Python => indented(source, &functions),
        _ => braced(source, &functions),
    }
}

fn braced(source: &Source<'_>, functions: &[usize]) -> u32 {
    let tokens = source.tokens;
    let mut frames: Vec<Frame> = Vec::new();
    let mut best = 0u32;
    let mut depth = 0u32;
    let mut parens = 0u32;
    let mut next_function = functions.iter().peekable();
    // A function whose name was seen and whose body has not opened yet: the paren depth of
    // its name.
    let mut pending: Option<u32> = None;
    for (i, token) in tokens.iter().enumerate() {
        if next_function.peek() == Some(&&i) {
            next_function.next();
            pending = Some(parens);
        }
        match token.kind {
            Kind::Punct(b'(' | b'[') => parens += 1,
            Kind::Punct(b')' | b']') => parens = parens.saturating_sub(1),
            Kind::Punct(b'{') => {
                depth += 1;
                if pending.is_some_and(|p| p == parens) {
                    pending = None;
                    frames.push(Frame::new(depth));
                }
            }
            Kind::Punct(b'}') => {
                if frames.last().is_some_and(|f| f.body == depth) {
                    if let Some(frame) = frames.pop() {
                        best = best.max(frame.score);
                    }
                }
                depth = depth.saturating_sub(1);
            }
            Kind::Punct(b';') if pending.is_some_and(|p| p == parens) => pending = None,
            Kind::Punct(byte @ (b'&' | b'|')) => {
                // `a && b`, not `&&x` or a closure's `||`: the operator follows an operand.
                let operand_before = i > 0
                    && matches!(
                        tokens[i - 1].kind,
                        Kind::Ident | Kind::Literal | Kind::Punct(b')' | b']')
                    );
                let doubled = tokens
                    .get(i + 1)
                    .is_some_and(|next| next.is_punct(byte) && token.touches(next));
                if operand_before && doubled && !is_keyword_before(source, i) {
                    if let Some(frame) = frames.last_mut() {
                        frame.operator(byte);
                    }
                }
            }
            Kind::Ident => {
                let Some(frame) = frames.last_mut() else {
                    continue;
                };
                match source.key(i) {
                    IF if source.key(i.wrapping_sub(1)) == ELSE => {
                        frame.flat_structure(depth, depth + 1);
                    }
                    IF | FOR | WHILE | LOOP | MATCH | SWITCH | SELECT | CATCH => {
                        frame.nesting_structure(depth, depth + 1);
                    }
                    ELSE if source.key(i + 1) != IF => frame.flat_structure(depth, depth + 1),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    for frame in frames {
        best = best.max(frame.score);
    }
    best
}

/// Whether the token before `i` is a keyword (`return &&x` is no operator).
fn is_keyword_before(source: &Source<'_>, i: usize) -> bool {
    super::names::is_keyword(source.language, source.word(i.wrapping_sub(1)))
}

fn indented(source: &Source<'_>, functions: &[usize]) -> u32 {
    let tokens = source.tokens;
    let mut frames: Vec<Frame> = Vec::new();
    let mut best = 0u32;
    let mut brackets = 0u32;
    let mut line_indent = 0u32;
    let mut next_function = functions.iter().peekable();
    for (i, token) in tokens.iter().enumerate() {
        if token.first_on_line() && brackets == 0 {
            line_indent = u32::from(token.indent);
            // A line at or left of a function's `def` ends that function.
            while frames.last().is_some_and(|f| line_indent <= f.body) {
                if let Some(frame) = frames.pop() {
                    best = best.max(frame.score);
                }
            }
        }
        if next_function.peek() == Some(&&i) {
            next_function.next();
            frames.push(Frame::new(line_indent));
            continue;
        }
        match token.kind {
            Kind::Punct(b'(' | b'[' | b'{') => brackets += 1,
            Kind::Punct(b')' | b']' | b'}') => brackets = brackets.saturating_sub(1),
            Kind::Ident => {
                let Some(frame) = frames.last_mut() else {
                    continue;
                };
                let first = token.first_on_line();
                match source.key(i) {
                    IF | FOR | WHILE | EXCEPT if first => {
                        frame.nesting_structure(line_indent, line_indent + 1);
                    }
                    // A conditional expression: +1 and its nesting, nothing nested in it.
                    IF => {
                        frame.score +=
                            1 + frame.controls.iter().filter(|&&c| c <= line_indent).count() as u32;
                    }
                    ELIF | ELSE if first => frame.flat_structure(line_indent, line_indent + 1),
                    AND => frame.operator(b'&'),
                    OR => frame.operator(b'|'),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    for frame in frames {
        best = best.max(frame.score);
    }
    best
}
