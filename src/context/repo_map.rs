//! The ranked repo map, as aider builds it: files linked by the identifiers one defines and
//! another references, ranked by weighted personalized PageRank, rendered as the best-ranked
//! definitions with their signatures, as many as fit the token budget.
//!
//! The ranking reads the lexical tags of every file (cheap: no parse); only the files whose
//! definitions can reach the map are parsed for their signatures, best first, until the
//! definitions no unparsed file can outrank fill the budget. Since a definition the parse finds
//! and the lexical pass missed has no edges of its own, no unparsed file can hold a definition
//! scoring above its best lexical one, so the map is the one parsing every file would give.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use rustc_hash::FxHashMap;
use std::fmt::Write as _;

use super::tokens;
use crate::analysis::rank::{pagerank_grouped, GroupLink, PageRankOptions};
use crate::analysis::tags::{Definition, FileTags};
use crate::artifacts::{RankedFile, RepoMap};

/// Identifiers defined in more files than this link nothing in particular (`new`, `fmt`,
/// `main`); aider damps them, and at tens of thousands of files they would also multiply edges.
const MAX_DEFINERS: usize = 32;
/// Files listed in `ranked_files`.
const MAX_RANKED_FILES: usize = 200;
/// Files parsed in the first round; each further round parses half as many again, so no more
/// than about a third of the files parsed are parsed for nothing. (The map is the same whatever
/// the rounds: the best definitions that fit. Rounds of 8 after the first parsed 80 files for
/// tokio's map where these parse 76, in 9 rounds instead of 3.)
const FIRST_ROUND: usize = 16;

/// What the map is built from.
#[derive(Debug)]
pub struct MapInput<'a> {
    /// (path, lexical tags) of every file the map may show: the definitions and references
    /// that rank the files.
    pub files: Vec<(&'a str, &'a FileTags)>,
    /// Files the run should favour: named by eligible issues, changed recently.
    pub focus_files: &'a HashSet<String>,
    /// Identifiers named by eligible issues.
    pub mentioned: &'a HashSet<String>,
    /// Token budget of the rendered map.
    pub budget: usize,
}

/// Builds the map. `parse` returns the full tags (definitions with signatures) of the files
/// asked for, by index into `input.files` and in that order; it is asked in rounds, best
/// ranked files first, and never for a file twice.
pub fn build(input: &MapInput<'_>, parse: &mut dyn FnMut(&[usize]) -> Vec<FileTags>) -> RepoMap {
    build_in_rounds(input, parse, FIRST_ROUND)
}

fn build_in_rounds(
    input: &MapInput<'_>,
    parse: &mut dyn FnMut(&[usize]) -> Vec<FileTags>,
    first_round: usize,
) -> RepoMap {
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
    let parsed = parse_enough(input, &ranked, parse, first_round);
    let paths: Vec<&str> = input.files.iter().map(|(path, _)| *path).collect();
    let definitions = ranked.order(&paths, &parsed);
    let (text, tokens) = fit(&paths, &definitions, input.budget);
    RepoMap {
        text,
        tokens,
        budget: input.budget,
        ranked_files,
    }
}

/// Ranks of files, and what the edges hand on to each file's definitions.
struct Ranked<'a> {
    file_ranks: Vec<f64>,
    /// Each defined identifier's index into `received`.
    identifiers: FxHashMap<&'a str, usize>,
    /// Per identifier, the rank every edge naming it hands on (each of its definers gets it all
    /// but what it sent itself).
    received: Vec<f64>,
    /// What a file sent along edges naming an identifier it defines itself: (file, identifier)
    /// to rank.
    sent_to_itself: FxHashMap<(usize, usize), f64>,
}

impl Ranked<'_> {
    /// A definition's score: what its edges brought, and a sliver of its file's rank so
    /// unreferenced definitions follow in file order instead of vanishing.
    fn score(&self, file: usize, name: &str) -> f64 {
        let linked = self.identifiers.get(name).map_or(0.0, |&id| {
            self.received[id] - self.sent_to_itself.get(&(file, id)).copied().unwrap_or(0.0)
        });
        linked + self.file_ranks[file] * 1e-3
    }

    /// Every definition of the `parsed` files, best first.
    fn order<'t>(
        &self,
        paths: &[&str],
        parsed: &'t [(usize, FileTags)],
    ) -> Vec<(f64, usize, &'t Definition)> {
        let mut scored: Vec<(f64, usize, &Definition)> = parsed
            .iter()
            .flat_map(|(file, tags)| {
                tags.definitions
                    .iter()
                    .map(move |d| (self.score(*file, &d.name), *file, d))
            })
            .collect();
        scored.sort_by(|a, b| {
            better(a.0, paths[a.1], b.0, paths[b.1]).then_with(|| a.2.line.cmp(&b.2.line))
        });
        scored
    }
}

