//! readability, the deterministic way: the change's effect on the functions it touched (see
//! [`readability`]), and the signals of the changed code at the head that a model judge is given
//! as a hint, each 0-1:
//!
//! | signal | weight | 1 at | 0 at |
//! |---|---|---|---|
//! | length of the functions the change touched | 0.30 | <= 30 lines | >= 80 lines |
//! | their maximum nesting depth | 0.30 | <= 2 | >= 5 |
//! | identifier quality of the added lines | 0.25 | every name descriptive | none |
//! | comment density of the changed files | 0.15 | >= 5% | 0% |
//!
//! (linear in between). A name is descriptive when it has three or more characters, or is a
//! conventional short name (`i`, `id`, `ok`, `err`, ...), and is not a placeholder (`tmp`,
//! `foo`, `data2`, ...). The model's judgement, when one is configured, replaces this.

use std::collections::BTreeSet;
use std::path::Path;

use crate::analysis::metrics::measure;
use crate::analysis::Language;
use crate::artifacts::{Component, Method};

use super::changed_functions::{changed_functions, Function};
use super::score::{component, unavailable};
use crate::repo::change::ChangedFile;

const CONVENTIONAL_SHORT: &[&str] = &[
    "i", "j", "k", "n", "m", "x", "y", "z", "_", "id", "ok", "db", "io", "fs", "os", "re", "e",
    "err", "tx", "rx", "w", "r", "f", "s", "t", "v", "fn", "it", "op", "ip", "ui", "dx", "dy", "a",
    "b", "c", "cx", "ctx", "log", "url", "key", "len", "max", "min", "sum", "now",
];
const PLACEHOLDERS: &[&str] = &[
    "tmp", "temp", "foo", "bar", "baz", "qux", "data", "stuff", "thing", "obj", "val", "var",
    "asdf", "xxx", "aaa", "blah", "dummy", "test1", "myvar",
];

/// The signals, each 0-1, None when it does not apply.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Signals {
    pub function_length: Option<f64>,
    pub nesting: Option<f64>,
    pub identifiers: Option<f64>,
    pub comments: Option<f64>,
    pub functions_touched: usize,
    pub identifiers_seen: usize,
}

pub fn signals(files: &[ChangedFile]) -> Option<Signals> {
    let mut lengths = Vec::new();
    let mut nestings = Vec::new();
    let mut names = BTreeSet::new();
    let mut comment_lines = 0u32;
    let mut source_lines = 0u32;
    let mut measured = 0;
    for file in files {
        let (Some(language), Some(after)) = (Language::of_path(Path::new(&file.path)), &file.after)
        else {
            continue;
        };
        let Ok(metrics) = measure(language, after) else {
            continue;
        };
        measured += 1;
        comment_lines += metrics.lines.comment_lines;
        source_lines += metrics.lines.source_lines;
        for function in &metrics.functions {
            let touched = file
                .added_lines
                .range(function.line_start..=function.line_end)
                .next()
                .is_some();
            if touched {
                lengths.push(linear(f64::from(function.lines), 30.0, 80.0));
                nestings.push(linear(f64::from(function.max_nesting), 2.0, 5.0));
            }
        }
        names.extend(added_identifiers(language, after, &file.added_lines));
    }
    if measured == 0 {
        return None;
    }
    let good = names.iter().filter(|n| is_descriptive(n)).count();
    Some(Signals {
        function_length: mean(&lengths),
        nesting: mean(&nestings),
        identifiers: (!names.is_empty()).then(|| good as f64 / names.len() as f64),
        comments: (source_lines > 0)
            .then(|| (f64::from(comment_lines) / f64::from(source_lines) / 0.05).min(1.0)),
        functions_touched: lengths.len(),
        identifiers_seen: names.len(),
    })
}

/// The score of a change that leaves its functions as readable as they were.
pub const NEUTRAL: f64 = 50.0;
/// Points taken per commented-out line of code added, and at most.
const COMMENTED_OUT_PENALTY: (f64, f64) = (6.0, 30.0);
/// Points taken per TODO/FIXME/XXX/HACK marker added, and at most.
const MARKER_PENALTY: (f64, f64) = (5.0, 15.0);

