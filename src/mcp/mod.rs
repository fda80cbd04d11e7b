//! The memory served over the Model Context Protocol (`automaintainer mcp`, stdio): a
//! repository's learnings, runs and pull-request outcomes as resources, and a search over the
//! learnings as a tool, so a maintainer's own coding agent can use what this project learned.
//! Read-only: nothing here writes to the store.

pub mod memory;
pub mod server;
pub mod uri;

pub use server::{serve_stdio, MemoryServer};
