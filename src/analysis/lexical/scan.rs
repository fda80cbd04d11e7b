//! One file through the lexical pass: tokens, then tags and the complexity estimate from them.

use std::cell::RefCell;

use super::complexity;
use super::names::{self, Source};
use super::tokens::{self, Token};
use crate::analysis::tags::FileTags;
use crate::analysis::Language;

/// What the lexical pass learns about a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lexed {
    /// Definitions (without signatures) and references.
    pub tags: FileTags,
    /// The estimated cognitive complexity of its most complex function.
    pub complexity: u32,
}

thread_local! {
    /// The token buffer, reused per thread: most of a small file's cost would be allocation.
    static TOKENS: RefCell<Vec<Token>> = const { RefCell::new(Vec::new()) };
}

/// The lexical tags and complexity estimate of `source`, a file in `language`.
pub fn scan(language: Language, source: &[u8]) -> Lexed {
    TOKENS.with(|buffer| {
        let mut buffer = buffer.borrow_mut();
        tokens::tokenize(language, source, &mut buffer);
        let source = Source::new(language, source, &buffer);
        let found = names::definitions(&source);
        Lexed {
            complexity: complexity::estimate(&source, &found),
            tags: names::tags(&source, &found),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(tags: &FileTags) -> (Vec<&str>, Vec<&str>) {
        (
            tags.definitions.iter().map(|d| d.name.as_str()).collect(),
            tags.references.iter().map(|(n, _)| n.as_str()).collect(),
        )
    }

    #[test]
    fn rust_definitions_and_references() {
        let source = br#"
#[derive(Debug, Clone)]
#[cfg_attr(test, derive(Default))]
pub struct Config { level: u32 }
impl Config {
    pub fn load(path: &str) -> Self { parse_file(path).unwrap_or_default() }
    const LIMIT: usize = 3;
}
fn parse_file(path: &str) -> Option<Config> {
    let s = "not_a_call(";
    log!("{}", helper(s));
    None
}
macro_rules! log { ($($t:tt)*) => {} }
fn raw(p: *const u8) -> &'static str { "" }
"#;
        let lexed = scan(Language::Rust, source);
        let (definitions, references) = names(&lexed.tags);
        assert_eq!(
            definitions,
            vec!["Config", "load", "LIMIT", "parse_file", "log", "raw"]
        );
        assert_eq!(
            references,
            vec![
                "Config",
                "None",
                "Option",
                "helper",
                "log",
                "parse_file",
                "unwrap_or_default"
            ]
        );
        assert_eq!(lexed.tags.definitions[1].kind, "method");
        assert_eq!(lexed.tags.definitions[3].kind, "function");
    }

    #[test]
    fn python_javascript_and_go_definitions() {
        let python = b"LIMIT = 3\nclass Shelf(Base):\n    def add(self, item):\n        return check(item)\n";
        assert_eq!(
            names(&scan(Language::Python, python).tags),
            (vec!["LIMIT", "Shelf", "add"], vec!["Base", "check"])
        );
        let script = b"class Cart {\n  static of(x) { return new Cart(x); }\n  get(key) { return key; }\n  total() { return sum(this.items); }\n}\nconst fmt = (x) => x;\nexport function run() { fmt(1); }\nconst handlers = { click: function () {}, key() { run(); } };\n";
        let lexed = scan(Language::JavaScript, script);
        let (definitions, references) = names(&lexed.tags);
        assert_eq!(
            definitions,
            vec!["Cart", "of", "get", "total", "fmt", "run", "click", "key"]
        );
        assert_eq!(references, vec!["Cart", "fmt", "run", "sum"]);
        let typescript = b"export interface Shape {\n  area(): number;\n}\ntype Id = string;\nenum Color { Red }\n";
        assert_eq!(
            names(&scan(Language::TypeScript, typescript).tags).0,
            vec!["Shape", "area", "Id", "Color"]
        );
        let go = b"package p\ntype (\n\tA struct{}\n\tB int\n)\nfunc (a *A) Run() error { return helper(a) }\nfunc helper(a *A) error { return nil }\n";
        assert_eq!(
            names(&scan(Language::Go, go).tags),
            (vec!["A", "B", "Run", "helper"], vec!["A", "helper"])
        );
    }

    #[test]
    fn complexity_estimates_follow_nesting() {
        let flat = b"def f(x):\n    if x:\n        return 1\n    return 2\n";
        let nested = b"def g(xs):\n    for x in xs:\n        if x and x > 2 or x < 0:\n            while x:\n                x -= 1\n        elif x:\n            pass\n        else:\n            pass\n    return 0\n\ndef h():\n    return 1\n";
        assert_eq!(scan(Language::Python, flat).complexity, 1);
        // for 1, if 2, and/or 2, while 3, elif 1, else 1.
        assert_eq!(scan(Language::Python, nested).complexity, 10);
        let go = b"func f(xs []int) int {\n\tfor _, x := range xs {\n\t\tswitch {\n\t\tcase x > 0 && x < 9:\n\t\t\tif x == 3 {\n\t\t\t\treturn x\n\t\t\t}\n\t\t}\n\t}\n\treturn 0\n}\n";
        // for 1, switch 2, && 1, if 3.
        assert_eq!(scan(Language::Go, go).complexity, 7);
    }
}
