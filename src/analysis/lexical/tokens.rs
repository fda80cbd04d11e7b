//! A tokenizer per language family, for the lexical pass: identifiers and single-byte
//! punctuation with their lines, strings and comments skipped (so a name in a string or a
//! comment is no reference). It does not parse: it only has to know where strings, comments,
//! characters and (in JavaScript) regular expressions start and end.

use crate::analysis::Language;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Ident,
    /// A number, string or character: its text is never a name.
    Literal,
    /// One byte of punctuation (`(`, `{`, `=`, `!`, ...); `!=` is two tokens, adjacent.
    Punct(u8),
}

/// One token: its bytes in the source, its line, and its column when it starts its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: u32,
    pub end: u32,
    /// 1-based.
    pub line: u32,
    /// Its indentation when it is the first token of its line, else [`NOT_FIRST`].
    pub indent: u16,
    pub kind: Kind,
}

/// [`Token::indent`] of a token that does not start its line.
pub const NOT_FIRST: u16 = u16::MAX;

impl Token {
    pub fn is_punct(&self, byte: u8) -> bool {
        self.kind == Kind::Punct(byte)
    }

    pub fn first_on_line(&self) -> bool {
        self.indent != NOT_FIRST
    }

    /// Whether `next` follows this token with nothing in between (`!=`, `::`, `=>`).
    pub fn touches(&self, next: &Token) -> bool {
        self.end == next.start
    }
}

/// How a language writes comments and strings.
#[derive(Debug, Clone, Copy)]
struct Syntax {
    /// `#` starts a line comment (Python); otherwise `//` does.
    hash_comments: bool,
    /// `/* */` comments nest (Rust).
    nested_blocks: bool,
    rust_literals: bool,
    python_strings: bool,
    /// A backtick string: Go's raw string, JavaScript's template.
    backtick: bool,
    /// `/re/` literals (JavaScript, TypeScript).
    regex_literals: bool,
    /// `$` is part of identifiers (JavaScript, TypeScript).
    dollar: bool,
}

fn syntax(language: Language) -> Syntax {
    let none = Syntax {
        hash_comments: false,
        nested_blocks: false,
        rust_literals: false,
        python_strings: false,
        backtick: false,
        regex_literals: false,
        dollar: false,
    };
    match language {
        Language::Rust => Syntax {
            nested_blocks: true,
            rust_literals: true,
            ..none
        },
        Language::Python => Syntax {
            hash_comments: true,
            python_strings: true,
            ..none
        },
        Language::JavaScript | Language::TypeScript | Language::Tsx => Syntax {
            backtick: true,
            regex_literals: true,
            dollar: true,
            ..none
        },
        Language::Go => Syntax {
            backtick: true,
            ..none
        },
    }
}

/// Words after which a `/` in JavaScript starts a regular expression, not a division.
const REGEX_AFTER_WORDS: &[&[u8]] = &[
    b"return", b"typeof", b"case", b"do", b"else", b"in", b"of", b"new", b"delete", b"void",
    b"throw", b"yield", b"await",
];

/// The tokens of `source` in `language`, into `out` (cleared first; reused between files).
pub fn tokenize(language: Language, source: &[u8], out: &mut Vec<Token>) {
    out.clear();
    let mut lexer = Lexer {
        source,
        syntax: syntax(language),
        at: 0,
        line: 1,
        line_start: Some(0),
        out,
    };
    lexer.run();
}

struct Lexer<'a> {
    source: &'a [u8],
    syntax: Syntax,
    at: usize,
    line: u32,
    /// Where the current line started, until its first token is emitted.
    line_start: Option<usize>,
    out: &'a mut Vec<Token>,
}

fn is_ident_start(byte: u8, dollar: bool) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_' || byte >= 0x80 || (dollar && byte == b'$')
}

fn is_ident_continue(byte: u8, dollar: bool) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte >= 0x80 || (dollar && byte == b'$')
}

