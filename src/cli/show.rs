//! `automaintainer show [RUN|latest]`: one run's task, pull request and diff, read from the
//! store (see [`crate::show`]); through a pager when stdout is a terminal.

use std::io::{IsTerminal, Write};
use std::process::{Command, Stdio};

use crate::contract::InputError;
use crate::error::Error;
use crate::secrets::Secrets;
use crate::show::{find, render, RunSelector, ShowError};

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The run id, or `latest` (the default).
    #[arg(default_value = "latest")]
    run: String,
    /// Print straight to stdout even in a terminal.
    #[arg(long)]
    no_pager: bool,
}

pub fn run(args: &ShowArgs, secrets: &Secrets) -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("start the async runtime", e))?;
    let selector = RunSelector::parse(&args.run);
    let text = runtime.block_on(async {
        if secrets.database_url.is_none() {
            // Looking creates nothing: without the embedded store there is nothing to show.
            let path = crate::store::default_sqlite_path()?;
            if !path.exists() {
                return Err(Error::from(InputError(format!(
                    "no runs yet: there is no store at {} (`automaintainer run` makes one)",
                    path.display()
                ))));
            }
        }
        let store = crate::store::open(secrets.database_url.as_ref()).await?;
        match find(store.as_ref(), &selector).await {
            Ok(detail) => Ok(render(&detail)),
            Err(ShowError::Store(error)) => Err(error.into()),
            Err(unknown) => Err(InputError(unknown.to_string()).into()),
        }
    })?;
    let text = secrets.redactor().redact(&text);
    if !args.no_pager && std::io::stdout().is_terminal() && page(&text) {
        return Ok(());
    }
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::io("write the run", e)),
        _ => Ok(()),
    }
}

/// Shows `text` through `$PAGER` (else `less -FRX`); false when no pager could start.
fn page(text: &str) -> bool {
    let pager = std::env::var("PAGER")
        .ok()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| "less -FRX".to_owned());
    let Some(words) = shlex::split(&pager).filter(|w| !w.is_empty()) else {
        return false;
    };
    let Ok(mut child) = Command::new(&words[0])
        .args(&words[1..])
        .stdin(Stdio::piped())
        .spawn()
    else {
        return false;
    };
    if let Some(mut stdin) = child.stdin.take() {
        // The reader may quit the pager before reading everything: not an error.
        let _ = stdin.write_all(text.as_bytes());
    }
    let _ = child.wait();
    true
}
