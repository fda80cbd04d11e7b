//! Learning text: the normalised form that decides when two learnings are the same, and the
//! search terms a query is matched by.

/// Lowercased words joined by single spaces: punctuation, markup and spacing do not make two
/// learnings different ("Run `cargo fmt`." and "run cargo fmt" are one learning).
pub fn normalize(content: &str) -> String {
    words(content).collect::<Vec<_>>().join(" ")
}

/// Words too common to tell learnings apart. PostgreSQL's `english` configuration drops these
/// (and more); dropping them before either backend sees the query keeps SQLite's FTS5, which
/// has no stop words, matching the same learnings.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "if",
    "in", "into", "is", "it", "its", "no", "not", "of", "on", "or", "so", "such", "that", "the",
    "their", "then", "there", "these", "they", "this", "to", "was", "we", "were", "will", "with",
];

/// The distinct words of a query, lowercased, alphanumeric only (safe to splice into a
/// full-text query), without stop words, in order of first appearance.
pub fn search_terms(query: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for word in words(query) {
        if !STOP_WORDS.contains(&word.as_str()) && !terms.contains(&word) {
            terms.push(word);
        }
    }
    terms
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wording_that_differs_only_in_form_normalises_alike() {
        assert_eq!(
            normalize("Run `cargo fmt` before committing."),
            normalize("  run cargo-fmt BEFORE\ncommitting ")
        );
        assert_eq!(
            normalize("Prefer &str over String!"),
            "prefer str over string"
        );
        assert_ne!(normalize("add tests"), normalize("add more tests"));
    }

    #[test]
    fn search_terms_are_plain_distinct_words() {
        assert_eq!(
            search_terms("Tests: add the tests' (unit) | OR \"x\""),
            vec!["tests", "add", "unit", "x"]
        );
        assert!(search_terms(" -- !! ").is_empty());
    }
}
