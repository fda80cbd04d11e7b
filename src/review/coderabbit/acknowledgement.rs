//! Items in CodeRabbit's "Duplicate comments" section that only say an earlier concern was
//! addressed ("Addressed in the latest commit", "Resolved", "Fixed in 3f2a1c0"): acknowledgements,
//! not open findings.

use std::sync::OnceLock;

use regex::Regex;

use crate::review::pattern::regex;

/// Whether a duplicate item's title (or the first line of its text) says the concern was dealt
/// with. A negation ("not addressed", "still unresolved") keeps it a finding.
pub fn is_acknowledgement(title: &str, body: &str) -> bool {
    let first_line = body.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    says_addressed(title) || (says_addressed(first_line) && !says_open(title))
}

fn says_addressed(text: &str) -> bool {
    static DONE: OnceLock<Option<Regex>> = OnceLock::new();
    let done = regex(
        &DONE,
        r"(?i)\b(addressed|resolved|fixed in|has been fixed|is now fixed|now fixed|no longer applies|already fixed)\b",
    );
    done.is_some_and(|re| re.is_match(text)) && !says_open(text)
}

fn says_open(text: &str) -> bool {
    static OPEN: OnceLock<Option<Regex>> = OnceLock::new();
    regex(
        &OPEN,
        r"(?i)\b(not|never|isn't|wasn't|hasn't|haven't|still|partially|remains|yet to be)\b[^.]{0,30}\b(addressed|resolved|fixed)\b|\bunresolved\b|\bunaddressed\b|\bnot fixed\b|\bstill\b",
    )
    .is_some_and(|re| re.is_match(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acknowledgements_are_told_from_open_concerns() {
        assert!(is_acknowledgement("Past concern addressed", ""));
        assert!(is_acknowledgement(
            "Resolved: token read from the environment",
            ""
        ));
        assert!(is_acknowledgement("Fixed in 3f2a1c0", ""));
        assert!(is_acknowledgement(
            "Token handling",
            "The earlier concern has been addressed in the latest commit."
        ));
        assert!(!is_acknowledgement(
            "Still reads the token from the config file",
            ""
        ));
        assert!(!is_acknowledgement("Concern not addressed", ""));
        assert!(!is_acknowledgement(
            "Earlier comment remains unresolved",
            ""
        ));
        assert!(!is_acknowledgement(
            "Token read from the config file",
            "This was not addressed since the last review."
        ));
        assert!(!is_acknowledgement(
            "Still reads the token",
            "Resolved? No."
        ));
    }
}
