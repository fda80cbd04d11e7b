//! The Kestra API client: creates or updates flows (YAML bodies) and starts and follows
//! executions, with basic auth and the tenant (`main` in the open-source edition) in the path.

use std::time::Duration;

use serde::Deserialize;

use crate::secrets::Secret;

/// The tenant every open-source Kestra serves.
pub const TENANT: &str = "main";

/// States after which an execution changes no more.
const TERMINAL_STATES: [&str; 6] = [
    "SUCCESS",
    "WARNING",
    "FAILED",
    "KILLED",
    "CANCELLED",
    "SKIPPED",
];

#[derive(Debug, thiserror::Error)]
pub enum KestraError {
    #[error("reach Kestra to {action}")]
    Http {
        action: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("{action}: Kestra answered {status}: {body}")]
    Status {
        action: String,
        status: u16,
        body: String,
    },
    #[error("{action}: Kestra's reply is not what was expected")]
    Reply {
        action: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("wait for execution {id}: still {state} after {waited:?}")]
    Timeout {
        id: String,
        state: String,
        waited: Duration,
    },
    #[error("use Kestra URL `{0}`: not an http(s) URL")]
    Url(String),
}

/// Where Kestra is and who we are to it.
#[derive(Debug, Clone)]
pub struct KestraConfig {
    /// `KESTRA_URL`, e.g. `http://localhost:8080`.
    pub url: String,
    /// `KESTRA_USER`, an email address (Kestra's basic auth).
    pub user: String,
    /// `KESTRA_PASSWORD`, from the secrets.
    pub password: Option<Secret>,
}

/// Whether a flow was new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deployed {
    Created,
    Updated,
}

/// An execution as far as we follow it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Execution {
    pub id: String,
    pub namespace: String,
    pub flow_id: String,
    pub state: String,
}

