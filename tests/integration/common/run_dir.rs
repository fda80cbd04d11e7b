//! Run directories as am-setup leaves them: made and marked, so the phases that change files
//! accept them.

use std::path::Path;

/// Creates `dir` (if need be) and writes am-setup's marker into it.
pub fn mark(dir: &Path, run_id: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join(automaintainer::phases::run_dir::MARKER),
        format!("{run_id}\n"),
    )
    .unwrap();
}
