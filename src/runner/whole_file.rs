//! A JSON record written whole: into a temporary file beside it, then renamed into place, so a
//! reader (another phase, a later run) sees the old record or the new one, never half of one.
//! The records a run keeps about its tree (the lint memo, the tool versions, cargo's fetch) are
//! written through it.

use std::path::Path;

use serde::Serialize;

/// Writes `value` as JSON to `file`, creating its directory.
pub(crate) fn write_json<T: Serialize + ?Sized>(file: &Path, value: &T) -> std::io::Result<()> {
    let dir = file
        .parent()
        .ok_or_else(|| std::io::Error::other("no directory"))?;
    std::fs::create_dir_all(dir)?;
    let mut temporary = tempfile::NamedTempFile::new_in(dir)?;
    serde_json::to_writer(&mut temporary, value).map_err(std::io::Error::other)?;
    temporary.persist(file).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_record_whole_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("kept/record.json");
        write_json(&file, &["a"]).unwrap();
        write_json(&file, &["b", "c"]).unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), r#"["b","c"]"#);
        assert_eq!(
            std::fs::read_dir(file.parent().unwrap()).unwrap().count(),
            1
        );
    }
}
