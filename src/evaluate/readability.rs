//! readability, the deterministic way (marked `estimated`): signals of the changed code at the
//! head, each 0-1, averaged with weights over the signals that apply:
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

use super::change::ChangedFile;
use super::score::{component, unavailable};

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

pub fn readability(files: &[ChangedFile]) -> Component {
    let Some(signals) = signals(files) else {
        return unavailable("no changed file in a language the analysis covers");
    };
    let weighted = [
        (signals.function_length, 0.30),
        (signals.nesting, 0.30),
        (signals.identifiers, 0.25),
        (signals.comments, 0.15),
    ];
    let (sum, weight) = weighted
        .iter()
        .filter_map(|(value, weight)| value.map(|v| (v * weight, *weight)))
        .fold((0.0, 0.0), |(s, w), (v, x)| (s + v, w + x));
    if weight == 0.0 {
        return unavailable("the changed files have no code to read");
    }
    let show = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{:.2}", v));
    component(
        100.0 * sum / weight,
        Method::Estimated,
        format!(
            "deterministic signals (no model judged it): function length {} and nesting {} over {} touched function(s), identifier quality {} over {} name(s), comment density {}",
            show(signals.function_length),
            show(signals.nesting),
            signals.functions_touched,
            show(signals.identifiers),
            signals.identifiers_seen,
            show(signals.comments),
        ),
    )
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
        // 100 * (0.30 + 0.30 + 0.25*0.75 + 0.15) / 1 = 93.75
        assert_eq!((c.score, c.method), (Some(93.75), Method::Estimated));
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
}
