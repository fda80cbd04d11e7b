//! The most complex functions (cognitive complexity from the code metrics), as refactoring
//! candidates. Only parsed files are measured: those the lexical estimate puts first, plus the
//! map's and the focus files, so a function the estimate underrates by far can be missed.

use crate::artifacts::{Finding, FindingKind};
use crate::context::file_analysis::COMPLEX_COGNITIVE;
use crate::context::walk::FileRecord;

/// Files whose estimated complexity is at least this are candidates for measuring: half the
/// reporting threshold, since the estimate errs low.
const MIN_ESTIMATE: u32 = COMPLEX_COGNITIVE / 2;

/// The files likeliest to hold the most complex functions, by the lexical estimate (indices
/// into `files`): as many as findings may be listed, most complex first.
pub fn candidates(files: &[FileRecord], max_findings: usize) -> Vec<usize> {
    let mut candidates: Vec<usize> = (0..files.len())
        .filter(|&i| files[i].tags.is_some() && files[i].complexity_estimate >= MIN_ESTIMATE)
        .collect();
    candidates.sort_by(|&a, &b| {
        files[b]
            .complexity_estimate
            .cmp(&files[a].complexity_estimate)
            .then_with(|| files[a].path.cmp(&files[b].path))
    });
    candidates.truncate(max_findings);
    candidates
}

/// Complex functions, most complex first; score is the cognitive complexity.
pub fn findings(files: &[FileRecord]) -> Vec<Finding> {
    let mut found: Vec<Finding> = files
        .iter()
        .flat_map(|file| {
            file.complex_functions.iter().map(|f| Finding {
                kind: FindingKind::Complexity,
                path: file.path.clone(),
                line: Some(f.line),
                message: format!(
                    "`{}` has cognitive complexity {} (cyclomatic {})",
                    f.name, f.cognitive, f.cyclomatic
                ),
                tool: "complexity".to_owned(),
                fixable: false,
                score: Some(f64::from(f.cognitive)),
            })
        })
        .collect();
    found.sort_by(|a, b| {
        b.score
            .unwrap_or(0.0)
            .total_cmp(&a.score.unwrap_or(0.0))
            .then_with(|| a.path.cmp(&b.path))
            .then_with(|| a.line.cmp(&b.line))
    });
    found
}
