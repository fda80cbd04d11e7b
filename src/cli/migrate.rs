//! `automaintainer migrate`: applies the store's pending migrations to the database
//! `DATABASE_URL` names (or the embedded SQLite default), e.g. before a deployment's first run.

use crate::error::Error;
use crate::secrets::Secrets;

#[derive(Debug, clap::Args)]
pub struct MigrateArgs {}

pub fn run(_args: &MigrateArgs, secrets: &Secrets) -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("start the async runtime", e))?;
    runtime.block_on(async {
        // Opening migrates; running them again is a no-op that confirms the schema is current.
        let store = crate::store::open(secrets.database_url.as_ref()).await?;
        store.migrate().await?;
        tracing::info!("the {} store is migrated", store.backend());
        Ok(())
    })
}
