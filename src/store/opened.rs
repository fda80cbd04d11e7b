//! The stores this process has opened and migrated, shared on the async runtime that opened
//! them. `automaintainer run` calls its ten phases in one process, and each phase opened the
//! same database again: a new pool and its first connection (SQLite: a worker thread and the
//! WAL pragmas; PostgreSQL: a TCP connection and its authentication), then sqlx's migration
//! check (five statements; PostgreSQL's advisory lock). A phase now gets the store an earlier
//! phase of the same runtime opened, already migrated.
//!
//! Shared only where it is the same database through the same runtime: a pool's connections
//! belong to the runtime whose I/O driver they use, so another runtime (a phase binary, a test)
//! opens its own; a SQLite file is the same only while its device and inode are (a file deleted
//! and made again, perhaps at an older schema, is opened and migrated afresh); an in-memory
//! database is new at every open, as before. Only weak references are kept: a store nobody
//! holds any more is closed as before, and the next open makes a new one.

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use sha2::{Digest, Sha256};

use super::Store;

/// One database through one runtime. The URL is kept as a digest: it may carry a password.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    runtime: tokio::runtime::Id,
    url: [u8; 32],
    /// A SQLite file's device and inode.
    file: Option<(u64, u64)>,
}

impl Key {
    /// The key of `url` opened from the current runtime; None outside a runtime, for an
    /// in-memory database, and for a SQLite file that does not exist (yet).
    fn of(url: &str) -> Option<Self> {
        let runtime = tokio::runtime::Handle::try_current().ok()?.id();
        let file = if url.starts_with("sqlite:") {
            if super::sqlite::in_memory(url) {
                return None;
            }
            let options = sqlx::sqlite::SqliteConnectOptions::from_str(url).ok()?;
            let meta = std::fs::metadata(options.get_filename()).ok()?;
            Some((meta.dev(), meta.ino()))
        } else {
            None
        };
        Some(Self {
            runtime,
            url: Sha256::digest(url.as_bytes()).into(),
            file,
        })
    }
}

type Opened = HashMap<Key, Weak<dyn Store>>;

fn opened() -> std::sync::MutexGuard<'static, Opened> {
    static OPENED: OnceLock<Mutex<Opened>> = OnceLock::new();
    let mutex = OPENED.get_or_init(Default::default);
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// The store this runtime opened and migrated for `url`, while someone still holds it.
pub(super) fn get(url: &str) -> Option<Arc<dyn Store>> {
    let key = Key::of(url)?;
    opened().get(&key).and_then(Weak::upgrade)
}

/// Keeps `store`, just opened and migrated for `url`, for the later opens of this runtime;
/// forgets the stores nobody holds any more.
pub(super) fn keep(url: &str, store: &Arc<dyn Store>) {
    let Some(key) = Key::of(url) else {
        return;
    };
    let mut opened = opened();
    opened.retain(|_, store| store.strong_count() > 0);
    opened.insert(key, Arc::downgrade(store));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::Secret;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    /// How many migrations the database at `url` has, read through a connection of its own.
    async fn applied(url: &Secret) -> i64 {
        let store = crate::store::SqliteStore::connect(url.expose())
            .await
            .unwrap();
        sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success")
            .fetch_one(store.pool())
            .await
            .unwrap()
    }

    #[test]
    fn a_second_open_on_one_runtime_is_the_first_store() {
        let dir = tempfile::tempdir().unwrap();
        let url = Secret::new(super::super::sqlite_url(&dir.path().join("am.db")));
        runtime().block_on(async {
            let first = super::super::open(Some(&url)).await.unwrap();
            let second = super::super::open(Some(&url)).await.unwrap();
            assert!(Arc::ptr_eq(&first, &second));
            // Nobody holds it any more: nothing is kept open.
            drop((first, second));
            assert!(get(url.expose()).is_none());
        });
    }

    #[test]
    fn another_runtime_opens_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let url = Secret::new(super::super::sqlite_url(&dir.path().join("am.db")));
        let first = runtime().block_on(super::super::open(Some(&url))).unwrap();
        let second = runtime().block_on(super::super::open(Some(&url))).unwrap();
        assert!(!Arc::ptr_eq(&first, &second));
    }

    #[test]
    fn a_file_made_again_at_an_older_schema_is_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("am.db");
        let url = Secret::new(super::super::sqlite_url(&path));
        runtime().block_on(async {
            let first = super::super::open(Some(&url)).await.unwrap();
            let all = applied(&url).await;
            assert!(all > 1);
            // The file goes (the store still holds it open) and comes back with the first
            // migration only, as an older release would have left it.
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
            let older = crate::store::SqliteStore::connect(url.expose())
                .await
                .unwrap();
            let mut migrator = sqlx::migrate!("migrations/sqlite");
            migrator.migrations = std::borrow::Cow::Owned(migrator.migrations[..1].to_vec());
            migrator.run(older.pool()).await.unwrap();
            drop(older);
            let second = super::super::open(Some(&url)).await.unwrap();
            assert!(!Arc::ptr_eq(&first, &second));
            assert_eq!(applied(&url).await, all);
        });
    }

    #[test]
    fn in_memory_databases_are_never_shared() {
        runtime().block_on(async {
            let url = Secret::new("sqlite::memory:");
            let first = super::super::open(Some(&url)).await.unwrap();
            let second = super::super::open(Some(&url)).await.unwrap();
            assert!(!Arc::ptr_eq(&first, &second));
        });
    }
}
