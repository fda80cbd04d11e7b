//! Runs every check the options ask for, at once, into one report.

use std::ffi::OsString;

use super::report::Report;
use super::{github_check, model_check, model_tools_check, store_check, tools};
use crate::secrets::Secrets;

/// What the doctor looks at beyond the tools, the store and the model settings.
#[derive(Debug, Clone, Default)]
pub struct DoctorOptions {
    /// Make one small model call (may cost money).
    pub check_model: bool,
    /// Ask GitHub for the token's scopes.
    pub check_github: bool,
    /// The `PATH` tools are looked for on (the process's when None).
    pub path: Option<OsString>,
    /// The GitHub API (`AM_GITHUB_API_URL`, else api.github.com when None).
    pub github_api: Option<String>,
}

/// Every check, the tools' versions, the store, the model and GitHub asked concurrently.
pub async fn diagnose(options: &DoctorOptions, secrets: &Secrets) -> Report {
    let path = options.path.clone().or_else(|| std::env::var_os("PATH"));
    let github_api = options
        .github_api
        .clone()
        .unwrap_or_else(crate::github::api_base_url);
    let github = async {
        if options.check_github {
            Some(github_check::check_github(secrets.github_token.as_ref(), &github_api).await)
        } else {
            None
        }
    };
    let (tools, store, model, model_tools, github) = tokio::join!(
        tools::check_tools(path),
        store_check::check_store(secrets.database_url.as_ref()),
        model_check::check_model(secrets, options.check_model),
        model_tools_check::check_model_tools(secrets, options.check_model),
        github,
    );
    let mut report = Report { checks: tools };
    report.checks.push(store);
    report.checks.push(model);
    report.checks.extend(model_tools);
    report.checks.extend(github);
    report
}
