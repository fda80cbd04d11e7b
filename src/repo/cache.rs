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
/// `crate::runner::build_dir`): `builds` in the cache, unless the cache is the store's data
/// directory (the default) or holds it, then the user's cache directory; None when that too
/// would lie inside the data directory.
pub fn builds_dir(cache: &Path, store_dir: Option<&Path>) -> Option<PathBuf> {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let store = store_dir.map(absolute);
    let inside_store = |dir: &Path| {
        store
            .as_deref()
            .is_some_and(|store| dir.starts_with(store) || store.starts_with(dir))
    };
    let in_cache = absolute(cache).join("builds");
    if !inside_store(&absolute(cache)) {
        return Some(in_cache);
    }
    let user = dirs::cache_dir()?.join("automaintainer").join("builds");
    (!inside_store(&user)).then_some(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_are_kept_outside_the_store_directory() {
        let cache = Path::new("/srv/am-cache");
        assert_eq!(
            builds_dir(cache, Some(Path::new("/srv/am-data"))),
            Some(PathBuf::from("/srv/am-cache/builds"))
        );
        // The default: the cache is the data directory with the store in it.
        let kept = builds_dir(cache, Some(cache));
        assert!(
            kept.as_deref().is_none_or(|k| !k.starts_with(cache)),
            "{kept:?}"
        );
        assert!(
            builds_dir(Path::new("/srv/am/cache"), Some(Path::new("/srv/am")))
                .is_none_or(|k| !k.starts_with("/srv/am"))
        );
    }
}