/// The readability of the change, as a delta over the functions it touched (see
/// [`readability`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadabilityDelta {
    /// Σ lines·(S_after − S_before) / Σ lines over changed code functions; a new function is
    /// compared with a perfectly readable one (S = 1), a removed one counts 0.
    pub function_change: Option<f64>,
    pub functions: usize,
    pub commented_out_added: u32,
    pub markers_added: u32,
}

/// readability, the deterministic way (marked `estimated`): each changed code function's
/// readability S (0-1) is `0.35·length + 0.35·nesting + 0.30·names`, with length 1 at <= 30
/// lines and 0 at >= 80, nesting 1 at <= 2 and 0 at >= 5, names the share of its identifiers
/// that are descriptive. The score is `50 + 50·Δ`, where Δ is the line-weighted mean of
/// `S_after − S_before` over the changed functions (a new function against S = 1, so new code
/// can only lose by being long, nested or badly named), minus 6 points per commented-out line
/// of code added (at most 30) and 5 per TODO-style marker added (at most 15), clamped to
/// 0-100. **50 is neutral**: the touched code reads as well as before.
pub fn readability(files: &[ChangedFile]) -> Component {
    let Some(delta) = readability_delta(files) else {
        return unavailable("no changed file in a language the analysis covers");
    };
    let penalty = |count: u32, (each, cap): (f64, f64)| (f64::from(count) * each).min(cap);
    let score = NEUTRAL + 50.0 * delta.function_change.unwrap_or(0.0)
        - penalty(delta.commented_out_added, COMMENTED_OUT_PENALTY)
        - penalty(delta.markers_added, MARKER_PENALTY);
    let change = delta.function_change.map_or_else(
        || "no code function changed".to_owned(),
        |d| format!("{d:+.2}"),
    );
    component(
        score,
        Method::Estimated,
        format!(
            "deterministic signals (no model judged it): readability of {} changed function(s) {change} (length, nesting, names); {} commented-out line(s) of code and {} TODO-style marker(s) added; 50 is neutral (reads as well as before)",
            delta.functions, delta.commented_out_added, delta.markers_added,
        ),
    )
}

/// The figures [`readability`] rests on; None without a file the analysis covers.
pub fn readability_delta(files: &[ChangedFile]) -> Option<ReadabilityDelta> {
    let functions = changed_functions(files);
    if functions.is_empty() {
        return None;
    }
    let mut delta = ReadabilityDelta::default();
    let (mut weighted, mut weight) = (0.0, 0.0);
    for file in &functions {
        let Some(language) = file.language else {
            continue;
        };
        let source = files.iter().find(|f| f.path == file.path);
        let names_before = identifiers(language, source.and_then(|f| f.before.as_deref()));
        let names_after = identifiers(language, source.and_then(|f| f.after.as_deref()));
        for (before, after) in file.code_pairs() {
            let Some(after) = after else {
                delta.functions += 1;
                continue;
            };
            let s_after = function_readability(after, &names_after);
            let s_before = before.map_or(1.0, |b| function_readability(b, &names_before));
            let lines = f64::from(after.metrics.lines.max(1));
            weighted += lines * (s_after - s_before);
            weight += lines;
            delta.functions += 1;
        }
    }
    delta.function_change = (weight > 0.0).then(|| weighted / weight);
    for file in files {
        let Some(language) = Language::of_path(Path::new(&file.path)) else {
            continue;
        };
        for line in file.added_text() {
            if is_commented_out_code(language, line) {
                delta.commented_out_added += 1;
            }
            if has_marker(line) {
                delta.markers_added += 1;
            }
        }
    }
    Some(delta)
}

