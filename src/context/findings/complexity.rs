//! The most complex functions (cognitive complexity from the code metrics), as refactoring
//! candidates.

use crate::artifacts::{Finding, FindingKind};
use crate::context::walk::FileRecord;

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
