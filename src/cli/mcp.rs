//! `automaintainer mcp`: serves the memory store (DATABASE_URL, else the embedded SQLite
//! default) to a coding agent over MCP on stdin/stdout (see [`crate::mcp`]). stdout carries only
//! the protocol; logs go to stderr.

use crate::contract::InputError;
use crate::error::Error;
use crate::mcp::{serve_stdio, MemoryServer};
use crate::secrets::Secrets;

#[derive(Debug, clap::Args)]
pub struct McpArgs {
    /// Show only this repository (its identity, as `automaintainer://repositories` lists it).
    #[arg(long)]
    repository: Option<String>,
}

pub fn run(args: &McpArgs, secrets: &Secrets) -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::io("start the async runtime", e))?;
    runtime.block_on(async {
        if secrets.database_url.is_none() {
            // Serving creates nothing: without the embedded store there is nothing to serve.
            let path = crate::store::default_sqlite_path()?;
            if !path.exists() {
                return Err(Error::from(InputError(format!(
                    "no memory yet: there is no store at {} (`automaintainer run` makes one)",
                    path.display()
                ))));
            }
        }
        let store = crate::store::open(secrets.database_url.as_ref()).await?;
        let only = args
            .repository
            .as_deref()
            .map(crate::repo::identity::identity);
        tracing::info!(
            backend = store.backend(),
            "serving the memory over MCP on stdio"
        );
        serve_stdio(MemoryServer::new(store, only, secrets.redactor()))
            .await
            .map_err(|e| Error::step("serve the memory over MCP", e))
    })
}
