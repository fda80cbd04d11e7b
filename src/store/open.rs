//! Choosing and opening the store: PostgreSQL for a `postgres://` URL, SQLite for a
//! `sqlite:` URL or, with no URL, the embedded default file in the user's data directory.
//! Either is migrated on open (sqlx takes a lock, so concurrent openers apply each migration
//! once), so a fresh database is usable at once.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{PgStore, SqliteStore, Store, StoreError};
use crate::secrets::Secret;

/// Opens and migrates the store `url` names (`DATABASE_URL`), or the embedded default; on a
/// runtime that opened the same database before and still holds it, that store (`opened`).
pub async fn open(url: Option<&Secret>) -> Result<Arc<dyn Store>, StoreError> {
    let url = match url.map(Secret::expose) {
        Some(url) => url.to_owned(),
        None => {
            let path = default_sqlite_path()?;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| {
                    StoreError::Invalid(format!("create the data directory {}: {e}", dir.display()))
                })?;
            }
            sqlite_url(&path)
        }
    };
    if let Some(store) = super::opened::get(&url) {
        tracing::debug!("the {} store is open already", store.backend());
        return Ok(store);
    }
    let store: Arc<dyn Store> =
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Arc::new(PgStore::connect(&url).await?)
        } else if url.starts_with("sqlite:") {
            Arc::new(SqliteStore::connect(&url).await?)
        } else {
            return Err(StoreError::Invalid(
                "open the store: DATABASE_URL must start with postgres://, postgresql:// or sqlite:"
                    .to_owned(),
            ));
        };
    store.migrate().await?;
    super::opened::keep(&url, &store);
    tracing::debug!("opened the {} store", store.backend());
    Ok(store)
}

/// `$AM_DATA_DIR/automaintainer.db`, or `<data dir>/automaintainer/automaintainer.db`
/// (`~/.local/share` on Linux).
pub fn default_sqlite_path() -> Result<PathBuf, StoreError> {
    let dir = match std::env::var_os("AM_DATA_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => dirs::data_dir()
            .ok_or_else(|| {
                StoreError::Invalid(
                    "find the user's data directory for the embedded store: set AM_DATA_DIR or DATABASE_URL"
                        .to_owned(),
                )
            })?
            .join("automaintainer"),
    };
    Ok(dir.join("automaintainer.db"))
}

/// The `sqlite://` URL of a database file.
pub fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_in_memory_sqlite_store_keeps_its_one_database() {
        let store = open(Some(&Secret::new("sqlite::memory:"))).await.unwrap();
        assert_eq!(store.backend(), "sqlite");
        let run = crate::store::NewRun {
            run_id: "r".into(),
            repository: "repo".into(),
            trigger: "local".into(),
            model: "offline".into(),
            started_at: crate::store::clock::now(),
        };
        store.register_run(&run).await.unwrap();
        // Every query must reach the same database, which lives in one connection.
        for _ in 0..3 {
            assert!(store.run_detail("r").await.unwrap().is_some());
        }
    }

    #[tokio::test]
    async fn an_unknown_scheme_is_refused_by_name() {
        let error = open(Some(&Secret::new("mysql://db/x"))).await.unwrap_err();
        assert!(
            error.to_string().contains("DATABASE_URL must start with"),
            "{error}"
        );
        assert!(!error.to_string().contains("mysql://db/x"));
    }
}
