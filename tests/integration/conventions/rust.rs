//! Rust crates: one that does not use rustfmt, one whose benchmark needs nightly.

use super::Case;

#[tokio::test]
async fn a_crate_without_rustfmt_is_not_reformatted() {
    let case = Case::run("rust_no_rustfmt").await;
    // clippy's fix alone: the house style of the other lines and of src/parse.rs stays.
    case.assert_change(&[(
        "src/lib.rs",
        &["pub fn none_counted(counts: &[u32]) -> bool { counts.len() == 0 }"],
        &["pub fn none_counted(counts: &[u32]) -> bool { counts.is_empty() }"],
    )]);
    case.assert_no_new_findings(
        "cargo",
        &["clippy", "--quiet", "--message-format=short"],
        "warning:",
    );
}

#[tokio::test]
async fn a_nightly_only_benchmark_is_left_out_not_failed() {
    let case = Case::run("rust_nightly_bench").await;
    case.assert_change(&[(
        "src/lib.rs",
        &["    counts.len() == 0"],
        &["    counts.is_empty()"],
    )]);
    case.assert_no_new_findings(
        "cargo",
        &[
            "clippy",
            "--lib",
            "--tests",
            "--quiet",
            "--message-format=short",
        ],
        "warning:",
    );
}
