//! The ranked repo map, as aider builds it: files linked by the identifiers one defines and
//! another references, ranked by weighted personalized PageRank, rendered as the best-ranked
//! definitions with their signatures, as many as fit the token budget.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use super::tokens;
use crate::analysis::rank::{pagerank, Edge, PageRankOptions};
use crate::analysis::tags::{Definition, FileTags};
use crate::artifacts::{RankedFile, RepoMap};

/// Identifiers defined in more files than this link nothing in particular (`new`, `fmt`,
/// `main`); aider damps them, and at tens of thousands of files they would also multiply edges.
const MAX_DEFINERS: usize = 32;
/// Files listed in `ranked_files`.
const MAX_RANKED_FILES: usize = 200;

/// What the map is built from.
#[derive(Debug)]
pub struct MapInput<'a> {
    /// (path, tags) of every parsed file.
    pub files: Vec<(&'a str, &'a FileTags)>,
    /// Files the run should favour: named by eligible issues, changed recently.
    pub focus_files: &'a HashSet<String>,
    /// Identifiers named by eligible issues.
    pub mentioned: &'a HashSet<String>,
    /// Token budget of the rendered map.
    pub budget: usize,
}

/// Builds the map.
pub fn build(input: &MapInput<'_>) -> RepoMap {
    let ranked = rank(input);
    let mut ranked_files: Vec<RankedFile> = ranked
        .file_ranks
        .iter()
        .enumerate()
        .map(|(i, &rank)| RankedFile {
            path: input.files[i].0.to_owned(),
            rank,
        })
        .collect();
    ranked_files.sort_by(|a, b| b.rank.total_cmp(&a.rank).then_with(|| a.path.cmp(&b.path)));
    ranked_files.truncate(MAX_RANKED_FILES);
    let (text, tokens) = fit(&input.files, &ranked.definitions, input.budget);
    RepoMap {
        text,
        tokens,
        budget: input.budget,
        ranked_files,
    }
}

/// Ranks of files, and every definition (file index, definition) best first.
struct Ranked<'a> {
    file_ranks: Vec<f64>,
    definitions: Vec<(usize, &'a Definition)>,
}

/// aider's weight of an identifier: specific names (long snake/camel/kebab case) count ten
/// times, private and widely defined ones a tenth, names an issue mentions ten times.
pub fn identifier_weight(ident: &str, definers: usize, mentioned: bool) -> f64 {
    let mut weight = 1.0;
    if mentioned {
        weight *= 10.0;
    }
    let has_alpha = ident.chars().any(char::is_alphabetic);
    let snake = ident.contains('_') && has_alpha;
    let kebab = ident.contains('-') && has_alpha;
    let camel = ident.chars().any(char::is_uppercase) && ident.chars().any(char::is_lowercase);
    if (snake || kebab || camel) && ident.chars().count() >= 8 {
        weight *= 10.0;
    }
    if ident.starts_with('_') {
        weight *= 0.1;
    }
    if definers > 5 {
        weight *= 0.1;
    }
    weight
}

fn rank<'a>(input: &MapInput<'a>) -> Ranked<'a> {
    let files = &input.files;
    let mut defines: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, (_, tags)) in files.iter().enumerate() {
        for definition in &tags.definitions {
            let definers = defines.entry(definition.name.as_str()).or_default();
            if definers.last() != Some(&i) {
                definers.push(i);
            }
        }
    }
    // One edge per (referencer, definer, identifier); the identifier is kept so a file's rank
    // can be handed on to the definitions its edges point at.
    let mut edges: Vec<Edge> = Vec::new();
    let mut edge_idents: Vec<&str> = Vec::new();
    for (referencer, (_, tags)) in files.iter().enumerate() {
        for (ident, count) in &tags.references {
            let Some(definers) = defines.get(ident.as_str()) else {
                continue;
            };
            if definers.len() > MAX_DEFINERS {
                continue;
            }
            let weight = identifier_weight(ident, definers.len(), input.mentioned.contains(ident))
                * f64::from(*count).sqrt();
            for &definer in definers.iter().filter(|&&d| d != referencer) {
                edges.push(Edge {
                    from: referencer,
                    to: definer,
                    weight,
                });
                edge_idents.push(ident.as_str());
            }
        }
    }
    let personalization: Vec<f64> = files
        .iter()
        .map(|(path, _)| {
            if input.focus_files.contains(*path) {
                files.len() as f64 / input.focus_files.len().max(1) as f64
            } else {
                1.0
            }
        })
        .collect();
    let file_ranks = pagerank(
        files.len(),
        &edges,
        Some(&personalization),
        PageRankOptions::default(),
    );
    let mut out_weight = vec![0.0; files.len()];
    for edge in &edges {
        out_weight[edge.from] += edge.weight;
    }
    let mut definition_rank: HashMap<(usize, &str), f64> = HashMap::new();
    for (edge, ident) in edges.iter().zip(&edge_idents) {
        *definition_rank.entry((edge.to, ident)).or_default() +=
            file_ranks[edge.from] * edge.weight / out_weight[edge.from];
    }
    // Every definition gets a score: what its edges brought, and a sliver of its file's rank so
    // unreferenced definitions follow in file order instead of vanishing.
    let mut scored: Vec<(f64, usize, &Definition)> = Vec::new();
    for (i, (_, tags)) in files.iter().enumerate() {
        for definition in &tags.definitions {
            let linked = definition_rank
                .get(&(i, definition.name.as_str()))
                .copied()
                .unwrap_or(0.0);
            scored.push((linked + file_ranks[i] * 1e-3, i, definition));
        }
    }
    scored.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| files[a.1].0.cmp(files[b.1].0))
            .then_with(|| a.2.line.cmp(&b.2.line))
    });
    Ranked {
        file_ranks,
        definitions: scored.into_iter().map(|(_, i, d)| (i, d)).collect(),
    }
}

