//! maintainability: what the change did to the functions it touched, not how hard the touched
//! files were before it.
//!
//! Each changed code function (tests are left to the test-coverage component) has a cost, on the
//! side(s) it exists:
//!
//! `cost = cognitive + 2·max(0, max_nesting − 2) + lines / 10`
//!
//! A function the change adds is charged only what its cost exceeds a small, simple function's
//! ([`NEW_FUNCTION_ALLOWANCE`]: new code is not worse for existing), plus [`DEAD_CODE_COST`] when
//! it is private (by the language's convention) and nothing in the changed files refers to it.
//! Each changed file counts the lines in repeated blocks (three or more consecutive, non-trivial
//! lines occurring twice or more in the file). The change's delta is
//!
//! `Δ = Σ cost_after − Σ cost_before + 0.5·(duplicated_after − duplicated_before)`
//!
//! mapped to 0–100 around a neutral **50** (the changed functions are as maintainable as before):
//! `score = 50 − 50·tanh(Δ / 8)`. A change that makes the functions it touched simpler scores
//! above 50, one that adds complexity, nesting, length or copies below; a Δ of ±8 moves the score
//! about 38 points. A change that touches no function (imports, constants, documentation)
//! scores the neutral 50. Files in languages the metrics do not cover are left out; with none
//! left the component is unavailable.

use crate::analysis::Language;
use crate::artifacts::{Component, Method};

use super::changed_functions::{changed_functions, FileFunctions, Function};
use super::duplication::duplicated_lines;
use super::score::{component, unavailable};
use crate::repo::change::ChangedFile;

/// The score of a change that leaves its functions as maintainable as they were.
pub const NEUTRAL: f64 = 50.0;
/// The Δ at which the score has moved tanh(1) ≈ 76% of the way to 0 or 100.
const SCALE: f64 = 8.0;
/// The cost a new function may have without being charged: about a ten-line function with a
/// couple of flat branches.
pub const NEW_FUNCTION_ALLOWANCE: f64 = 4.0;
/// The cost of a new private function nothing refers to.
pub const DEAD_CODE_COST: f64 = 3.0;

/// The changed code functions' figures on each side.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Side {
    pub functions: u32,
    pub cognitive: u32,
    pub cyclomatic: u32,
    /// Σ max(0, max_nesting − 2).
    pub excess_nesting: u32,
    pub lines: u32,
    pub duplicated_lines: u32,
    /// Functions the change added, the allowance they were given, and those found unused.
    pub new_functions: u32,
    pub unused_functions: u32,
}

impl Side {
    fn add(&mut self, function: &Function) {
        self.functions += 1;
        self.cognitive += function.metrics.cognitive;
        self.cyclomatic += function.metrics.cyclomatic;
        self.excess_nesting += function.metrics.max_nesting.saturating_sub(2);
        self.lines += function.metrics.lines;
    }

    /// Σ cost of the functions on this side (before the allowance of new functions).
    fn raw_cost(&self) -> f64 {
        f64::from(self.cognitive)
            + 2.0 * f64::from(self.excess_nesting)
            + f64::from(self.lines) / 10.0
    }

    /// Σ cost of the functions on this side.
    pub fn cost(&self) -> f64 {
        self.raw_cost() + DEAD_CODE_COST * f64::from(self.unused_functions)
    }
}

/// A function's own cost.
fn cost(function: &Function) -> f64 {
    f64::from(function.metrics.cognitive)
        + 2.0 * f64::from(function.metrics.max_nesting.saturating_sub(2))
        + f64::from(function.metrics.lines) / 10.0
}

#[derive(Debug, Clone, PartialEq)]
pub struct MaintainabilityDelta {
    pub files: u32,
    pub before: Side,
    pub after: Side,
    /// What new functions were not charged: Σ min(cost, allowance).
    pub allowance: f64,
}

impl MaintainabilityDelta {
    /// Δ as documented above: positive when the change made its functions harder to maintain.
    pub fn delta(&self) -> f64 {
        self.after.cost() - self.allowance - self.before.cost()
            + 0.5
                * (f64::from(self.after.duplicated_lines) - f64::from(self.before.duplicated_lines))
    }
}

/// The changed functions' figures before and after; None without a file the metrics cover.
pub fn delta(files: &[ChangedFile]) -> Option<MaintainabilityDelta> {
    let functions = changed_functions(files);
    if functions.is_empty() {
        return None;
    }
    let mut result = MaintainabilityDelta {
        files: u32::try_from(functions.len()).unwrap_or(u32::MAX),
        before: Side::default(),
        after: Side::default(),
        allowance: 0.0,
    };
    let texts: Vec<&str> = files.iter().filter_map(|f| f.after.as_deref()).collect();
    for file in &functions {
        add_file(&mut result, file, &texts);
    }
    for file in files {
        if !functions.iter().any(|f| f.path == file.path) {
            continue;
        }
        result.before.duplicated_lines += duplicated_lines(file.before.as_deref().unwrap_or(""));
        result.after.duplicated_lines += duplicated_lines(file.after.as_deref().unwrap_or(""));
    }
    Some(result)
}

fn add_file(result: &mut MaintainabilityDelta, file: &FileFunctions, texts: &[&str]) {
    for (before, after) in file.code_pairs() {
        if let Some(before) = before {
            result.before.add(before);
        }
        if let Some(after) = after {
            result.after.add(after);
            if before.is_none() {
                result.after.new_functions += 1;
                result.allowance += cost(after).min(NEW_FUNCTION_ALLOWANCE);
                if is_unused(after, file.language, texts) {
                    result.after.unused_functions += 1;
                }
            }
        }
    }
}

