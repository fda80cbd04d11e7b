//! Connection pool limits shared by both backends.

use std::time::Duration;

/// The most connections one process holds.
pub const MAX_CONNECTIONS: u32 = 20;
/// How long a query waits for a free connection before failing.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);
/// Idle connections are closed after this long.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(300);
/// How long SQLite waits for another writer's lock before failing.
pub const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(30);
