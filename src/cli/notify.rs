//! `automaintainer notify digest`: sends the daily digest (the runs of the last 24 hours across
//! every repository in the store) to `AM_WEBHOOK_URL` now, for a cron job or a Kestra schedule;
//! a run's cleanup sends it too, once a day, whichever comes first.

use std::io::Write;

use crate::contract::InputError;
use crate::error::Error;
use crate::notify::digest::{self, Sent};
use crate::secrets::Secrets;

#[derive(Debug, clap::Args)]
pub struct NotifyArgs {
    #[command(subcommand)]
    what: NotifyCommand,
}

#[derive(Debug, clap::Subcommand)]
enum NotifyCommand {
    /// Send the digest of the last 24 hours (once per UTC day, unless --force).
    Digest {
        /// Send it even when today's digest was sent already.
        #[arg(long)]
        force: bool,
        /// Print the digest on stdout instead of sending it.
        #[arg(long)]
        print: bool,
    },
}

pub fn run(args: &NotifyArgs, secrets: &Secrets) -> Result<(), Error> {
    let NotifyCommand::Digest { force, print } = args.what;
    if !print && secrets.webhook_url.is_none() {
        return Err(InputError(
            "AM_WEBHOOK_URL is not set: there is nowhere to send the digest (--print shows it)"
                .to_owned(),
        )
        .into());
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("start the async runtime", e))?;
    runtime.block_on(async {
        let store = crate::store::open(secrets.database_url.as_ref()).await?;
        let now = crate::store::clock::now();
        if print {
            let text = digest::collect(store.as_ref(), now).await?.text();
            let text = secrets.redactor().redact(&text);
            let mut stdout = std::io::stdout().lock();
            return match writeln!(stdout, "{text}") {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(Error::io("write the digest", e))
                }
                _ => Ok(()),
            };
        }
        match digest::send(store.as_ref(), secrets, now, force).await? {
            Sent::Sent => {
                tracing::info!("sent the daily digest");
                Ok(())
            }
            Sent::AlreadySent => {
                tracing::info!("today's digest was sent already (--force sends it again)");
                Ok(())
            }
            Sent::NotConfigured => Err(InputError(
                "the webhook takes no digests: AM_WEBHOOK_EVENTS leaves `digest` out, or AM_WEBHOOK_URL is no http(s) URL"
                    .to_owned(),
            )
            .into()),
            Sent::Failed => Err(Error::step(
                "send the daily digest",
                "the webhook did not take it (the warning above says why)",
            )),
        }
    })
}
