//! `automaintainer kestra deploy` and `trigger` against a Kestra API stub: the paths carry the
//! tenant, basic auth on every request, YAML bodies for flows, multipart inputs for executions, and
//! the flow set chosen by the server's version.

use automaintainer::orchestration::deploy::{self, DeploySettings};
use automaintainer::orchestration::flow_check::Schemas;
use automaintainer::orchestration::kestra_client::{Deployed, KestraClient, KestraConfig};
use automaintainer::orchestration::kestra_line::KestraLine;
use automaintainer::secrets::Secret;
use serde_json::json;
use wiremock::matchers::{body_string_contains, header, header_regex, method, path, path_regex};
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
        input_lists: Vec::new(),
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

#[test]
fn a_flow_with_plugin_defaults_is_refused_for_kestra_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("daily.yml"), FLOW).unwrap();
    assert!(deploy::prepare_line(
        dir.path(),
        KestraLine::V1,
        &schemas(),
        &DeploySettings::default()
    )
    .is_ok());
    let e = deploy::prepare_line(
        dir.path(),
        KestraLine::V2,
        &schemas(),
        &DeploySettings::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("daily.yml: flow: `pluginDefaults` is removed: set the values on each task (kestra 2.x)"),
        "{e}"
    );
}

/// `automaintainer kestra deploy` of the package's flows against a Kestra stub that answers
/// `version` at `configs_path`; returns the flows' ids in upload order and the fleet's body.
async fn deploy_to_kestra(version: &str, configs_path: &str) -> (Vec<String>, String) {
    let server = MockServer::start().await;
    if configs_path != "/api/v1/configs" {
        Mock::given(method("GET"))
            .and(path("/api/v1/configs"))
            .respond_with(ResponseTemplate::new(404))
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path(configs_path))
        .and(header("authorization", basic_auth().as_str()))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"version": version, "commitId": "abc"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path_regex("^/api/v1/main/flows/automaintainer/[a-z-]+$"))
        .and(header("content-type", "application/x-yaml"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(3)
        .mount(&server)
        .await;
    let uri = server.uri();
    let flows = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("flows");
    let ran = tokio::task::spawn_blocking(move || {
        Runner::new("automaintainer")
            .env("KESTRA_URL", &uri)
            .env("KESTRA_USER", USER)
            .env("KESTRA_PASSWORD", PASSWORD)
            .env(
                "AM_REPOSITORIES",
                "https://github.com/o/a, https://github.com/o/b",
            )
            .args(&["kestra", "deploy", "--flows", flows.to_str().unwrap()])
            .run()
    })
    .await
    .unwrap();
    ran.assert_ok();
    assert!(
        ran.stderr
            .contains(&format!("kestra {version}: deploying the")),
        "{}",
        ran.stderr
    );
    let puts: Vec<(String, String)> = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == "PUT")
        .map(|r| {
            let id = r.url.path().rsplit('/').next().unwrap().to_owned();
            (id, String::from_utf8(r.body).unwrap())
        })
        .collect();
    let fleet = puts.iter().find(|(id, _)| id == "fleet").unwrap().1.clone();
    // The deployment's list of repositories is the fleet's default.
    let flow = automaintainer::orchestration::flow::Flow::parse(&fleet).unwrap();
    assert_eq!(
        flow.input_defaults()["repositories"],
        json!(["https://github.com/o/a", "https://github.com/o/b"])
    );
    (puts.into_iter().map(|(id, _)| id).collect(), fleet)
}

#[tokio::test]
async fn deploy_sends_the_loop_fleet_to_kestra_2() {
    let (order, fleet) = deploy_to_kestra("2.0.1", "/api/v1/configs").await;
    assert!(
        fleet.contains("type: io.kestra.plugin.core.flow.Loop"),
        "{fleet}"
    );
    assert!(
        !fleet.contains("flow.ForEach") && !fleet.contains("pluginDefaults"),
        "{fleet}"
    );
    // main-orchestration exists on Kestra before the fleet that calls it.
    assert_eq!(order.last().map(String::as_str), Some("fleet"), "{order:?}");
}

#[tokio::test]
async fn deploy_sends_the_for_each_fleet_to_kestra_1_3() {
    // Where the tenant is in the path, the version is read at /api/v1/main/configs.
    let (order, fleet) = deploy_to_kestra("1.3.5", "/api/v1/main/configs").await;
    assert!(
        fleet.contains("type: io.kestra.plugin.core.flow.ForEach"),
        "{fleet}"
    );
    assert!(!fleet.contains("flow.Loop"), "{fleet}");
    assert_eq!(order.len(), 3, "{order:?}");
}

#[tokio::test]
async fn deploy_refuses_a_server_version_it_cannot_read_and_uploads_nothing() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/configs"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"version": "develop"})))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let uri = server.uri();
    let flows = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("flows");
    let ran = tokio::task::spawn_blocking(move || {
        Runner::new("automaintainer")
            .env("KESTRA_URL", &uri)
            .env("KESTRA_PASSWORD", PASSWORD)
            .args(&["kestra", "deploy", "--flows", flows.to_str().unwrap()])
            .run()
    })
    .await
    .unwrap();
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("kestra version `develop` does not start with a major version number"),
        "{}",
        ran.stderr
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
