//! `automaintainer kestra`: deploy the flows to a Kestra server, trigger an execution.

use std::path::PathBuf;

use crate::error::Error;
use crate::orchestration::deploy::{self, DeploySettings};
use crate::orchestration::flow_check;
use crate::orchestration::kestra_client::{Deployed, KestraClient, KestraConfig};
use crate::orchestration::kestra_line::KestraLine;
use crate::secrets::Secrets;

#[derive(Debug, clap::Args)]
pub struct KestraArgs {
    /// Kestra's base URL.
    #[arg(
        long,
        env = "KESTRA_URL",
        default_value = "http://localhost:8080",
        global = true
    )]
    url: String,
    /// The basic-auth user (an email address); the password is KESTRA_PASSWORD.
    #[arg(
        long,
        env = "KESTRA_USER",
        default_value = "admin@kestra.io",
        global = true
    )]
    user: String,
    #[command(subcommand)]
    action: KestraAction,
}

#[derive(Debug, clap::Subcommand)]
enum KestraAction {
    /// Check the flows against the binaries, then create or update on Kestra the set made for
    /// its version (1.3 or 2.x, read from the server).
    Deploy {
        /// The directory of flow files.
        #[arg(long, default_value = "flows")]
        flows: PathBuf,
        /// The schedule's timezone (an IANA name such as Europe/Paris).
        #[arg(long, env = "AM_TIMEZONE")]
        timezone: Option<String>,
        /// The repository the scheduled runs improve (the `repository` input's default).
        #[arg(long, env = "AM_REPOSITORY")]
        repository: Option<String>,
        /// The repositories the fleet's scheduled runs improve (the `repositories` input's
        /// default), separated by commas or spaces.
        #[arg(long, env = "AM_REPOSITORIES")]
        repositories: Option<String>,
        /// The model scheduled runs use (the `llm` input's default).
        #[arg(long, env = "AM_LLM")]
        llm: Option<String>,
        /// The forge scheduled runs use (the `forge` input's default).
        #[arg(long, env = "AM_FORGE")]
        forge: Option<String>,
        /// The reviewer scheduled runs use (the `review` input's default).
        #[arg(long, env = "AM_REVIEW")]
        review: Option<String>,
        /// The Kestra version to deploy for, instead of asking the server (e.g. 1.3.5, 2.0.0).
        #[arg(long, env = "AM_KESTRA_VERSION")]
        kestra_version: Option<String>,
        /// Check the flows and upload nothing (both sets, unless --kestra-version names one).
        #[arg(long)]
        check_only: bool,
    },
    /// Start an execution of a flow, optionally wait for it, print its state and UI link.
    Trigger {
        #[arg(long, default_value = "automaintainer")]
        namespace: String,
        #[arg(long, default_value = "main-orchestration")]
        flow: String,
        /// An input as KEY=VALUE; repeatable.
        #[arg(long = "input", value_name = "KEY=VALUE", value_parser = parse_input)]
        inputs: Vec<(String, String)>,
        /// Poll the execution until it finishes.
        #[arg(long)]
        wait: bool,
        /// Seconds between polls.
        #[arg(long, default_value_t = 5)]
        poll_secs: u64,
        /// Seconds to wait at most.
        #[arg(long, default_value_t = 3 * 3600)]
        timeout_secs: u64,
    },
}

fn parse_input(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .filter(|(key, _)| !key.is_empty())
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .ok_or_else(|| format!("expected KEY=VALUE, got `{text}`"))
}

pub fn run(args: &KestraArgs, secrets: &Secrets) -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("start the async runtime", e))?;
    let client = || {
        KestraClient::new(KestraConfig {
            url: args.url.clone(),
            user: args.user.clone(),
            password: secrets.kestra_password.clone(),
        })
        .map_err(Error::from)
    };
    match &args.action {
        KestraAction::Deploy {
            flows,
            timezone,
            repository,
            repositories,
            llm,
            forge,
            review,
            kestra_version,
            check_only,
        } => {
            let settings = DeploySettings {
                timezone: timezone.clone().filter(|t| !t.is_empty()),
                input_defaults: [
                    ("repository", repository),
                    ("llm", llm),
                    ("forge", forge),
                    ("review", review),
                ]
                .into_iter()
                .filter_map(|(input, value)| {
                    let value = value.as_deref().filter(|v| !v.is_empty())?;
                    Some((input.to_owned(), value.to_owned()))
                })
                .collect(),
                input_lists: repositories
                    .as_deref()
                    .map(|text| {
                        text.split([',', ' ', '\n'])
                            .map(str::trim)
                            .filter(|r| !r.is_empty())
                            .map(str::to_owned)
                            .collect::<Vec<_>>()
                    })
                    .filter(|list| !list.is_empty())
                    .map(|list| vec![("repositories".to_owned(), list)])
                    .unwrap_or_default(),
            };
            let given = kestra_version
                .as_deref()
                .filter(|v| !v.is_empty())
                .map(KestraLine::of_version)
                .transpose()?;
            let schemas = flow_check::package_schemas();
            if *check_only {
                let lines = given.map_or(KestraLine::ALL.to_vec(), |line| vec![line]);
                for line in lines {
                    for file in deploy::prepare_line(flows, line, &schemas, &settings)? {
                        tracing::info!("kestra {}: {}: ok", line.name(), file.path.display());
                    }
                }
                return Ok(());
            }
            let client = client()?;
            let line = match given {
                Some(line) => line,
                None => {
                    let version = runtime.block_on(client.server_version())?;
                    let line = KestraLine::of_version(&version)?;
                    tracing::info!("kestra {version}: deploying the {} flows", line.name());
                    line
                }
            };
            let files = deploy::prepare_line(flows, line, &schemas, &settings)?;
            for (flow, deployed) in runtime.block_on(deploy::upload(&client, &files))? {
                let verb = match deployed {
                    Deployed::Created => "created",
                    Deployed::Updated => "updated",
                };
                tracing::info!("{verb} flow {flow}");
            }
            Ok(())
        }
        KestraAction::Trigger {
            namespace,
            flow,
            inputs,
            wait,
            poll_secs,
            timeout_secs,
        } => {
            let client = client()?;
            runtime.block_on(async {
                let mut execution = client.trigger(namespace, flow, inputs).await?;
                tracing::info!(
                    "execution {} {}: {}",
                    execution.id,
                    execution.state,
                    client.ui_link(&execution)
                );
                if *wait {
                    execution = client
                        .wait(
                            &execution.id,
                            crate::contract::clamped_secs((*poll_secs).max(1)),
                            crate::contract::clamped_secs(*timeout_secs),
                        )
                        .await?;
                    tracing::info!("execution {} finished: {}", execution.id, execution.state);
                    if !matches!(execution.state.as_str(), "SUCCESS" | "WARNING") {
                        return Err(Error::step(
                            format!("run {namespace}.{flow}"),
                            format!(
                                "execution {} ended {}: {}",
                                execution.id,
                                execution.state,
                                client.ui_link(&execution)
                            ),
                        ));
                    }
                }
                Ok(())
            })
        }
    }
}
