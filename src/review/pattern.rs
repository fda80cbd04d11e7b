//! Regular expressions compiled once per process, without a panic path.

use std::sync::OnceLock;

use regex::Regex;

/// The pattern compiled on first use. The patterns are literals the tests exercise; were one
/// invalid, it would match nothing rather than panic.
pub fn regex(cell: &'static OnceLock<Option<Regex>>, pattern: &str) -> Option<&'static Regex> {
    cell.get_or_init(|| Regex::new(pattern).ok()).as_ref()
}
