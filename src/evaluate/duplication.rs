//! Repeated blocks: lines of a file that repeat, in the same order, a block of three or more
//! significant lines found earlier in it. A significant line has at least six letters or digits
//! once trimmed (braces, `else:`, `return` alone and blank lines do not count), so ordinary
//! code shapes do not look copied.

use std::collections::{BTreeSet, HashMap};

/// Consecutive significant lines that make a block.
const WINDOW: usize = 3;
const MIN_CHARS: usize = 6;

/// How many significant lines of `text` belong to a later occurrence of a repeated block.
pub fn duplicated_lines(text: &str) -> u32 {
    let significant: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| l.chars().filter(|c| c.is_alphanumeric()).count() >= MIN_CHARS)
        .collect();
    if significant.len() < 2 * WINDOW {
        return 0;
    }
    let mut first_seen: HashMap<&[&str], usize> = HashMap::new();
    let mut duplicated: BTreeSet<usize> = BTreeSet::new();
    for (start, window) in significant.windows(WINDOW).enumerate() {
        match first_seen.get(window) {
            // Overlapping with its own first occurrence is a run of like lines, not a copy.
            Some(first) if start >= first + WINDOW => duplicated.extend(start..start + WINDOW),
            Some(_) => {}
            None => {
                first_seen.insert(window, start);
            }
        }
    }
    u32::try_from(duplicated.len()).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_the_lines_of_a_copied_block_once() {
        let block =
            "let total = items.len();\nlet average = sum / total;\nprintln!(\"{average}\");\n";
        assert_eq!(duplicated_lines(block), 0);
        assert_eq!(duplicated_lines(&format!("{block}}}\n{block}")), 3);
        // Braces and short lines are not significant.
        assert_eq!(duplicated_lines("}\n}\n}\n}\n}\n}\n}\n"), 0);
    }
}