/// S of one function: `0.35·length + 0.35·nesting + 0.30·names`.
fn function_readability(function: &Function, names: &[(u32, String)]) -> f64 {
    let length = linear(f64::from(function.metrics.lines), 30.0, 80.0);
    let nesting = linear(f64::from(function.metrics.max_nesting), 2.0, 5.0);
    let inside: BTreeSet<&str> = names
        .iter()
        .filter(|(line, _)| {
            (function.metrics.line_start..=function.metrics.line_end).contains(line)
        })
        .map(|(_, name)| name.as_str())
        .collect();
    let good = inside.iter().filter(|n| is_descriptive(n)).count();
    let names = if inside.is_empty() {
        1.0
    } else {
        good as f64 / inside.len() as f64
    };
    0.35 * length + 0.35 * nesting + 0.30 * names
}

/// Every identifier of `source` with its 1-based line.
fn identifiers(language: Language, source: Option<&str>) -> Vec<(u32, String)> {
    let Some(source) = source else {
        return Vec::new();
    };
    let all: BTreeSet<u32> = (1..=u32::try_from(source.lines().count()).unwrap_or(0)).collect();
    let mut found = Vec::new();
    let Some(mut parser) = language.parser() else {
        return found;
    };
    let Some(tree) = parser.parse(source, None) else {
        return found;
    };
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if node.child_count() == 0 {
            let line = u32::try_from(node.start_position().row + 1).unwrap_or(u32::MAX);
            if node.kind().ends_with("identifier") && all.contains(&line) {
                if let Ok(text) = node.utf8_text(source.as_bytes()) {
                    found.push((line, text.to_owned()));
                }
            }
            continue;
        }
        let mut cursor = node.walk();
        stack.extend(node.children(&mut cursor));
    }
    found
}

/// A line comment whose text is code: a statement end, a block brace, or a keyword opening a
/// statement. Documentation comments (`///`, `//!`) and prose are not.
pub fn is_commented_out_code(language: Language, line: &str) -> bool {
    let trimmed = line.trim_start();
    let body = match language {
        Language::Python => trimmed.strip_prefix('#'),
        _ => trimmed
            .strip_prefix("//")
            .filter(|rest| !rest.starts_with('/') && !rest.starts_with('!')),
    };
    let Some(body) = body.map(str::trim) else {
        return false;
    };
    if body.is_empty() || body.starts_with("TODO") || body.starts_with("FIXME") {
        return false;
    }
    const KEYWORDS: &[&str] = &[
        "let ", "if ", "for ", "while ", "return ", "def ", "fn ", "const ", "var ", "import ",
        "from ", "func ", "match ", "else", "elif ", "print(", "console.", "self.", "pub ",
    ];
    body.ends_with(';')
        || body.ends_with('{')
        || body == "}"
        || body.ends_with("):")
        || (KEYWORDS.iter().any(|k| body.starts_with(k)) && body.contains(['=', '(', ':', '{']))
        || is_bare_call(body)
}

/// `name(...)` or `a.b(...)` alone on the line.
fn is_bare_call(body: &str) -> bool {
    let Some(open) = body.find('(') else {
        return false;
    };
    let callee = &body[..open];
    !callee.is_empty()
        && callee
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
        && body.ends_with(')')
}

