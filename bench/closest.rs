//! The closest-text matcher on the files that made it slow: a search block that matches
//! nothing, against a file of very long lines (minified code, a generated table) and against an
//! ordinary source file, so a bound that costs the ordinary case is seen too.
//!
//! `cargo bench --bench closest`. Prints the time of one call per case (median of a few).

#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::time::{Duration, Instant};

use automaintainer::implement::closest::closest_match;

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn time(name: &str, content: &str, search: &str, rounds: usize) {
    let mut runs = Vec::new();
    let mut hint = None;
    for _ in 0..rounds {
        let started = Instant::now();
        hint = closest_match(content, search);
        runs.push(started.elapsed());
    }
    let (line, score) = hint.map_or((0, 0.0), |(line, _, score)| (line, score));
    println!(
        "{name:<44} {:>10.1} ms   (closest: line {line}, {:.0}%)",
        median(runs).as_secs_f64() * 1000.0,
        score * 100.0
    );
}

fn main() {
    // 40 lines of 20,000 characters each (800 KB), as minified JavaScript looks.
    let long_line: String = (0..2_000)
        .map(|i| format!("var a{i}=b{i}+1;"))
        .collect::<String>();
    let long_lines: String = (0..40).map(|i| format!("/*{i}*/{long_line}\n")).collect();
    let long_search: String = (0..300).map(|i| format!("let x{i} = y{i} * 2; ")).collect();
    time(
        "long lines, long search block",
        &long_lines,
        &long_search,
        3,
    );
    time(
        "long lines, one-line search",
        &long_lines,
        "function missing() { return 42; }",
        3,
    );

    // An ordinary 3,000-line source file and a near miss in it.
    let source: String = (0..3_000)
        .map(|i| format!("    let value_{i} = compute({i}, \"label {i}\");\n"))
        .collect();
    let near_miss = "    let value_1500 = compute(1500, \"label 1500\")\n    let value_1501 = compute(1501, \"label 1501\");";
    time("3,000 ordinary lines, near miss", &source, near_miss, 5);
}