impl Lexer<'_> {
    fn peek(&self, offset: usize) -> u8 {
        self.source.get(self.at + offset).copied().unwrap_or(0)
    }

    fn newline(&mut self, at: usize) {
        self.line += 1;
        self.line_start = Some(at + 1);
    }

    /// Skips a literal that runs to `to`, leaving one token for it.
    fn literal_to(&mut self, start: usize, to: usize) {
        self.emit(start, to.min(self.source.len()), Kind::Literal);
        self.skip_to(to);
    }

    /// Moves to `to`, counting the lines of what is skipped.
    fn skip_to(&mut self, to: usize) {
        let to = to.min(self.source.len());
        if let Some(last) = memchr::memrchr(b'\n', &self.source[self.at..to]) {
            let lines = memchr::memchr_iter(b'\n', &self.source[self.at..to]).count();
            self.line += lines as u32;
            self.line_start = Some(self.at + last + 1);
        }
        self.at = to;
    }

    fn emit(&mut self, start: usize, end: usize, kind: Kind) {
        let indent = match self.line_start.take() {
            Some(line_start) => u16::try_from(start - line_start).unwrap_or(NOT_FIRST - 1),
            None => NOT_FIRST,
        };
        self.out.push(Token {
            start: start as u32,
            end: end as u32,
            line: self.line,
            indent,
            kind,
        });
    }

    fn run(&mut self) {
        let dollar = self.syntax.dollar;
        while self.at < self.source.len() {
            let byte = self.source[self.at];
            match byte {
                b'\n' => {
                    self.newline(self.at);
                    self.at += 1;
                }
                b' ' | b'\t' | b'\r' | 0x0c => {
                    self.at += 1;
                    while matches!(self.source.get(self.at), Some(b' ' | b'\t')) {
                        self.at += 1;
                    }
                }
                b'#' if self.syntax.hash_comments => self.line_comment(),
                b'/' if !self.syntax.hash_comments && self.peek(1) == b'/' => self.line_comment(),
                b'/' if !self.syntax.hash_comments && self.peek(1) == b'*' => self.block_comment(),
                b'/' if self.syntax.regex_literals && self.regex_may_start() => self.regex(),
                b'"' => self.quoted(b'"'),
                b'\'' if self.syntax.rust_literals => self.rust_quote(),
                b'\'' => self.quoted(b'\''),
                b'`' if self.syntax.backtick => self.backtick(),
                b'0'..=b'9' => self.number(),
                _ if is_ident_start(byte, dollar) => self.ident(),
                _ => {
                    self.emit(self.at, self.at + 1, Kind::Punct(byte));
                    self.at += 1;
                }
            }
        }
    }

    fn line_comment(&mut self) {
        let end = memchr_from(self.source, self.at, b'\n');
        self.at = end;
    }

    fn block_comment(&mut self) {
        let mut depth = 0usize;
        let mut i = self.at;
        while i < self.source.len() {
            match (self.source[i], self.source.get(i + 1).copied().unwrap_or(0)) {
                (b'/', b'*') if depth == 0 || self.syntax.nested_blocks => {
                    depth += 1;
                    i += 2;
                }
                (b'*', b'/') => {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                }
                _ => i += 1,
            }
        }
        self.skip_to(i);
    }

    /// A string or character in `quote`s with backslash escapes, from the opening quote.
    fn quoted(&mut self, quote: u8) {
        if self.syntax.python_strings && self.peek(1) == quote && self.peek(2) == quote {
            return self.triple_quoted(quote);
        }
        let mut i = self.at + 1;
        while i < self.source.len() {
            match self.source[i] {
                b'\\' => i += 2,
                // Only Rust's strings span lines; elsewhere a newline ends an unterminated
                // string, so one stray quote cannot swallow the rest of the file.
                b'\n' if !self.syntax.rust_literals => break,
                b if b == quote => {
                    i += 1;
                    break;
                }
                _ => i += 1,
            }
        }
        self.literal_to(self.at, i);
    }

    fn triple_quoted(&mut self, quote: u8) {
        let mut i = self.at + 3;
        while i < self.source.len() {
            match self.source[i] {
                b'\\' => i += 2,
                b if b == quote
                    && self.source.get(i + 1) == Some(&quote)
                    && self.source.get(i + 2) == Some(&quote) =>
                {
                    i += 3;
                    break;
                }
                _ => i += 1,
            }
        }
        self.literal_to(self.at, i);
    }

    /// Rust's `'`: a character (`'a'`, `'\n'`, `'é'`) or a lifetime/label (`'a`, `'static`),
    /// which is skipped too: it names nothing the map links.
    fn rust_quote(&mut self) {
        if self.peek(1) == b'\\' {
            let mut i = self.at + 3;
            while i < self.source.len() && i < self.at + 12 && self.source[i] != b'\'' {
                i += 1;
            }
            return self.literal_to(self.at, i + 1);
        }
        let width = utf8_width(self.peek(1));
        if self.peek(1 + width) == b'\'' {
            return self.literal_to(self.at, self.at + 2 + width);
        }
        let mut i = self.at + 1;
        while i < self.source.len() && is_ident_continue(self.source[i], false) {
            i += 1;
        }
        self.at = i.max(self.at + 1);
    }

    /// Go's raw string (no escapes) or JavaScript's template literal (escapes; what is inside
    /// `${}` is skipped with the text).
    fn backtick(&mut self) {
        let escapes = self.syntax.regex_literals;
        let mut i = self.at + 1;
        while i < self.source.len() {
            match self.source[i] {
                b'\\' if escapes => i += 2,
                b'`' => {
                    i += 1;
                    break;
                }
                _ => i += 1,
            }
        }
        self.literal_to(self.at, i);
    }

    /// Whether a `/` here starts a regular expression: after punctuation other than a closing
    /// bracket, after a keyword that takes an expression, or at the start.
    fn regex_may_start(&self) -> bool {
        match self.out.last() {
            None => true,
            Some(token) => match token.kind {
                Kind::Punct(byte) => !matches!(byte, b')' | b']'),
                Kind::Literal => false,
                Kind::Ident => {
                    let word = &self.source[token.start as usize..token.end as usize];
                    REGEX_AFTER_WORDS.contains(&word)
                }
            },
        }
    }

    /// A regular expression literal, ended on its line (so a misread `/` costs one line).
    fn regex(&mut self) {
        let mut i = self.at + 1;
        let mut class = false;
        while i < self.source.len() {
            match self.source[i] {
                b'\\' => i += 2,
                b'\n' => {
                    // Not a regex after all: read it as a `/` and go on.
                    self.emit(self.at, self.at + 1, Kind::Punct(b'/'));
                    self.at += 1;
                    return;
                }
                b'[' => {
                    class = true;
                    i += 1;
                }
                b']' => {
                    class = false;
                    i += 1;
                }
                b'/' if !class => {
                    i += 1;
                    break;
                }
                _ => i += 1,
            }
        }
        while i < self.source.len() && self.source[i].is_ascii_alphabetic() {
            i += 1;
        }
        self.literal_to(self.at, i);
    }

    fn number(&mut self) {
        let mut i = self.at + 1;
        while i < self.source.len() {
            let byte = self.source[i];
            let fraction = byte == b'.' && self.source.get(i + 1).is_some_and(u8::is_ascii_digit);
            if !(byte.is_ascii_alphanumeric() || byte == b'_' || fraction) {
                break;
            }
            i += 1;
        }
        self.emit(self.at, i, Kind::Literal);
        self.at = i;
    }

    fn ident(&mut self) {
        let start = self.at;
        let dollar = self.syntax.dollar;
        let mut end = start + 1;
        while end < self.source.len() && is_ident_continue(self.source[end], dollar) {
            end += 1;
        }
        let word = &self.source[start..end];
        let next = self.source.get(end).copied().unwrap_or(0);
        if self.syntax.rust_literals
            && word.len() <= 2
            && matches!(next, b'"' | b'\'' | b'#')
            && self.rust_prefixed_literal(word, end, next)
        {
            return;
        }
        if self.syntax.python_strings
            && (next == b'"' || next == b'\'')
            && word.len() <= 2
            && word.iter().all(|b| b"rRbBuUfF".contains(b))
        {
            self.at = end;
            return self.quoted(next);
        }
        self.emit(start, end, Kind::Ident);
        self.at = end;
    }

    /// Rust's `b"..."`, `r"..."`, `r#"..."#`, `br"..."`, `c"..."`, `b'x'`; true when one was
    /// skipped. `r#ident` is left to be read as an identifier.
    fn rust_prefixed_literal(&mut self, word: &[u8], end: usize, next: u8) -> bool {
        match (word, next) {
            (b"b", b'\'') => {
                self.at = end;
                self.quoted(b'\'');
                true
            }
            (b"b" | b"c", b'"') => {
                self.at = end;
                self.quoted(b'"');
                true
            }
            (b"r" | b"br" | b"cr", b'"' | b'#') => {
                let mut hashes = 0;
                while self.source.get(end + hashes) == Some(&b'#') {
                    hashes += 1;
                }
                if self.source.get(end + hashes) != Some(&b'"') {
                    if hashes == 1 && word == b"r" {
                        // A raw identifier: `r#type` reads as `type`.
                        self.at = end + 1;
                        return true;
                    }
                    return false;
                }
                let mut i = end + hashes + 1;
                while i < self.source.len() {
                    if self.source[i] == b'"'
                        && self.source[i + 1..]
                            .iter()
                            .take(hashes)
                            .filter(|&&b| b == b'#')
                            .count()
                            == hashes
                    {
                        i += 1 + hashes;
                        break;
                    }
                    i += 1;
                }
                self.at = end - word.len();
                self.literal_to(self.at, i);
                true
            }
            _ => false,
        }
    }
}

