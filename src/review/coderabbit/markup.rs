//! The bits of GitHub-flavoured markdown and HTML CodeRabbit writes with: blockquote callouts,
//! HTML comments, nested `<details>` sections, fenced code blocks.

use std::sync::OnceLock;

use regex::Regex;

use crate::review::pattern::regex;

/// The text without `<!-- ... -->` comments.
pub fn strip_comments(text: &str) -> String {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    match regex(&RE, r"(?s)<!--.*?-->") {
        Some(re) => re.replace_all(text, "").into_owned(),
        None => text.to_owned(),
    }
}

/// The text with blockquote markers (`> `) removed from every line, so sections CodeRabbit wraps
/// in a `> [!CAUTION]` callout read like the rest.
pub fn unquote(text: &str) -> String {
    text.lines()
        .map(|line| {
            let mut rest = line.trim_start();
            while let Some(stripped) = rest.strip_prefix('>') {
                rest = stripped.strip_prefix(' ').unwrap_or(stripped);
            }
            if line.trim_start().starts_with('>') {
                rest
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// One `<details>` block: its `<summary>` and what follows it, nested blocks included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Details {
    pub summary: String,
    pub body: String,
}

/// The outermost `<details>` blocks of `text`, in order. An unclosed block runs to the end.
pub fn details_blocks(text: &str) -> Vec<Details> {
    static TAG: OnceLock<Option<Regex>> = OnceLock::new();
    let Some(tag) = regex(&TAG, r"(?i)<(/?)details\b[^>]*>") else {
        return Vec::new();
    };
    let mut blocks = Vec::new();
    let mut depth = 0usize;
    let mut start = 0usize;
    for m in tag.find_iter(text) {
        let closing = m.as_str().starts_with("</");
        if !closing {
            if depth == 0 {
                start = m.end();
            }
            depth += 1;
        } else if depth > 0 {
            depth -= 1;
            if depth == 0 {
                blocks.push(split_summary(&text[start..m.start()]));
            }
        }
    }
    if depth > 0 {
        blocks.push(split_summary(&text[start..]));
    }
    blocks
}

/// `text` with every outermost `<details>` block removed.
pub fn without_details(text: &str) -> String {
    static TAG: OnceLock<Option<Regex>> = OnceLock::new();
    let Some(tag) = regex(&TAG, r"(?i)<(/?)details\b[^>]*>") else {
        return text.to_owned();
    };
    let mut out = String::new();
    let mut depth = 0usize;
    let mut kept_from = 0usize;
    for m in tag.find_iter(text) {
        if !m.as_str().starts_with("</") {
            if depth == 0 {
                out.push_str(&text[kept_from..m.start()]);
            }
            depth += 1;
        } else if depth > 0 {
            depth -= 1;
            if depth == 0 {
                kept_from = m.end();
            }
        }
    }
    if depth == 0 {
        out.push_str(&text[kept_from..]);
    }
    out
}

fn split_summary(inner: &str) -> Details {
    static SUMMARY: OnceLock<Option<Regex>> = OnceLock::new();
    match regex(&SUMMARY, r"(?is)^\s*<summary>(.*?)</summary>").and_then(|re| re.captures(inner)) {
        Some(c) => Details {
            summary: plain(c.get(1).map_or("", |m| m.as_str())),
            body: inner[c.get(0).map_or(0, |m| m.end())..]
                .trim_start_matches(['\n', ' '])
                .trim_start_matches("<blockquote>")
                .to_owned(),
        },
        None => Details {
            summary: String::new(),
            body: inner.to_owned(),
        },
    }
}

/// Text without HTML tags or markdown emphasis, whitespace collapsed.
pub fn plain(text: &str) -> String {
    static TAGS: OnceLock<Option<Regex>> = OnceLock::new();
    let without_tags = match regex(&TAGS, r"<[^>]+>") {
        Some(re) => re.replace_all(text, " ").into_owned(),
        None => text.to_owned(),
    };
    without_tags
        .replace(['*', '`'], "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A section summary's label and count: "🧹 Nitpick comments (3)" is ("Nitpick comments", 3).
pub fn label_and_count(summary: &str) -> (String, Option<u32>) {
    static COUNT: OnceLock<Option<Regex>> = OnceLock::new();
    let count = regex(&COUNT, r"^(.*?)\s*\((\d+)\)\s*$");
    let text = plain(summary);
    let label = |s: &str| {
        s.trim_start_matches(|c: char| !c.is_alphanumeric())
            .trim()
            .to_owned()
    };
    match count.and_then(|re| re.captures(&text)) {
        Some(c) => (
            label(c.get(1).map_or("", |m| m.as_str())),
            c.get(2).and_then(|m| m.as_str().parse().ok()),
        ),
        None => (label(&text), None),
    }
}

/// The contents of the first fenced code block whose info string starts with `language`.
pub fn fenced_block(text: &str, language: &str) -> Option<String> {
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        let Some(info) = trimmed.strip_prefix("```") else {
            continue;
        };
        if !info.trim().starts_with(language) {
            // Skip this block whole, so its closing fence is not read as an opening one.
            for inner in lines.by_ref() {
                if inner.trim_start().starts_with("```") {
                    break;
                }
            }
            continue;
        }
        let mut block = Vec::new();
        for inner in lines.by_ref() {
            if inner.trim_start().starts_with("```") {
                return Some(block.join("\n"));
            }
            block.push(inner);
        }
        return Some(block.join("\n"));
    }
    None
}

/// Prose without code blocks, details sections, comments or blank runs, capped in length.
pub fn prose(text: &str, max_chars: usize) -> String {
    let text = strip_comments(&without_details(text));
    let mut out = Vec::new();
    let mut in_fence = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence
            || (line.trim().is_empty() && out.last().is_some_and(|l: &&str| l.trim().is_empty()))
        {
            continue;
        }
        out.push(line);
    }
    let joined = out
        .join("\n")
        .trim()
        .replace("</blockquote>", "")
        .trim()
        .to_owned();
    if joined.chars().count() > max_chars {
        let cut: String = joined.chars().take(max_chars).collect();
        format!("{cut}...")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_details_are_split_at_the_outer_level() {
        let text = "a\n<details>\n<summary>🧹 Nitpick comments (2)</summary><blockquote>\n<details><summary>x.rs (2)</summary>inner</details>\n</blockquote></details>\nb\n<details><summary>📜 Review details</summary>d</details>";
        let blocks = details_blocks(text);
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].summary, "🧹 Nitpick comments (2)");
        assert_eq!(details_blocks(&blocks[0].body)[0].summary, "x.rs (2)");
        assert_eq!(without_details(text).replace('\n', ""), "ab");
        assert_eq!(
            label_and_count(&blocks[0].summary),
            ("Nitpick comments".to_owned(), Some(2))
        );
        assert_eq!(
            label_and_count("📜 Review details"),
            ("Review details".to_owned(), None)
        );
    }

    #[test]
    fn quotes_comments_and_fences() {
        assert_eq!(
            unquote("> > [!CAUTION]\n> text\nplain"),
            "[!CAUTION]\ntext\nplain"
        );
        assert_eq!(strip_comments("a<!-- x\ny -->b"), "ab");
        let text = "```rust\nno\n```\n```diff\n-a\n+b\n```";
        assert_eq!(fenced_block(text, "diff").as_deref(), Some("-a\n+b"));
        assert_eq!(fenced_block(text, "suggestion"), None);
    }
}
