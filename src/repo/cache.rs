//! The cache kept between runs: repository mirrors and parsed tags. It lives outside every run
//! directory, so cleanup never touches it.

use std::path::{Path, PathBuf};

/// The cache directory: the input's choice, else `AM_CACHE_DIR`, else the data directory the
/// store uses too (`AM_DATA_DIR`, else the user's).
pub fn cache_dir(explicit: Option<&Path>) -> PathBuf {
    if let Some(dir) = explicit {
        return dir.to_path_buf();
    }
    if let Some(dir) = std::env::var_os("AM_CACHE_DIR").filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("AM_DATA_DIR").filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    dirs::data_dir()
        .or_else(dirs::home_dir)
        .unwrap_or_else(std::env::temp_dir)
        .join("automaintainer")
}

/// Where the bare mirrors of target repositories live.
pub fn mirrors_dir(cache: &Path) -> PathBuf {
    cache.join("mirrors")
}

/// Where parsed tags live, keyed by content hash.
pub fn tags_dir(cache: &Path) -> PathBuf {
    cache.join("tags")
}

/// The mirrors' lock files, apart from the mirrors so that a mirror removed after a failed first
/// fetch takes no lock another run waits on with it.
pub fn locks_dir(cache: &Path) -> PathBuf {
    cache.join("locks")
}