impl Execution {
    pub fn is_finished(&self) -> bool {
        TERMINAL_STATES.contains(&self.state.as_str())
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExecutionReply {
    id: String,
    namespace: String,
    flow_id: String,
    state: StateReply,
}

#[derive(Debug, Deserialize)]
struct ConfigsReply {
    version: String,
}

#[derive(Debug, Deserialize)]
struct StateReply {
    current: String,
}

impl From<ExecutionReply> for Execution {
    fn from(reply: ExecutionReply) -> Self {
        Self {
            id: reply.id,
            namespace: reply.namespace,
            flow_id: reply.flow_id,
            state: reply.state.current,
        }
    }
}

#[derive(Debug, Clone)]
pub struct KestraClient {
    config: KestraConfig,
    base: String,
    http: reqwest::Client,
}

impl KestraClient {
    pub fn new(config: KestraConfig) -> Result<Self, KestraError> {
        let base = config.url.trim_end_matches('/').to_owned();
        if url::Url::parse(&base)
            .map(|u| !matches!(u.scheme(), "http" | "https"))
            .unwrap_or(true)
        {
            return Err(KestraError::Url(config.url.clone()));
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|source| KestraError::Http {
                action: "build the HTTP client".to_owned(),
                source,
            })?;
        Ok(Self { config, base, http })
    }

    fn api(&self, path: &str) -> String {
        format!("{}/api/v1/{TENANT}/{path}", self.base)
    }

    fn authed(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        request.basic_auth(
            &self.config.user,
            self.config.password.as_ref().map(Secret::expose),
        )
    }

    /// Updates the flow `namespace/id` with `yaml`, or creates it when Kestra does not have it.
    pub async fn deploy_flow(
        &self,
        namespace: &str,
        id: &str,
        yaml: &str,
    ) -> Result<Deployed, KestraError> {
        let action = format!("update flow {namespace}.{id}");
        let response = self
            .send(
                &action,
                self.authed(self.http.put(self.api(&format!("flows/{namespace}/{id}"))))
                    .header(reqwest::header::CONTENT_TYPE, "application/x-yaml")
                    .body(yaml.to_owned()),
            )
            .await?;
        if response.status() != reqwest::StatusCode::NOT_FOUND {
            check(&action, response).await?;
            return Ok(Deployed::Updated);
        }
        let action = format!("create flow {namespace}.{id}");
        let response = self
            .send(
                &action,
                self.authed(self.http.post(self.api("flows")))
                    .header(reqwest::header::CONTENT_TYPE, "application/x-yaml")
                    .body(yaml.to_owned()),
            )
            .await?;
        check(&action, response).await?;
        Ok(Deployed::Created)
    }

    /// Starts an execution of `namespace/flow_id` with `inputs` (sent as multipart form fields,
    /// as Kestra expects them).
    pub async fn trigger(
        &self,
        namespace: &str,
        flow_id: &str,
        inputs: &[(String, String)],
    ) -> Result<Execution, KestraError> {
        let action = format!("start an execution of {namespace}.{flow_id}");
        let form = inputs
            .iter()
            .fold(reqwest::multipart::Form::new(), |form, (key, value)| {
                form.text(key.clone(), value.clone())
            });
        let response = self
            .send(
                &action,
                self.authed(
                    self.http
                        .post(self.api(&format!("executions/{namespace}/{flow_id}"))),
                )
                .multipart(form),
            )
            .await?;
        let response = check(&action, response).await?;
        parse_execution(&action, response).await
    }

    /// The server's version, from `GET /api/v1/configs` (`/api/v1/main/configs` where the
    /// tenant is in the path).
    pub async fn server_version(&self) -> Result<String, KestraError> {
        let action = "read Kestra's version";
        let get = |url: String| self.authed(self.http.get(url));
        let mut response = self
            .send(action, get(format!("{}/api/v1/configs", self.base)))
            .await?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            response = self.send(action, get(self.api("configs"))).await?;
        }
        let response = check(action, response).await?;
        response
            .json::<ConfigsReply>()
            .await
            .map(|reply| reply.version)
            .map_err(|source| KestraError::Reply {
                action: action.to_owned(),
                source,
            })
    }

    pub async fn execution(&self, id: &str) -> Result<Execution, KestraError> {
        let action = format!("read execution {id}");
        let response = self
            .send(
                &action,
                self.authed(self.http.get(self.api(&format!("executions/{id}")))),
            )
            .await?;
        let response = check(&action, response).await?;
        parse_execution(&action, response).await
    }

    /// Polls the execution every `every` until it finishes or `limit` has passed.
    pub async fn wait(
        &self,
        id: &str,
        every: Duration,
        limit: Duration,
    ) -> Result<Execution, KestraError> {
        let started = tokio::time::Instant::now();
        loop {
            let execution = self.execution(id).await?;
            if execution.is_finished() {
                return Ok(execution);
            }
            if started.elapsed() >= limit {
                return Err(KestraError::Timeout {
                    id: id.to_owned(),
                    state: execution.state,
                    waited: limit,
                });
            }
            tokio::time::sleep(every).await;
        }
    }

    /// The page of an execution in Kestra's UI.
    pub fn ui_link(&self, execution: &Execution) -> String {
        format!(
            "{}/ui/{TENANT}/executions/{}/{}/{}",
            self.base, execution.namespace, execution.flow_id, execution.id
        )
    }

    async fn send(
        &self,
        action: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, KestraError> {
        request.send().await.map_err(|source| KestraError::Http {
            action: action.to_owned(),
            source,
        })
    }
}

async fn check(
    action: &str,
    response: reqwest::Response,
) -> Result<reqwest::Response, KestraError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let body = response.text().await.unwrap_or_default();
    Err(KestraError::Status {
        action: action.to_owned(),
        status: status.as_u16(),
        body: body.chars().take(500).collect(),
    })
}

async fn parse_execution(
    action: &str,
    response: reqwest::Response,
) -> Result<Execution, KestraError> {
    response
        .json::<ExecutionReply>()
        .await
        .map(Execution::from)
        .map_err(|source| KestraError::Reply {
            action: action.to_owned(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_url_that_is_not_http() {
        let config = KestraConfig {
            url: "localhost:8080".to_owned(),
            user: "a@b.c".to_owned(),
            password: None,
        };
        assert!(matches!(
            KestraClient::new(config),
            Err(KestraError::Url(_))
        ));
    }

    #[test]
    fn links_to_the_execution_in_the_ui() {
        let client = KestraClient::new(KestraConfig {
            url: "http://kestra:8080/".to_owned(),
            user: "a@b.c".to_owned(),
            password: None,
        })
        .unwrap();
        let execution = Execution {
            id: "E1".into(),
            namespace: "automaintainer".into(),
            flow_id: "main-orchestration".into(),
            state: "RUNNING".into(),
        };
        assert_eq!(
            client.ui_link(&execution),
            "http://kestra:8080/ui/main/executions/automaintainer/main-orchestration/E1"
        );
        assert!(!execution.is_finished());
    }
}
