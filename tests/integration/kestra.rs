//! `automaintainer kestra deploy` and `trigger` against a Kestra API stub: the paths carry the
//! tenant, basic auth on every request, YAML bodies for flows, multipart inputs for executions.

use automaintainer::orchestration::deploy::{self, DeploySettings};
use automaintainer::orchestration::flow_check::Schemas;
use automaintainer::orchestration::kestra_client::{Deployed, KestraClient, KestraConfig};
use automaintainer::secrets::Secret;
use serde_json::json;
use wiremock::matchers::{body_string_contains, header, header_regex, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::bin::Runner;

const USER: &str = "admin@example.com";
const PASSWORD: &str = "Kestra-Test-Pw-1";

/// `Basic base64(user:password)`.
fn basic_auth() -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"))
    )
}

fn client(server: &MockServer) -> KestraClient {
    KestraClient::new(KestraConfig {
        url: server.uri(),
        user: USER.to_owned(),
        password: Some(Secret::new(PASSWORD)),
    })
    .unwrap()
}

const FLOW: &str = r#"id: daily
namespace: automaintainer
tasks:
  - id: one
    type: io.kestra.plugin.scripts.shell.Commands
    timeout: PT1M
    inputFiles:
      one.json: '{"run_id": {{ execution.id | toJson }}}'
    commands: [am-one --input one.json]
triggers:
  - id: daily
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 2 * * *"
    timezone: UTC
pluginDefaults:
  - type: io.kestra.plugin.scripts.shell.Commands
    values:
      taskRunner: {type: io.kestra.plugin.core.runner.Process}
"#;

fn schemas() -> Schemas {
    [(
        "am-one".to_owned(),
        json!({"input": {"properties": {"run_id": {}}, "required": ["run_id"]}, "output": {}}),
    )]
    .into_iter()
    .collect()
}

#[tokio::test]
async fn deploy_updates_an_existing_flow_and_creates_a_new_one_as_yaml_with_basic_auth() {
    let server = MockServer::start().await;
    // The first flow exists (PUT succeeds); the second does not (PUT 404, then POST).
    Mock::given(method("PUT"))
        .and(path("/api/v1/main/flows/automaintainer/daily"))
        .and(header("content-type", "application/x-yaml"))
        .and(header("authorization", basic_auth().as_str()))
        .and(body_string_contains("timezone: Europe/Paris"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "daily"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/v1/main/flows/automaintainer/weekly"))
        .respond_with(ResponseTemplate::new(404))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/main/flows"))
        .and(header("content-type", "application/x-yaml"))
        .and(header("authorization", basic_auth().as_str()))
        .and(body_string_contains("id: weekly"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "weekly"})))
        .expect(1)
        .mount(&server)
        .await;

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a-daily.yml"), FLOW).unwrap();
    std::fs::write(
        dir.path().join("b-weekly.yml"),
        FLOW.replace("id: daily\nnamespace", "id: weekly\nnamespace"),
    )
    .unwrap();
    let settings = DeploySettings {
        timezone: Some("Europe/Paris".to_owned()),
        input_defaults: Vec::new(),
    };
    let files = deploy::prepare(dir.path(), &schemas(), &settings).unwrap();
    let done = deploy::upload(&client(&server), &files).await.unwrap();
    assert_eq!(
        done,
        vec![
            ("automaintainer.daily".to_owned(), Deployed::Updated),
            ("automaintainer.weekly".to_owned(), Deployed::Created)
        ]
    );
}

#[tokio::test]
async fn deploy_uploads_nothing_when_a_flow_is_wrong() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.yml"), FLOW).unwrap();
    std::fs::write(
        dir.path().join("bad.yml"),
        FLOW.replace("id: daily\nnamespace", "id: bad\nnamespace")
            .replace("PT1M", "1 minute"),
    )
    .unwrap();
    let e = deploy::prepare(dir.path(), &schemas(), &DeploySettings::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("bad.yml: one: timeout `1 minute` is not an ISO-8601 duration"),
        "{e}"
    );
}

#[tokio::test]
async fn a_kestra_error_is_reported_with_its_status_and_message() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(401).set_body_string("Unauthorized"))
        .mount(&server)
        .await;
    let e = client(&server)
        .deploy_flow("automaintainer", "daily", FLOW)
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "update flow automaintainer.daily: Kestra answered 401: Unauthorized"
    );
}

fn execution(state: &str) -> serde_json::Value {
    json!({"id": "4Xy9", "namespace": "automaintainer", "flowId": "main-orchestration", "state": {"current": state, "histories": []}})
}

#[tokio::test]
async fn trigger_sends_multipart_inputs_waits_and_prints_the_ui_link() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(
            "/api/v1/main/executions/automaintainer/main-orchestration",
        ))
        .and(header("authorization", basic_auth().as_str()))
        .and(header_regex(
            "content-type",
            "^multipart/form-data; boundary=",
        ))
        .and(body_string_contains(
            "name=\"repository\"\r\n\r\nhttps://github.com/o/r\r\n",
        ))
        .and(body_string_contains("name=\"dry_run\"\r\n\r\ntrue\r\n"))
        .respond_with(ResponseTemplate::new(200).set_body_json(execution("CREATED")))
        .expect(1)
        .mount(&server)
        .await;
    // Running on the first poll, finished on the next ones.
    Mock::given(method("GET"))
        .and(path("/api/v1/main/executions/4Xy9"))
        .and(header("authorization", basic_auth().as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(execution("RUNNING")))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/main/executions/4Xy9"))
        .respond_with(ResponseTemplate::new(200).set_body_json(execution("SUCCESS")))
        .mount(&server)
        .await;

    let uri = server.uri();
    let ran = tokio::task::spawn_blocking(move || {
        Runner::new("automaintainer")
            .env("KESTRA_URL", &uri)
            .env("KESTRA_USER", USER)
            .env("KESTRA_PASSWORD", PASSWORD)
            .args(&[
                "kestra",
                "trigger",
                "--input",
                "repository=https://github.com/o/r",
                "--input",
                "dry_run=true",
                "--wait",
                "--poll-secs",
                "1",
            ])
            .run()
    })
    .await
    .unwrap();
    ran.assert_ok();
    let link = format!(
        "{}/ui/main/executions/automaintainer/main-orchestration/4Xy9",
        server.uri()
    );
    assert!(ran.stderr.contains(&link), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("execution 4Xy9 finished: SUCCESS"),
        "{}",
        ran.stderr
    );
    assert!(!ran.stderr.contains(PASSWORD) && !ran.stdout.contains(PASSWORD));
}

#[tokio::test]
async fn trigger_fails_when_the_execution_fails() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(
            "/api/v1/main/executions/automaintainer/main-orchestration",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(execution("CREATED")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/main/executions/4Xy9"))
        .respond_with(ResponseTemplate::new(200).set_body_json(execution("FAILED")))
        .mount(&server)
        .await;
    let uri = server.uri();
    let ran = tokio::task::spawn_blocking(move || {
        Runner::new("automaintainer")
            .env("KESTRA_URL", &uri)
            .env("KESTRA_PASSWORD", PASSWORD)
            .args(&["kestra", "trigger", "--wait", "--poll-secs", "1"])
            .run()
    })
    .await
    .unwrap();
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(ran.stderr.contains("ended FAILED"), "{}", ran.stderr);
}
