//! TODO, FIXME and HACK markers the walk found, as findings.

use crate::artifacts::{Finding, FindingKind};
use crate::context::walk::FileRecord;

/// One finding per marker, in path and line order.
pub fn findings(files: &[FileRecord]) -> Vec<Finding> {
    files
        .iter()
        .flat_map(|file| {
            file.markers.iter().map(|(line, text)| Finding {
                kind: FindingKind::Todo,
                path: file.path.clone(),
                line: Some(*line),
                message: text.clone(),
                tool: "grep".to_owned(),
                fixable: false,
                score: None,
            })
        })
        .collect()
}
