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
    #[error("find run {0}: it was never registered")]
    UnknownRun(String),
    #[error("find learning {0}")]
    UnknownLearning(i64),
    /// A value the store refuses, said in full (e.g. "store a learning: its content has no words").
    #[error("{0}")]
    Invalid(String),
    #[error("read the store: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// Wraps a driver error with what was being done, for `map_err`.
    pub fn query(action: impl Into<String>) -> impl FnOnce(sqlx::Error) -> StoreError {
        let action = action.into();
        move |source| StoreError::Query { action, source }
    }
}
