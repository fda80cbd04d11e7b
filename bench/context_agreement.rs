//! What the lexical first pass costs am-context in quality, on a large tree of real code
//! (BENCH_SOURCE, default ~/.cargo/registry/src): the ranking, the map and the most complex
//! functions it gives, each against parsing every file with tree-sitter as before.
//!
//!   cargo bench --bench context_agreement
//!
//! Prints the figures bench/context.md quotes. Parses every file, so it takes a while.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Instant;

use automaintainer::analysis::tags::FileTags;
use automaintainer::analysis::Language;
use automaintainer::context::file_analysis::{self, FileAnalysis};
use automaintainer::context::findings;
use automaintainer::context::repo_map::{self, MapInput};
use automaintainer::context::walk;
use rayon::prelude::*;

/// The map budget am-context uses by default.
const BUDGET: usize = 2048;
/// Findings am-context lists by default, and complex functions compared.
const MAX_FINDINGS: usize = 60;
const TOP_COMPLEX: usize = 36;

#[allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]
fn main() {
    let root = std::env::var_os("BENCH_SOURCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| dirs::home_dir().unwrap().join(".cargo/registry/src"));
    let started = Instant::now();
    let walked = walk::walk(&root);
    let lexical_time = started.elapsed();
    let indices: Vec<usize> = (0..walked.files.len())
        .filter(|&i| walked.files[i].tags.is_some())
        .collect();
    println!(
        "{} files ({} generated or vendored), {} read lexically in {:.1} s",
        walked.files.len(),
        walked.files.iter().filter(|f| f.generated).count(),
        indices.len(),
        lexical_time.as_secs_f64()
    );
    let started = Instant::now();
    let full: Vec<FileAnalysis> = indices
        .par_iter()
        .map(|&i| {
            let path = root.join(&walked.files[i].path);
            let language = Language::of_path(&path).expect("a language the map reads");
            file_analysis::analyse(language, &std::fs::read(&path).unwrap_or_default())
        })
        .collect();
    println!(
        "every one of them parsed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let none = HashSet::new();
    let paths: Vec<&str> = indices
        .iter()
        .map(|&i| walked.files[i].path.as_str())
        .collect();
    let map_of = |tags: Vec<&FileTags>, parsed: &mut usize| {
        let input = MapInput {
            files: paths.iter().copied().zip(tags).collect(),
            focus_files: &none,
            mentioned: &none,
            budget: BUDGET,
        };
        repo_map::build(&input, &mut |asked: &[usize]| {
            *parsed += asked.len();
            asked.iter().map(|&i| full[i].tags.clone()).collect()
        })
    };
    let started = Instant::now();
    let mut lexical_parsed = 0;
    let lexical = map_of(
        indices
            .iter()
            .map(|&i| walked.files[i].tags.as_ref().unwrap())
            .collect(),
        &mut lexical_parsed,
    );
    println!(
        "map ranked lexically in {:.1} s, {lexical_parsed} files parsed for it",
        started.elapsed().as_secs_f64()
    );
    let mut full_parsed = 0;
    let parsed = map_of(full.iter().map(|a| &a.tags).collect(), &mut full_parsed);
    for top in [10, 20, 50, 100] {
        let a: HashSet<&str> = parsed
            .ranked_files
            .iter()
            .take(top)
            .map(|f| f.path.as_str())
            .collect();
        let shared = lexical
            .ranked_files
            .iter()
            .take(top)
            .filter(|f| a.contains(f.path.as_str()))
            .count();
        println!("top {top} ranked files: {shared} shared");
    }
    println!("top 20 ranked files, full parse | lexical:");
    for (a, b) in parsed
        .ranked_files
        .iter()
        .zip(&lexical.ranked_files)
        .take(20)
    {
        println!("  {} | {}", a.path, b.path);
    }
    let entries = |text: &str| -> HashSet<(String, String)> {
        let mut file = String::new();
        let mut set = HashSet::new();
        for line in text.lines() {
            if let Some(path) = line.strip_suffix(':') {
                file = path.to_owned();
            } else {
                set.insert((file.clone(), line.to_owned()));
            }
        }
        set
    };
    let (a, b) = (entries(&parsed.text), entries(&lexical.text));
    let files = |text: &str| -> HashSet<String> {
        text.lines()
            .filter_map(|l| l.strip_suffix(':'))
            .map(str::to_owned)
            .collect()
    };
    let (fa, fb) = (files(&parsed.text), files(&lexical.text));
    println!(
        "map: {} definitions in {} files from the full parse, {} in {} files lexically; {} definitions and {} files shared",
        a.len(),
        fa.len(),
        b.len(),
        fb.len(),
        a.intersection(&b).count(),
        fa.intersection(&fb).count()
    );
    println!("--- full parse map (head)\n{}", head(&parsed.text, 25));
    println!("--- lexical map (head)\n{}", head(&lexical.text, 25));

    // The most complex functions: all of them, against those in the files am-context measures.
    let mut complex: Vec<(u32, usize, u32)> = full
        .iter()
        .enumerate()
        .flat_map(|(i, a)| {
            a.complex_functions
                .iter()
                .map(move |f| (f.cognitive, i, f.line))
        })
        .collect();
    complex.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    for n in [15, 30, 45] {
        let fewer: HashSet<usize> = findings::complexity::candidates(&walked.files, n)
            .into_iter()
            .collect();
        let found = complex
            .iter()
            .take(TOP_COMPLEX)
            .filter(|(_, i, _)| fewer.contains(&indices[*i]))
            .count();
        println!("complexity with {n} files measured: {found} of the {TOP_COMPLEX} most complex functions");
    }
    let candidates: HashSet<usize> = findings::complexity::candidates(&walked.files, MAX_FINDINGS)
        .into_iter()
        .collect();
    let measured = complex
        .iter()
        .take(TOP_COMPLEX)
        .filter(|(_, i, _)| candidates.contains(&indices[*i]))
        .count();
    let ours: Vec<u32> = {
        let mut ours: Vec<u32> = complex
            .iter()
            .filter(|(_, i, _)| candidates.contains(&indices[*i]))
            .map(|(c, _, _)| *c)
            .collect();
        ours.truncate(TOP_COMPLEX);
        ours
    };
    println!(
        "complexity: {measured} of the {TOP_COMPLEX} most complex functions are in the {} files measured; cognitive of the top {TOP_COMPLEX}: full parse {}..{}, measured {}..{}",
        candidates.len(),
        complex.first().map_or(0, |c| c.0),
        complex.get(TOP_COMPLEX - 1).map_or(0, |c| c.0),
        ours.first().copied().unwrap_or(0),
        ours.last().copied().unwrap_or(0),
    );
}

fn head(text: &str, lines: usize) -> String {
    text.lines().take(lines).collect::<Vec<_>>().join("\n")
}
