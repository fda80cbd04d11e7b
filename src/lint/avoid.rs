//! Rules a learning says to leave alone, told to the fixers: a fix run for one rule must not fix
//! another rule the repository's maintainers did not want touched. Each tool has its own way of
//! naming a rule and of switching one off for a run — clippy `-A clippy::rule`, ruff
//! `--unfixable CODE`, eslint `--rule 'name: off'`, Biome `--skip=group/rule`. xo has no such
//! switch; the offline implementation checks its result instead.

use super::tool::Tool;

/// Whether `rule` is spelled the way `tool` names its rules.
pub fn is_rule_of(tool: Tool, rule: &str) -> bool {
    match tool {
        Tool::Clippy => is_rust_lint(rule),
        Tool::Ruff | Tool::Pyflakes | Tool::Flake8 => is_python_code(rule),
        Tool::Eslint | Tool::Xo => is_eslint_rule(rule),
        Tool::Biome => is_biome_rule(rule),
        _ => false,
    }
}

/// `clippy::needless_return`, or a rustc lint such as `unused_imports`.
fn is_rust_lint(rule: &str) -> bool {
    let name = rule.strip_prefix("clippy::").unwrap_or(rule);
    !name.is_empty()
        && (name.contains('_') || rule.starts_with("clippy::"))
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// `F401`, `E501`, `UP035`.
fn is_python_code(rule: &str) -> bool {
    let letters = rule.chars().take_while(char::is_ascii_uppercase).count();
    let digits = &rule[letters..];
    letters > 0 && !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}

/// `no-unused-vars`, `eqeqeq`, `react/no-danger`, `@typescript-eslint/no-explicit-any`.
fn is_eslint_rule(rule: &str) -> bool {
    !rule.is_empty()
        && !rule.contains("::")
        && rule.starts_with(|c: char| c.is_ascii_lowercase() || c == '@')
        && rule
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-/@_".contains(c))
}

/// `style/useConst`, `suspicious/noDoubleEquals` (a group and a camel-case name).
fn is_biome_rule(rule: &str) -> bool {
    let rule = rule.strip_prefix("lint/").unwrap_or(rule);
    let Some((group, name)) = rule.split_once('/') else {
        return false;
    };
    group.chars().all(|c| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
        && name.chars().any(|c| c.is_ascii_uppercase())
}

/// clippy's arguments (after `--`) that allow each avoided rule, so `--fix` leaves it alone.
pub fn clippy_flags(rules: &[&str]) -> Vec<String> {
    rules
        .iter()
        .flat_map(|rule| ["-A".to_owned(), (*rule).to_owned()])
        .collect()
}

/// ruff's arguments that keep each avoided rule reported but never fixed.
pub fn ruff_flags(rules: &[&str]) -> Vec<String> {
    rules
        .iter()
        .flat_map(|rule| ["--unfixable".to_owned(), (*rule).to_owned()])
        .collect()
}

/// eslint's arguments that switch each avoided rule off for the run.
pub fn eslint_flags(rules: &[&str]) -> Vec<String> {
    rules
        .iter()
        .flat_map(|rule| ["--rule".to_owned(), format!("{rule}: off")])
        .collect()
}

/// Biome's arguments that skip each avoided rule.
pub fn biome_flags(rules: &[&str]) -> Vec<String> {
    rules
        .iter()
        .map(|rule| format!("--skip={}", rule.strip_prefix("lint/").unwrap_or(rule)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_tool_knows_its_own_rule_names() {
        for (tool, yes, no) in [
            (
                Tool::Clippy,
                &["clippy::len_zero", "unused_imports"][..],
                &["F401", "eqeqeq", "style/useConst", "no-unused-vars"][..],
            ),
            (
                Tool::Ruff,
                &["F401", "UP035", "E501"],
                &["clippy::len_zero", "f401", "F", "401"],
            ),
            (
                Tool::Eslint,
                &[
                    "no-unused-vars",
                    "eqeqeq",
                    "@typescript-eslint/no-explicit-any",
                ],
                &["clippy::len_zero", "F401", "style/useConst"],
            ),
            (
                Tool::Biome,
                &["style/useConst", "lint/suspicious/noDoubleEquals"],
                &["no-unused-vars", "F401", "react/no-danger"],
            ),
        ] {
            for rule in yes {
                assert!(is_rule_of(tool, rule), "{tool:?} {rule}");
            }
            for rule in no {
                assert!(!is_rule_of(tool, rule), "{tool:?} not {rule}");
            }
        }
        assert!(!is_rule_of(Tool::Rustfmt, "clippy::len_zero"));
    }

    #[test]
    fn the_flags_switch_each_rule_off() {
        assert_eq!(
            clippy_flags(&["clippy::len_zero"]),
            ["-A", "clippy::len_zero"]
        );
        assert_eq!(
            ruff_flags(&["F401", "F541"]),
            ["--unfixable", "F401", "--unfixable", "F541"]
        );
        assert_eq!(eslint_flags(&["eqeqeq"]), ["--rule", "eqeqeq: off"]);
        assert_eq!(
            biome_flags(&["lint/style/useConst"]),
            ["--skip=style/useConst"]
        );
    }
}
