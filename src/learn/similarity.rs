//! When two learnings say the same thing: normalised text compared as token sets.
//!
//! Normalisation: lowercase; everything but letters and digits becomes a space; words shorter
//! than two characters and common stop words are dropped; a plural `s` is cut from words longer
//! than three characters. Two learnings are near-duplicates when the Jaccard similarity of their
//! token sets, |A ∩ B| / |A ∪ B|, is at least the threshold ([`DEFAULT_THRESHOLD`] = 0.6): the
//! same advice in other words, or with a detail changed, merges; different advice that shares a
//! few words does not.
//!
//! Learnings written from one template ("Avoid what reviewers flagged: <title>") share the
//! template's words, which would make any two of them look alike; when both texts have the same
//! prefix before their first `": "`, only the parts after it are compared.

use std::collections::BTreeSet;

/// The Jaccard similarity at or above which two learnings are one.
pub const DEFAULT_THRESHOLD: f64 = 0.6;

const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "its", "of",
    "on", "or", "that", "the", "this", "to", "was", "were", "with",
];

/// The words of a text that carry its meaning, in a canonical form.
pub fn tokens(text: &str) -> BTreeSet<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| word.chars().count() >= 2 && !STOP_WORDS.contains(word))
        .map(|word| {
            if word.chars().count() > 3 && word.ends_with('s') && !word.ends_with("ss") {
                word[..word.len() - 1].to_owned()
            } else {
                word.to_owned()
            }
        })
        .collect()
}

/// |A ∩ B| / |A ∪ B| of the two texts' token sets; 1 for two texts without tokens.
pub fn jaccard(a: &str, b: &str) -> f64 {
    let (a, b) = (tokens(a), tokens(b));
    let union = a.union(&b).count();
    if union == 0 {
        return 1.0;
    }
    a.intersection(&b).count() as f64 / union as f64
}

/// How alike two learnings are, 0-1: Jaccard of their token sets, of the particulars only when
/// both are written from the same template.
pub fn similarity(a: &str, b: &str) -> f64 {
    match (a.split_once(": "), b.split_once(": ")) {
        (Some((prefix_a, rest_a)), Some((prefix_b, rest_b)))
            if tokens(prefix_a) == tokens(prefix_b) =>
        {
            jaccard(rest_a, rest_b)
        }
        _ => jaccard(a, b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_punctuation_stop_words_and_plurals() {
        assert_eq!(
            tokens("Avoid: the unused Imports, in tests!"),
            ["avoid", "import", "test", "unused"]
                .map(String::from)
                .into_iter()
                .collect()
        );
        assert_eq!(jaccard("Add tests.", "add TESTS"), 1.0);
    }

    #[test]
    fn near_duplicates_pass_the_threshold_and_different_advice_does_not() {
        let a = "Avoid what reviewers flagged: unwrap on user input in the parser";
        let b = "Avoid what reviewers flagged: unwrap on user input in parser code";
        assert!(jaccard(a, b) >= DEFAULT_THRESHOLD, "{}", jaccard(a, b));
        let c = "Avoid what reviewers flagged: missing documentation for public functions";
        assert!(jaccard(a, c) < DEFAULT_THRESHOLD, "{}", jaccard(a, c));
        // Same template, different particulars: not alike, though most words are shared.
        let d = "Avoid what reviewers flagged: unused import";
        let e = "Avoid what reviewers flagged: unused variable";
        assert!(jaccard(d, e) >= DEFAULT_THRESHOLD);
        assert!((similarity(d, e) - 1.0 / 3.0).abs() < 1e-9);
        assert!(similarity(a, b) >= DEFAULT_THRESHOLD);
        // 3 shared of 5 distinct words: 0.6, exactly the threshold.
        assert!((jaccard("alpha beta gamma delta", "alpha beta gamma epsilon") - 0.6).abs() < 1e-9);
    }
}