/// The order of definitions and files: higher score first, then by path.
fn better(score_a: f64, path_a: &str, score_b: f64, path_b: &str) -> Ordering {
    score_b.total_cmp(&score_a).then_with(|| path_a.cmp(path_b))
}

/// Parses files in order of their best lexical definition until the parsed definitions that
/// no unparsed file can outrank fill the budget (or every file is parsed).
fn parse_enough(
    input: &MapInput<'_>,
    ranked: &Ranked<'_>,
    parse: &mut dyn FnMut(&[usize]) -> Vec<FileTags>,
    first_round: usize,
) -> Vec<(usize, FileTags)> {
    let paths: Vec<&str> = input.files.iter().map(|(path, _)| *path).collect();
    let mut queue: Vec<(f64, usize)> = input
        .files
        .iter()
        .enumerate()
        .map(|(i, (_, tags))| {
            let best = tags
                .definitions
                .iter()
                .map(|d| ranked.score(i, &d.name))
                .fold(ranked.file_ranks[i] * 1e-3, f64::max);
            (best, i)
        })
        .collect();
    queue.sort_by(|a, b| better(a.0, paths[a.1], b.0, paths[b.1]));
    let mut parsed: Vec<(usize, FileTags)> = Vec::new();
    let mut next = 0;
    let mut round = first_round;
    let mut rounds = 1;
    while next < queue.len() {
        let asked: Vec<usize> = queue[next..next.saturating_add(round).min(queue.len())]
            .iter()
            .map(|(_, i)| *i)
            .collect();
        next += asked.len();
        let tags = parse(&asked);
        parsed.extend(asked.into_iter().zip(tags));
        let Some(&(bound, bound_file)) = queue.get(next) else {
            break;
        };
        let settled: Vec<(f64, usize, &Definition)> = ranked
            .order(&paths, &parsed)
            .into_iter()
            .take_while(|(score, file, _)| {
                better(*score, paths[*file], bound, paths[bound_file]) == Ordering::Less
            })
            .collect();
        if tokens::estimate(&render(&paths, &settled)) > input.budget {
            break;
        }
        round = round.saturating_add(round / 2);
        rounds += 1;
    }
    tracing::debug!(
        "the map parsed {} of {} files in {rounds} rounds",
        parsed.len(),
        queue.len()
    );
    parsed
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
    // Each defined identifier: its index and the files defining it.
    let mut identifiers: FxHashMap<&str, usize> = FxHashMap::default();
    let mut definers: Vec<Vec<usize>> = Vec::new();
    for (i, (_, tags)) in files.iter().enumerate() {
        for definition in &tags.definitions {
            let id = *identifiers
                .entry(definition.name.as_str())
                .or_insert_with(|| {
                    definers.push(Vec::new());
                    definers.len() - 1
                });
            if definers[id].last() != Some(&i) {
                definers[id].push(i);
            }
        }
    }
    // One link per (referencer, identifier), to the identifier's definers (all but the
    // referencer: aider's edges, one per definer, grouped).
    let mut links: Vec<GroupLink> = Vec::new();
    for (referencer, (_, tags)) in files.iter().enumerate() {
        for (ident, count) in &tags.references {
            let Some(&id) = identifiers.get(ident.as_str()) else {
                continue;
            };
            let others = &definers[id];
            if others.len() > MAX_DEFINERS || others == &[referencer] {
                continue;
            }
            let weight = identifier_weight(ident, others.len(), input.mentioned.contains(ident))
                * f64::from(*count).sqrt();
            links.push(GroupLink {
                from: referencer,
                group: id,
                weight,
            });
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
    let ranked = pagerank_grouped(
        files.len(),
        &definers,
        &links,
        Some(&personalization),
        PageRankOptions::default(),
    );
    let mut sent_to_itself: FxHashMap<(usize, usize), f64> = FxHashMap::default();
    for link in links.iter().filter(|l| definers[l.group].contains(&l.from)) {
        let out = ranked.out_weight[link.from];
        if out > 0.0 {
            *sent_to_itself.entry((link.from, link.group)).or_default() +=
                ranked.ranks[link.from] * link.weight / out;
        }
    }
    Ranked {
        file_ranks: ranked.ranks,
        identifiers,
        received: ranked.carried,
        sent_to_itself,
    }
}

/// The largest number of best definitions whose rendering fits `budget` (binary search: the
/// rendered size grows with the count).
fn fit(paths: &[&str], ranked: &[(f64, usize, &Definition)], budget: usize) -> (String, usize) {
    let (mut low, mut high) = (0usize, ranked.len());
    let mut best = (String::new(), 0usize);
    while low <= high {
        let middle = low + (high - low) / 2;
        let text = render(paths, &ranked[..middle]);
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
fn render(paths: &[&str], chosen: &[(f64, usize, &Definition)]) -> String {
    let mut order: Vec<usize> = Vec::new();
    let mut by_file: HashMap<usize, Vec<&Definition>> = HashMap::new();
    for (_, file, definition) in chosen {
        let list = by_file.entry(*file).or_default();
        if list.is_empty() {
            order.push(*file);
        }
        list.push(definition);
    }
    let mut text = String::new();
    for file in order {
        let _ = writeln!(text, "{}:", paths[file]);
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

    /// Every file parsed, its full tags being `files`' own.
    fn parse_from<'a>(
        files: &'a [(&str, &FileTags)],
    ) -> impl FnMut(&[usize]) -> Vec<FileTags> + 'a {
        move |asked| asked.iter().map(|&i| files[i].1.clone()).collect()
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
        let map = build(
            &MapInput {
                files: files.clone(),
                focus_files: &none,
                mentioned: &none,
                budget: 1000,
            },
            &mut parse_from(&files),
        );
        assert_eq!(map.ranked_files[0].path, "core.rs");
        assert!(map.text.starts_with("core.rs:\n"), "{}", map.text);
        let focus: HashSet<String> = ["b.rs".to_owned()].into();
        let map = build(
            &MapInput {
                files: files.clone(),
                focus_files: &focus,
                mentioned: &none,
                budget: 1000,
            },
            &mut parse_from(&files),
        );
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
        let map = build(
            &MapInput {
                files: files.clone(),
                focus_files: &none,
                mentioned: &none,
                budget: 512,
            },
            &mut parse_from(&files),
        );
        assert!(map.tokens <= 512, "{}", map.tokens);
        assert!(map.tokens as f64 >= 512.0 * 0.85, "{}", map.tokens);
        assert_eq!(map.tokens, tokens::estimate(&map.text));
    }

    /// 300 files, each defining two functions and calling a few others (a fixed pseudo-random
    /// choice, so ranks differ): the lexical tags (no signatures) rank them; parsing gives the
    /// signatures.
    fn corpus() -> (Vec<String>, Vec<FileTags>, Vec<FileTags>) {
        let mut state = 7u64;
        let mut next = move |n: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        let mut full = Vec::new();
        for i in 0..300 {
            let calls: Vec<String> = (0..4)
                .map(|_| {
                    // Low numbers are called more: a skewed graph, as real ones are.
                    let target = next(300).min(next(300));
                    format!("compute_value_{target}")
                })
                .collect();
            let calls: Vec<&str> = calls.iter().map(String::as_str).collect();
            full.push(tags(
                &[&format!("compute_value_{i}"), &format!("render_item_{i}")],
                &calls,
            ));
        }
        let lexical = full
            .iter()
            .map(|t| FileTags {
                definitions: t
                    .definitions
                    .iter()
                    .map(|d| Definition {
                        signature: String::new(),
                        ..d.clone()
                    })
                    .collect(),
                references: t.references.clone(),
            })
            .collect();
        let names = (0..300).map(|i| format!("src/file_{i:03}.rs")).collect();
        (names, lexical, full)
    }

    #[test]
    fn only_the_files_the_map_shows_are_parsed_and_the_map_is_the_full_parse_one() {
        let (names, lexical, full) = corpus();
        let files: Vec<(&str, &FileTags)> = names
            .iter()
            .map(String::as_str)
            .zip(lexical.iter())
            .collect();
        let none = HashSet::new();
        let input = MapInput {
            files,
            focus_files: &none,
            mentioned: &none,
            budget: 512,
        };
        let mut asked: Vec<usize> = Vec::new();
        let lazy = build(&input, &mut |files: &[usize]| {
            asked.extend_from_slice(files);
            files.iter().map(|&i| full[i].clone()).collect()
        });
        let everything = build_in_rounds(
            &input,
            &mut |files: &[usize]| files.iter().map(|&i| full[i].clone()).collect(),
            usize::MAX,
        );
        assert_eq!(lazy.text, everything.text);
        let one_by_one = build_in_rounds(
            &input,
            &mut |files: &[usize]| files.iter().map(|&i| full[i].clone()).collect(),
            1,
        );
        assert_eq!(one_by_one.text, everything.text);
        assert!(
            lazy.text.contains("│ fn compute_value_0()"),
            "{}",
            lazy.text
        );
        assert!(lazy.tokens as f64 >= 512.0 * 0.85, "{}", lazy.tokens);
        let unique: HashSet<usize> = asked.iter().copied().collect();
        assert_eq!(unique.len(), asked.len(), "a file parsed twice");
        let shown = lazy.text.lines().filter(|l| l.ends_with(':')).count();
        assert!(
            asked.len() <= 300 / 3 && asked.len() >= shown,
            "{} files parsed for {shown} shown",
            asked.len()
        );
    }
}
