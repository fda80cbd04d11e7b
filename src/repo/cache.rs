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

/// Where build directories kept between runs live (one per repository, see
/// `crate::runner::build_dir`). Inside the data directory by default, beside the store: the
/// sandbox masks that directory whole and binds back only the running repository's build.
pub fn builds_dir(cache: &Path) -> PathBuf {
    std::path::absolute(cache)
        .unwrap_or_else(|_| cache.to_path_buf())
        .join("builds")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_are_kept_in_the_cache() {
        assert_eq!(
            builds_dir(Path::new("/srv/am-cache")),
            PathBuf::from("/srv/am-cache/builds")
        );
    }
}
