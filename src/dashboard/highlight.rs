//! Syntax-aware colouring of source lines, server-side, with the project's own lexical
//! tokenizer (`analysis::lexical`): keywords, strings and characters, numbers and comments get
//! a class; everything is HTML-escaped. Each line is coloured on its own, so a line inside a
//! multi-line string or comment reads as code; that is the price of colouring diff fragments
//! without the whole file (and of needing no highlighting crate and its grammar dumps).

use minijinja::HtmlEscape;

use crate::analysis::lexical::{is_keyword, tokenize, Kind, Token};
use crate::analysis::Language;

/// Colours lines of one language, reusing its token buffer.
#[derive(Debug)]
pub(crate) struct Highlighter {
    language: Option<Language>,
    tokens: Vec<Token>,
}

impl Highlighter {
    /// For the file at `path`; a language the tokenizer does not know is shown plain.
    pub(crate) fn for_path(path: &str) -> Self {
        Self {
            language: Language::of_path(std::path::Path::new(path)),
            tokens: Vec::new(),
        }
    }

    /// `line` as escaped HTML with `<span class="tk-…">` around what it recognises.
    pub(crate) fn line(&mut self, line: &str) -> String {
        let Some(language) = self.language else {
            return escape(line);
        };
        tokenize(language, line.as_bytes(), &mut self.tokens);
        let mut html = String::with_capacity(line.len() * 2);
        let mut at = 0;
        for token in &self.tokens {
            let (start, end) = (token.start as usize, token.end as usize);
            let (Some(gap), Some(text)) = (line.get(at..start), line.get(start..end)) else {
                // Not on a character boundary: never expected, but never worth a panic.
                return escape(line);
            };
            push_gap(&mut html, gap);
            let class = match token.kind {
                Kind::Ident if is_keyword(language, text.as_bytes()) => Some("tk-kw"),
                Kind::Literal if text.starts_with(|c: char| c.is_ascii_digit()) => Some("tk-num"),
                Kind::Literal => Some("tk-str"),
                Kind::Ident | Kind::Punct(_) => None,
            };
            push_span(&mut html, class, text);
            at = end;
        }
        push_gap(&mut html, line.get(at..).unwrap_or_default());
        html
    }
}

/// What the tokenizer skipped: whitespace, or (when anything else) a comment.
fn push_gap(html: &mut String, gap: &str) {
    let text = gap.trim();
    if text.is_empty() {
        html.push_str(gap);
        return;
    }
    let start = gap.len() - gap.trim_start().len();
    html.push_str(&gap[..start]);
    push_span(html, Some("tk-com"), text);
    html.push_str(&gap[start + text.len()..]);
}

fn push_span(html: &mut String, class: Option<&str>, text: &str) {
    match class {
        Some(class) => {
            html.push_str("<span class=\"");
            html.push_str(class);
            html.push_str("\">");
            html.push_str(&escape(text));
            html.push_str("</span>");
        }
        None => html.push_str(&escape(text)),
    }
}

fn escape(text: &str) -> String {
    HtmlEscape(text).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_keywords_strings_numbers_and_comments_get_classes() {
        let mut rust = Highlighter::for_path("src/lib.rs");
        let html = rust.line(r#"    let x = "a<b>" + 42; // note & <script>"#);
        assert!(html.contains(r#"<span class="tk-kw">let</span>"#), "{html}");
        assert!(
            html.contains(r#"<span class="tk-str">&quot;a&lt;b&gt;&quot;</span>"#),
            "{html}"
        );
        assert!(html.contains(r#"<span class="tk-num">42</span>"#), "{html}");
        assert!(
            html.contains(r#"<span class="tk-com">&#x2f;&#x2f; note &amp; &lt;script&gt;</span>"#)
                || html.contains(r#"<span class="tk-com">// note &amp; &lt;script&gt;</span>"#),
            "{html}"
        );
        assert!(!html.contains("<script"), "{html}");
    }

    #[test]
    fn python_comments_and_unknown_languages() {
        let mut python = Highlighter::for_path("app/main.py");
        let html = python.line("def f():  # <b>");
        assert!(html.contains(r#"<span class="tk-kw">def</span>"#), "{html}");
        assert!(html.contains(r#"<span class="tk-com">"#), "{html}");
        let mut plain = Highlighter::for_path("README.md");
        assert_eq!(plain.line("a <b> & c"), "a &lt;b&gt; &amp; c");
    }
}