/// A new function that is private by its language's convention (Rust without `pub`, Python
/// with a leading `_`, Go lower-case, JavaScript not exported) and whose name appears nowhere
/// in the changed files but on its own definition line.
fn is_unused(function: &Function, language: Option<Language>, texts: &[&str]) -> bool {
    let name = function.metrics.name.as_str();
    let head = function.lines.first().map_or("", |l| l.trim_start());
    let private = match language {
        Some(Language::Rust) => !head.starts_with("pub"),
        Some(Language::Python) => name.starts_with('_') && !name.starts_with("__"),
        Some(Language::Go) => name.chars().next().is_some_and(char::is_lowercase),
        Some(Language::JavaScript | Language::TypeScript | Language::Tsx) => {
            !head.starts_with("export")
        }
        None => false,
    };
    if !private || name.is_empty() {
        return false;
    }
    let mentions: usize = texts
        .iter()
        .map(|text| {
            text.match_indices(name)
                .filter(|(at, _)| {
                    let before = text[..*at].chars().next_back();
                    let after = text[at + name.len()..].chars().next();
                    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
                    !word(before) && !word(after)
                })
                .count()
        })
        .sum();
    mentions <= 1
}

pub fn maintainability(files: &[ChangedFile]) -> Component {
    let Some(delta) = delta(files) else {
        return unavailable("no changed file in a language the metrics cover");
    };
    component(score(&delta), Method::Measured, evidence(&delta))
}

/// `50 − 50·tanh(Δ / 8)`.
pub fn score(delta: &MaintainabilityDelta) -> f64 {
    NEUTRAL - NEUTRAL * (delta.delta() / SCALE).tanh()
}

fn evidence(delta: &MaintainabilityDelta) -> String {
    let (b, a) = (&delta.before, &delta.after);
    if b.functions == 0 && a.functions == 0 && b.duplicated_lines == a.duplicated_lines {
        return format!(
            "{} changed file(s) measured; the change touched no code function: neutral 50",
            delta.files
        );
    }
    format!(
        "changed code functions {} -> {} ({} new, {} unused): cognitive {} -> {}, cyclomatic {} -> {}, nesting beyond 2 {} -> {}, lines {} -> {}, lines in repeated blocks {} -> {}; cost change {:+.1} after an allowance of {:.1} for new functions (50 is neutral: as maintainable as before; higher is simpler)",
        b.functions,
        a.functions,
        a.new_functions,
        a.unused_functions,
        b.cognitive,
        a.cognitive,
        b.cyclomatic,
        a.cyclomatic,
        b.excess_nesting,
        a.excess_nesting,
        b.lines,
        a.lines,
        b.duplicated_lines,
        a.duplicated_lines,
        delta.delta(),
        delta.allowance,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "def total(items):\n    result = 0\n    for item in items:\n        result += item.count\n    return result\n";

    fn change(after: &str) -> Vec<ChangedFile> {
        vec![ChangedFile::from_sides("shop.py", Some(BASE), Some(after))]
    }

    #[test]
    fn added_nesting_scores_lower_than_the_same_change_without_it() {
        let flat = "def total(items):\n    result = 0\n    for item in items:\n        if item.count < 0:\n            continue\n        result += item.count\n    return result\n";
        let nested = "def total(items):\n    result = 0\n    for item in items:\n        if item is not None:\n            if item.count >= 0:\n                if item.count < 1000:\n                    result += item.count\n    return result\n";
        let flat_score = maintainability(&change(flat)).score.unwrap_or_default();
        let nested_score = maintainability(&change(nested)).score.unwrap_or_default();
        assert!(nested_score < flat_score, "{nested_score} !< {flat_score}");
        assert!(
            flat_score < NEUTRAL,
            "a new branch costs a little: {flat_score}"
        );
    }

    #[test]
    fn simplifying_scores_above_neutral_and_no_change_is_neutral() {
        let simpler = "def total(items):\n    return sum(item.count for item in items)\n";
        assert!(maintainability(&change(simpler)).score > Some(NEUTRAL));
        let comment_only = format!("# Shop totals.\n{BASE}");
        let c = maintainability(&change(&comment_only));
        assert_eq!(c.score, Some(NEUTRAL), "{}", c.evidence);
        assert!(c.evidence.contains("neutral 50"), "{}", c.evidence);
        assert_eq!(
            maintainability(&[ChangedFile::from_sides("README.md", None, Some("x\n"))]).method,
            Method::Unavailable
        );
    }

    #[test]
    fn a_small_new_function_is_neutral_and_an_unused_one_costs() {
        let used = format!("{BASE}\n\ndef count(items):\n    return len(items)\n");
        assert_eq!(maintainability(&change(&used)).score, Some(NEUTRAL));
        let unused = format!("{BASE}\n\ndef _count(items):\n    return len(items)\n");
        assert!(maintainability(&change(&unused)).score < Some(NEUTRAL));
        let called =
            format!("{BASE}\n\ndef _count(items):\n    return len(items)\n\n\nSIZE = _count([])\n");
        assert_eq!(maintainability(&change(&called)).score, Some(NEUTRAL));
    }

    #[test]
    fn a_copied_block_costs() {
        let copied = "def total(items):\n    result = 0\n    for item in items:\n        result += item.count\n        result += item.extra\n    for item in items:\n        result += item.count\n        result += item.extra\n    return result\n";
        let once = "def total(items):\n    result = 0\n    for item in items:\n        result += item.count\n        result += item.extra\n    return result\n";
        assert!(maintainability(&change(copied)).score < maintainability(&change(once)).score);
    }
}
