//! What can go wrong in the store.

/// Store errors; messages read after "failed to".
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("connect to the {backend} store")]
    Connect {
        backend: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error("migrate the {backend} store")]
    Migrate {
        backend: &'static str,
        #[source]
        source: sqlx::migrate::MigrateError,
    },
    #[error("{action}")]
    Query {
        action: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("read the store: {0}")]
    Corrupt(String),
}