fn memchr_from(haystack: &[u8], from: usize, needle: u8) -> usize {
    memchr::memchr(needle, &haystack[from..]).map_or(haystack.len(), |i| from + i)
}

/// Bytes of the UTF-8 character that starts with `lead` (1 for anything else).
fn utf8_width(lead: u8) -> usize {
    match lead {
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf7 => 4,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idents(language: Language, source: &str) -> Vec<String> {
        let mut tokens = Vec::new();
        tokenize(language, source.as_bytes(), &mut tokens);
        tokens
            .iter()
            .filter(|t| t.kind == Kind::Ident)
            .map(|t| source[t.start as usize..t.end as usize].to_owned())
            .collect()
    }

    #[test]
    fn rust_strings_comments_chars_and_lifetimes_are_skipped() {
        let source = r####"
// comment_word
/* block /* nested */ still_comment */
fn a<'life>(x: &'static str) -> char {
    let s = "string_word \" escaped";
    let r = r#"raw "quoted" raw_word"#;
    let b = b"bytes_word";
    let c = '"';
    let d = b'\'';
    let e = '\u{1F600}';
    'outer: loop { break 'outer; }
    r#type
}
"####;
        assert_eq!(
            idents(Language::Rust, source),
            vec![
                "fn", "a", "x", "str", "char", "let", "s", "let", "r", "let", "b", "let", "c",
                "let", "d", "let", "e", "loop", "break", "type"
            ]
        );
    }

    #[test]
    fn lines_and_indentation_follow_skipped_text() {
        let source = "x = \"\"\"one\ntwo\"\"\"\n    y = 1 # z\n";
        let mut tokens = Vec::new();
        tokenize(Language::Python, source.as_bytes(), &mut tokens);
        let y = tokens
            .iter()
            .find(|t| &source[t.start as usize..t.end as usize] == "y")
            .unwrap();
        assert_eq!((y.line, y.indent), (3, 4));
        assert_eq!(tokens[0].indent, 0);
        assert!(!tokens[1].first_on_line());
    }

    #[test]
    fn python_prefixed_and_triple_quoted_strings() {
        let source = "a = f'{name_in_fstring}'\nb = rb\"raw\\\"\"\nc = '''x\ny'''\nd()\n";
        assert_eq!(idents(Language::Python, source), vec!["a", "b", "c", "d"]);
    }

    #[test]
    fn javascript_templates_and_regular_expressions() {
        let source = "const t = `a ${hidden} b`;\nconst r = /[/]quoted_word/g;\nconst q = a / b / c;\n// gone\nnext();\n";
        assert_eq!(
            idents(Language::JavaScript, source),
            vec!["const", "t", "const", "r", "const", "q", "a", "b", "c", "next"]
        );
    }

    #[test]
    fn go_raw_strings_and_runes() {
        let source = "var s = `raw\nraw_word`\nvar r = '\\''\nfunc f() {}\n";
        assert_eq!(
            idents(Language::Go, source),
            vec!["var", "s", "var", "r", "func", "f"]
        );
    }
}
