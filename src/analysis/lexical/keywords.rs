//! Each language's keywords (and literal words like `None`, `Self`), which are never names. Every
//! identifier of a tree is checked, so a word is compared as one 128-bit number against a short
//! table rather than byte by byte against each keyword.

use crate::analysis::Language;

/// `word` as a number, to compare words without comparing bytes: its bytes, zero-padded; words
/// longer than 16 bytes (no keyword is) all map to `u128::MAX`.
pub const fn key(word: &[u8]) -> u128 {
    match pack(word) {
        Some(packed) => packed,
        None => u128::MAX,
    }
}

const fn pack(word: &[u8]) -> Option<u128> {
    if word.len() > 16 {
        return None;
    }
    let mut bytes = [0u8; 16];
    let mut i = 0;
    while i < word.len() {
        bytes[i] = word[i];
        i += 1;
    }
    Some(u128::from_le_bytes(bytes))
}

const fn table<const N: usize>(words: [&[u8]; N]) -> [u128; N] {
    let mut packed = [0u128; N];
    let mut i = 0;
    while i < N {
        packed[i] = match pack(words[i]) {
            Some(p) => p,
            None => panic!("a keyword longer than 16 bytes"),
        };
        i += 1;
    }
    packed
}

const RUST: [u128; 40] = table([
    b"as",
    b"async",
    b"await",
    b"break",
    b"const",
    b"continue",
    b"crate",
    b"dyn",
    b"else",
    b"enum",
    b"extern",
    b"false",
    b"fn",
    b"for",
    b"if",
    b"impl",
    b"in",
    b"let",
    b"loop",
    b"match",
    b"mod",
    b"move",
    b"mut",
    b"pub",
    b"ref",
    b"return",
    b"self",
    b"Self",
    b"static",
    b"struct",
    b"super",
    b"trait",
    b"true",
    b"type",
    b"unsafe",
    b"use",
    b"where",
    b"while",
    b"macro_rules",
    b"yield",
]);

const PYTHON: [u128; 36] = table([
    b"and",
    b"as",
    b"assert",
    b"async",
    b"await",
    b"break",
    b"class",
    b"continue",
    b"def",
    b"del",
    b"elif",
    b"else",
    b"except",
    b"False",
    b"finally",
    b"for",
    b"from",
    b"global",
    b"if",
    b"import",
    b"in",
    b"is",
    b"lambda",
    b"None",
    b"nonlocal",
    b"not",
    b"or",
    b"pass",
    b"raise",
    b"return",
    b"True",
    b"try",
    b"while",
    b"with",
    b"yield",
    b"self",
]);

const JAVASCRIPT: [u128; 43] = table([
    b"break",
    b"case",
    b"catch",
    b"class",
    b"const",
    b"continue",
    b"debugger",
    b"default",
    b"delete",
    b"do",
    b"else",
    b"export",
    b"extends",
    b"finally",
    b"for",
    b"function",
    b"if",
    b"import",
    b"in",
    b"instanceof",
    b"let",
    b"new",
    b"return",
    b"super",
    b"switch",
    b"this",
    b"throw",
    b"try",
    b"typeof",
    b"var",
    b"void",
    b"while",
    b"with",
    b"yield",
    b"await",
    b"true",
    b"false",
    b"null",
    b"undefined",
    b"implements",
    b"interface",
    b"keyof",
    b"as",
]);

const GO: [u128; 28] = table([
    b"break",
    b"case",
    b"chan",
    b"const",
    b"continue",
    b"default",
    b"defer",
    b"else",
    b"fallthrough",
    b"for",
    b"func",
    b"go",
    b"goto",
    b"if",
    b"import",
    b"interface",
    b"map",
    b"package",
    b"range",
    b"return",
    b"select",
    b"struct",
    b"switch",
    b"type",
    b"var",
    b"nil",
    b"true",
    b"false",
]);

/// Whether `word` is a keyword of `language`.
pub fn is_keyword(language: Language, word: &[u8]) -> bool {
    let Some(packed) = pack(word) else {
        return false;
    };
    let table: &[u128] = match language {
        Language::Rust => &RUST,
        Language::Python => &PYTHON,
        Language::JavaScript | Language::TypeScript | Language::Tsx => &JAVASCRIPT,
        Language::Go => &GO,
    };
    table.contains(&packed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_whole_words() {
        assert!(is_keyword(Language::Rust, b"macro_rules"));
        assert!(is_keyword(Language::Rust, b"Self"));
        assert!(!is_keyword(Language::Rust, b"selfish"));
        assert!(
            !is_keyword(Language::Rust, b"i"),
            "a prefix of `if`, `impl`, `in`"
        );
        assert!(is_keyword(Language::Go, b"fallthrough"));
        assert!(!is_keyword(Language::Go, b"def"));
        assert!(is_keyword(Language::Python, b"None"));
        assert!(!is_keyword(
            Language::JavaScript,
            b"a_name_longer_than_sixteen_bytes"
        ));
    }
}