fn has_marker(line: &str) -> bool {
    ["TODO", "FIXME", "XXX", "HACK"].iter().any(|marker| {
        line.match_indices(marker).any(|(at, _)| {
            let before = line[..at].chars().next_back();
            let after = line[at + marker.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
    })
}

/// 1 at or below `good`, 0 at or above `bad`, linear between.
fn linear(value: f64, good: f64, bad: f64) -> f64 {
    ((bad - value) / (bad - good)).clamp(0.0, 1.0)
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

pub fn is_descriptive(name: &str) -> bool {
    let lower = name.to_lowercase();
    if PLACEHOLDERS.contains(&lower.as_str()) {
        return false;
    }
    let stem = lower.trim_end_matches(|c: char| c.is_ascii_digit());
    if stem.len() < lower.len() && (stem.len() <= 1 || PLACEHOLDERS.contains(&stem)) {
        return false; // x1, data2
    }
    lower.len() >= 3 || CONVENTIONAL_SHORT.contains(&lower.as_str())
}

/// Distinct identifiers on the added lines.
fn added_identifiers(language: Language, source: &str, added: &BTreeSet<u32>) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let Some(mut parser) = language.parser() else {
        return names;
    };
    let Some(tree) = parser.parse(source, None) else {
        return names;
    };
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if node.child_count() == 0 {
            let line = u32::try_from(node.start_position().row + 1).unwrap_or(u32::MAX);
            if node.kind().ends_with("identifier") && added.contains(&line) {
                if let Ok(text) = node.utf8_text(source.as_bytes()) {
                    names.insert(text.to_owned());
                }
            }
            continue;
        }
        let mut cursor = node.walk();
        stack.extend(node.children(&mut cursor));
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_file(path: &str, text: &str) -> ChangedFile {
        let lines = u32::try_from(text.lines().count()).unwrap_or(0);
        ChangedFile {
            path: path.to_owned(),
            before: None,
            after: Some(text.to_owned()),
            added_lines: (1..=lines).collect(),
            removed: 0,
            removed_lines: std::collections::BTreeSet::new(),
        }
    }

    #[test]
    fn names_are_judged_by_length_convention_and_placeholders() {
        for good in ["total", "i", "id", "err", "user_count", "parse2json"] {
            assert!(is_descriptive(good), "{good}");
        }
        for bad in ["tmp", "foo", "qq", "x1", "data2", "Temp"] {
            assert!(!is_descriptive(bad), "{bad}");
        }
    }

    #[test]
    fn hand_computed_signals_of_a_small_change() {
        // One 2-line function, nesting 0: length 1, nesting 1. Names: add, first, second,
        // tmp -> 3/4 descriptive. One comment line of four source lines: 25% >= 5%: 1.
        let text = "# Adds.\ndef add(first, second):\n    tmp = first + second\n    return tmp\n";
        let s = signals(&[new_file("m.py", text)]).expect("measured");
        assert_eq!(s.function_length, Some(1.0));
        assert_eq!(s.nesting, Some(1.0));
        assert_eq!(s.identifiers, Some(0.75));
        assert_eq!(s.comments, Some(1.0));
        let c = readability(&[new_file("m.py", text)]);
        // A new function against a perfectly readable one: S = 0.35 + 0.35 + 0.30 * 0.75 =
        // 0.925, so 50 + 50 * (0.925 - 1) = 46.25.
        assert_eq!((c.score, c.method), (Some(46.25), Method::Estimated));
    }

    #[test]
    fn deep_nesting_and_no_comments_read_worse() {
        let nested = "def f(a, b, c):\n    for x in a:\n        for y in b:\n            for z in c:\n                if x and y:\n                    return z\n";
        let s = signals(&[new_file("n.py", nested)]).expect("measured");
        // Nesting 4: (5 - 4) / 3.
        assert!((s.nesting.unwrap_or_default() - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(s.comments, Some(0.0));
        assert!(readability(&[new_file("n.py", nested)]).score < Some(70.0));
        assert_eq!(
            readability(&[new_file("README.md", "hi\n")]).method,
            Method::Unavailable
        );
    }

    #[test]
    fn commented_out_code_and_markers_read_worse_than_the_same_change_without() {
        let base = "def total(items):\n    return sum(items)\n";
        let clean = "def total(items):\n    # Items may be empty.\n    return sum(items)\n";
        let commented = "def total(items):\n    # result = 0\n    # for item in items:\n    return sum(items)\n";
        let marked = "def total(items):\n    # TODO: handle None\n    return sum(items)\n";
        let score = |after: &str| {
            readability(&[ChangedFile::from_sides("m.py", Some(base), Some(after))])
                .score
                .unwrap_or_default()
        };
        assert_eq!(score(clean), NEUTRAL);
        assert!(score(commented) < score(clean));
        assert!(score(marked) < score(clean));
        assert!(is_commented_out_code(
            Language::Rust,
            "    // let x = parse(input)?;"
        ));
        assert!(!is_commented_out_code(
            Language::Rust,
            "    /// Returns the total (in cents)."
        ));
        assert!(!is_commented_out_code(
            Language::Python,
            "# Returns the total (in cents)."
        ));
        assert!(is_commented_out_code(
            Language::JavaScript,
            "// console.log(total)"
        ));
    }
}
