//! Token estimates: about four characters a token, the usual rule for English and code. Good
//! enough to fit a budget; the model's own tokenizer is not at hand for every provider.

/// Estimated tokens of `text`.
pub fn estimate(text: &str) -> usize {
    text.chars().count().div_ceil(4)
}

#[cfg(test)]
mod tests {
    #[test]
    fn four_characters_a_token() {
        assert_eq!(super::estimate(""), 0);
        assert_eq!(super::estimate("abcd"), 1);
        assert_eq!(super::estimate("abcde"), 2);
    }
}