/// The largest number of best definitions whose rendering fits `budget` (binary search: the
/// rendered size grows with the count).
fn fit(
    files: &[(&str, &FileTags)],
    ranked: &[(usize, &Definition)],
    budget: usize,
) -> (String, usize) {
    let (mut low, mut high) = (0usize, ranked.len());
    let mut best = (String::new(), 0usize);
    while low <= high {
        let middle = low + (high - low) / 2;
        let text = render(files, &ranked[..middle]);
        let size = tokens::estimate(&text);
        if size <= budget {
            best = (text, size);
            if middle == ranked.len() {
                break;
            }
            low = middle + 1;
        } else {
            if middle == 0 {
                break;
            }
            high = middle - 1;
        }
    }
    best
}

/// Files in order of their best definition; each file's chosen definitions in line order.
fn render(files: &[(&str, &FileTags)], chosen: &[(usize, &Definition)]) -> String {
    let mut order: Vec<usize> = Vec::new();
    let mut by_file: HashMap<usize, Vec<&Definition>> = HashMap::new();
    for (file, definition) in chosen {
        let list = by_file.entry(*file).or_default();
        if list.is_empty() {
            order.push(*file);
        }
        list.push(definition);
    }
    let mut text = String::new();
    for file in order {
        let _ = writeln!(text, "{}:", files[file].0);
        let mut definitions = by_file.remove(&file).unwrap_or_default();
        definitions.sort_by_key(|d| d.line);
        for definition in definitions {
            let _ = writeln!(text, "  {:>4}│ {}", definition.line, definition.signature);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn definition(name: &str, line: u32) -> Definition {
        Definition {
            name: name.into(),
            kind: "function".into(),
            line,
            signature: format!("fn {name}()"),
        }
    }

    fn tags(defs: &[&str], refs: &[&str]) -> FileTags {
        FileTags {
            definitions: defs
                .iter()
                .enumerate()
                .map(|(i, n)| definition(n, i as u32 + 1))
                .collect(),
            references: refs.iter().map(|r| (r.to_string(), 1)).collect(),
        }
    }

    #[test]
    fn specific_names_weigh_more() {
        assert_eq!(identifier_weight("parse_config", 1, false), 10.0);
        assert_eq!(identifier_weight("new", 1, false), 1.0);
        assert!((identifier_weight("_x", 1, false) - 0.1).abs() < 1e-12);
        assert!((identifier_weight("new", 6, true) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn referenced_files_rank_first_and_focus_moves_ranks() {
        let core = tags(&["load_settings"], &[]);
        let a = tags(&["run_a"], &["load_settings"]);
        let b = tags(&["run_b"], &["load_settings"]);
        let files = vec![("a.rs", &a), ("b.rs", &b), ("core.rs", &core)];
        let none = HashSet::new();
        let map = build(&MapInput {
            files: files.clone(),
            focus_files: &none,
            mentioned: &none,
            budget: 1000,
        });
        assert_eq!(map.ranked_files[0].path, "core.rs");
        assert!(map.text.starts_with("core.rs:\n"), "{}", map.text);
        let focus: HashSet<String> = ["b.rs".to_owned()].into();
        let map = build(&MapInput {
            files,
            focus_files: &focus,
            mentioned: &none,
            budget: 1000,
        });
        let rank_of = |p: &str| map.ranked_files.iter().find(|f| f.path == p).unwrap().rank;
        assert!(rank_of("b.rs") > rank_of("a.rs"));
    }

    #[test]
    fn the_map_fits_its_budget_closely() {
        let many: Vec<FileTags> = (0..200)
            .map(|i| {
                tags(
                    &[&format!("function_number_{i}")],
                    &[&format!("function_number_{}", (i + 1) % 200)],
                )
            })
            .collect();
        let names: Vec<String> = (0..200).map(|i| format!("src/file_{i}.rs")).collect();
        let files: Vec<(&str, &FileTags)> =
            names.iter().map(String::as_str).zip(many.iter()).collect();
        let none = HashSet::new();
        let map = build(&MapInput {
            files,
            focus_files: &none,
            mentioned: &none,
            budget: 512,
        });
        assert!(map.tokens <= 512, "{}", map.tokens);
        assert!(map.tokens as f64 >= 512.0 * 0.85, "{}", map.tokens);
        assert_eq!(map.tokens, tokens::estimate(&map.text));
    }
}
