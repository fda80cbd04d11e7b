//! Finding the text in a file that a search block that did not match was probably meant to be,
//! so the model can correct its block instead of guessing again.
//!
//! Bounded whatever the file: a linear-time prefilter (shared character trigrams with the
//! block's first line) picks a few candidate lines, and the edit-distance comparisons, which are
//! quadratic, only ever see the first [`MAX_COMPARED_CHARS`] characters of each side. A file of
//! very long lines (minified code, a generated table) costs a pass over its bytes, not minutes.

use rustc_hash::FxHashSet;

/// Characters of each side an edit-distance comparison sees.
const MAX_COMPARED_CHARS: usize = 1_000;
/// Lines the prefilter hands to the line comparison.
const PREFILTER_KEEP: usize = 32;
/// Candidate starts compared in full (window against block).
const FULL_COMPARISONS: usize = 8;
/// Characters of one line shown in the hint; longer lines are cut.
const MAX_SHOWN_LINE: usize = 400;

/// The most similar run of lines in `content` to `search`: (first line number, the text,
/// similarity 0..1).
pub fn closest_match(content: &str, search: &str) -> Option<(usize, String, f64)> {
    let lines: Vec<&str> = content.lines().collect();
    let wanted: Vec<&str> = search.lines().collect();
    if lines.is_empty() || wanted.is_empty() {
        return None;
    }
    let window = wanted.len().min(lines.len());
    let anchor = wanted
        .iter()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(&wanted[0])
        .trim();
    let anchor_offset = wanted.iter().position(|l| l.trim() == anchor).unwrap_or(0);
    let anchor_cmp = prefix(anchor, MAX_COMPARED_CHARS);

    // Linear prefilter: trigram overlap with the anchor, over each line's bytes once.
    let anchor_grams = trigrams(anchor_cmp.as_bytes());
    let mut scored: Vec<(usize, usize)> = lines
        .iter()
        .enumerate()
        .map(|(i, line)| (shared_trigrams(line.trim().as_bytes(), &anchor_grams), i))
        .collect();
    if scored.len() > PREFILTER_KEEP {
        scored.select_nth_unstable_by(PREFILTER_KEEP - 1, |a, b| b.0.cmp(&a.0));
        scored.truncate(PREFILTER_KEEP);
    }

    // Bounded edit distance on the survivors' first characters.
    let mut starts: Vec<(f64, usize)> = scored
        .into_iter()
        .map(|(_, i)| {
            let line = prefix(lines[i].trim(), MAX_COMPARED_CHARS);
            (
                strsim::normalized_levenshtein(line, anchor_cmp),
                i.saturating_sub(anchor_offset),
            )
        })
        .collect();
    starts.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    starts.dedup_by_key(|s| s.1);
    starts.truncate(FULL_COMPARISONS);

    let search_cmp = prefix(search.trim_end_matches('\n'), MAX_COMPARED_CHARS);
    starts
        .into_iter()
        .map(|(_, start)| {
            let start = start.min(lines.len() - window);
            let shown = &lines[start..start + window];
            let text = shown.join("\n");
            let score =
                strsim::normalized_levenshtein(prefix(&text, MAX_COMPARED_CHARS), search_cmp);
            let text: Vec<String> = shown.iter().map(|l| cut_line(l)).collect();
            (start + 1, text.join("\n"), score)
        })
        .max_by(|a, b| a.2.total_cmp(&b.2).then(b.0.cmp(&a.0)))
}

/// The first `max` characters of `text`.
fn prefix(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

fn cut_line(line: &str) -> String {
    let shown = prefix(line, MAX_SHOWN_LINE);
    if shown.len() < line.len() {
        format!(
            "{shown}… ({} more characters)",
            line.chars().count() - MAX_SHOWN_LINE
        )
    } else {
        line.to_owned()
    }
}

fn trigram(bytes: &[u8]) -> u32 {
    u32::from(bytes[0]) << 16 | u32::from(bytes[1]) << 8 | u32::from(bytes[2])
}

fn trigrams(bytes: &[u8]) -> FxHashSet<u32> {
    bytes.windows(3).map(trigram).collect()
}

/// How many of `grams` occur in `line` (each counted once).
fn shared_trigrams(line: &[u8], grams: &FxHashSet<u32>) -> usize {
    if grams.is_empty() {
        return 0;
    }
    let mut seen = FxHashSet::default();
    for window in line.windows(3) {
        let gram = trigram(window);
        if grams.contains(&gram) {
            seen.insert(gram);
            if seen.len() == grams.len() {
                break;
            }
        }
    }
    seen.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_near_miss() {
        let content = "fn a() {}\n\nfn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n\nfn z() {}\n";
        let search = "fn add(a: i32, b: i32) -> i32 {\n  a + b\n}";
        let (line, text, score) = closest_match(content, search).unwrap();
        assert_eq!(line, 3);
        assert_eq!(text, "fn add(a: i32, b: i32) -> i32 {\n    a + b\n}");
        assert!(score > 0.9, "{score}");
        assert!(closest_match("", "x").is_none());
    }

    #[test]
    fn very_long_lines_give_a_short_sensible_hint() {
        let long: String = (0..5_000).map(|i| format!("var a{i}=b{i}+1;")).collect();
        let mut content = String::new();
        for i in 0..20 {
            content.push_str(&format!("/*{i}*/{long}\n"));
        }
        content.push_str("function total(items) { return items.length; }\n");
        for i in 20..40 {
            content.push_str(&format!("/*{i}*/{long}\n"));
        }
        let search = format!(
            "function total(items) {{ return items.size; }}\n{}",
            "x".repeat(50_000)
        );
        let (line, text, _) = closest_match(&content, &search).unwrap();
        assert_eq!(line, 21, "the near-miss line is found among the long ones");
        assert!(text.starts_with("function total(items)"), "{text}");
        let (_, text, _) = closest_match(&content, "var a4999=b4999+1;").unwrap();
        assert!(
            text.chars().count() < MAX_SHOWN_LINE + 50,
            "a long line is cut in the hint: {} characters",
            text.chars().count()
        );
        assert!(text.contains("more characters"));
    }
}
