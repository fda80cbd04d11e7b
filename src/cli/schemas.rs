//! `automaintainer schemas`: writes `schemas/`, or with `--check` fails when it is stale.

use std::path::PathBuf;

use crate::error::Error;

#[derive(Debug, clap::Args)]
pub struct SchemasArgs {
    /// The directory to write.
    #[arg(long, default_value = "schemas")]
    dir: PathBuf,
    /// Write nothing; fail when a file is missing or differs.
    #[arg(long)]
    check: bool,
}

pub fn run(args: &SchemasArgs) -> Result<(), Error> {
    if args.check {
        let stale = crate::schemas::stale(&args.dir)?;
        if stale.is_empty() {
            tracing::info!("schemas in {} are current", args.dir.display());
            return Ok(());
        }
        return Err(Error::step(
            format!("check the schemas in {}", args.dir.display()),
            format!("stale: {} (run `automaintainer schemas`)", stale.join(", ")),
        ));
    }
    for path in crate::schemas::write_all(&args.dir)? {
        tracing::info!("wrote {}", path.display());
    }
    Ok(())
}
