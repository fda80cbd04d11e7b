//! Finding the text in a file that a search block that did not match was probably meant to be,
//! so the model can correct its block instead of guessing again.

/// The most similar run of lines in `content` to `search`: (first line number, the text,
/// similarity 0..1).
pub fn closest_match(content: &str, search: &str) -> Option<(usize, String, f64)> {
    let lines: Vec<&str> = content.lines().collect();
    let wanted: Vec<&str> = search.lines().collect();
    if lines.is_empty() || wanted.is_empty() {
        return None;
    }
    let window = wanted.len().min(lines.len());
    // Comparing every window in full is quadratic in the file; rank candidate starts by their
    // first line and compare only the best few in full.
    let anchor = wanted
        .iter()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(&wanted[0])
        .trim();
    let anchor_offset = wanted.iter().position(|l| l.trim() == anchor).unwrap_or(0);
    let mut starts: Vec<(f64, usize)> = lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            (
                strsim::normalized_levenshtein(line.trim(), anchor),
                i.saturating_sub(anchor_offset),
            )
        })
        .collect();
    starts.sort_by(|a, b| b.0.total_cmp(&a.0));
    starts.truncate(8);
    starts
        .into_iter()
        .map(|(_, start)| {
            let start = start.min(lines.len() - window);
            let text = lines[start..start + window].join("\n");
            let score = strsim::normalized_levenshtein(&text, search.trim_end_matches('\n'));
            (start + 1, text, score)
        })
        .max_by(|a, b| a.2.total_cmp(&b.2))
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
}
