//! The LLM layer against stub servers speaking the OpenAI and Anthropic wire formats: structured
//! replies, the repair round, retries, timeouts, the budget and usage.

use std::time::Duration;

use automaintainer::llm::{Budget, LlmClient, LlmError, Prompt, RetryPolicy};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;
use wiremock::{MockServer, ResponseTemplate};

use crate::common::llm_stub::{self, ANTHROPIC_KEY};

#[derive(Debug, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
struct Answer {
    title: String,
    files: Vec<String>,
}

const VALID: &str = r#"{"title": "Fix the parser", "files": ["src/parse.rs"]}"#;

fn prompt() -> Prompt {
    Prompt {
        system: "You answer in JSON.".to_owned(),
        user: "Which file?".to_owned(),
    }
}

fn expected() -> Answer {
    Answer {
        title: "Fix the parser".to_owned(),
        files: vec!["src/parse.rs".to_owned()],
    }
}

async fn ask(client: &LlmClient) -> Result<(Answer, automaintainer::artifacts::Usage), LlmError> {
    client.structured::<Answer>(&prompt()).await
}

#[tokio::test]
async fn openai_valid_reply_sends_the_schema_and_counts_usage() {
    let server = MockServer::start().await;
    llm_stub::mount_openai(&server, vec![llm_stub::openai_reply(VALID)]).await;
    let client = llm_stub::openai_client(&server);
    let (answer, usage) = ask(&client).await.unwrap();
    assert_eq!(answer, expected());
    assert_eq!(
        (usage.calls, usage.input_tokens, usage.output_tokens),
        (1, 120, 30)
    );
    assert_eq!(usage.model, "openai:stub-model");

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let auth = requests[0]
        .headers
        .get("authorization")
        .unwrap()
        .to_str()
        .unwrap();
    assert_eq!(auth, format!("Bearer {}", llm_stub::OPENAI_KEY));
    let body: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(body["model"], "stub-model");
    assert_eq!(body["messages"][0]["role"], "system");
    assert_eq!(body["response_format"]["type"], "json_schema");
    let schema = &body["response_format"]["json_schema"]["schema"];
    assert_eq!(schema["required"], json!(["title", "files"]));
}

#[tokio::test]
async fn anthropic_valid_reply_forces_the_reply_tool() {
    let server = MockServer::start().await;
    llm_stub::mount_anthropic(
        &server,
        vec![llm_stub::anthropic_reply(
            serde_json::from_str(VALID).unwrap(),
        )],
    )
    .await;
    let client =
        llm_stub::anthropic_client(&server).with_prices(automaintainer::llm::PriceTable::default());
    let (answer, usage) = ask(&client).await.unwrap();
    assert_eq!(answer, expected());
    // claude-sonnet-4 list price: $3 in, $15 out per million tokens.
    let cost = (200.0 * 3.0 + 50.0 * 15.0) / 1_000_000.0;
    assert!((usage.cost_usd - cost).abs() < 1e-12, "{}", usage.cost_usd);

    let requests = server.received_requests().await.unwrap();
    let headers = &requests[0].headers;
    assert_eq!(
        headers.get("x-api-key").unwrap().to_str().unwrap(),
        ANTHROPIC_KEY
    );
    assert!(headers.get("anthropic-version").is_some());
    let body: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(body["system"], "You answer in JSON.");
    assert_eq!(
        body["tool_choice"],
        json!({"type": "tool", "name": "reply"})
    );
    assert_eq!(body["tools"][0]["input_schema"]["type"], "object");
    assert_eq!(
        body["tools"][0]["input_schema"]["required"],
        json!(["title", "files"])
    );
}

#[tokio::test]
async fn reply_in_code_fences_with_prose_is_accepted() {
    let server = MockServer::start().await;
    let fenced = format!("Sure, here it is:\n```json\n{VALID}\n```\nAnything else?");
    llm_stub::mount_openai(&server, vec![llm_stub::openai_reply(&fenced)]).await;
    let (answer, usage) = ask(&llm_stub::openai_client(&server)).await.unwrap();
    assert_eq!(answer, expected());
    assert_eq!(usage.calls, 1, "no repair round was needed");
}

#[tokio::test]
async fn invalid_json_is_repaired_in_one_round_quoting_the_error() {
    let server = MockServer::start().await;
    llm_stub::mount_openai(
        &server,
        vec![
            llm_stub::openai_reply("{\"title\": \"Fix the parser\", files: oops"),
            llm_stub::openai_reply(VALID),
        ],
    )
    .await;
    let (answer, usage) = ask(&llm_stub::openai_client(&server)).await.unwrap();
    assert_eq!(answer, expected());
    assert_eq!(usage.calls, 2);
    assert_eq!(usage.input_tokens, 240);

    let bodies = llm_stub::request_bodies(&server).await;
    assert_eq!(bodies.len(), 2);
    let messages = bodies[1]["messages"].as_array().unwrap();
    assert_eq!(
        messages.len(),
        4,
        "system, user, the bad reply, the repair request"
    );
    assert_eq!(messages[2]["role"], "assistant");
    assert!(messages[2]["content"]
        .as_str()
        .unwrap()
        .contains("files: oops"));
    let repair = messages[3]["content"].as_str().unwrap();
    assert!(repair.contains("not valid JSON"), "{repair}");
}

#[tokio::test]
async fn schema_violation_twice_fails_and_keeps_the_raw_reply_redacted() {
    let server = MockServer::start().await;
    // `files` is missing, and the reply echoes a secret the model should never have seen.
    let bad = json!({"title": format!("leak {ANTHROPIC_KEY}")});
    llm_stub::mount_anthropic(&server, vec![llm_stub::anthropic_reply(bad)]).await;
    let debug = tempfile::tempdir().unwrap();
    let client = llm_stub::anthropic_client(&server).with_debug_dir(debug.path().to_path_buf());
    let error = ask(&client).await.unwrap_err();
    let LlmError::InvalidReply { reason, raw } = &error else {
        panic!("expected an invalid reply, got {error}");
    };
    assert!(reason.contains("missing field `files`"), "{reason}");
    assert!(error
        .to_string()
        .starts_with("get a valid structured reply after one repair round"));
    let kept = std::fs::read_to_string(raw).unwrap();
    assert!(kept.contains("leak [redacted]"), "{kept}");
    assert!(!kept.contains(ANTHROPIC_KEY));

    let bodies = llm_stub::request_bodies(&server).await;
    assert_eq!(bodies.len(), 2, "exactly one repair round");
    let repair = bodies[1]["messages"][2]["content"].as_str().unwrap();
    assert!(repair.contains("missing field `files`"), "{repair}");
    assert_eq!(
        client.spent().calls,
        2,
        "failed calls still count against the budget"
    );
}

#[tokio::test]
async fn reply_cut_at_the_token_limit_is_a_clear_failure() {
    let server = MockServer::start().await;
    llm_stub::mount_openai(
        &server,
        vec![llm_stub::openai_reply_with(
            "{\"title\": \"Fix the",
            "length",
        )],
    )
    .await;
    let debug = tempfile::tempdir().unwrap();
    let client = llm_stub::openai_client(&server).with_debug_dir(debug.path().to_path_buf());
    let error = ask(&client).await.unwrap_err();
    assert!(matches!(error, LlmError::Truncated { .. }), "{error}");
    assert!(error.to_string().contains("token limit"), "{error}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn rate_limit_with_retry_after_is_retried() {
    let server = MockServer::start().await;
    llm_stub::mount_openai(
        &server,
        vec![
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_string("slow down"),
            llm_stub::openai_reply(VALID),
        ],
    )
    .await;
    let (answer, _) = ask(&llm_stub::openai_client(&server)).await.unwrap();
    assert_eq!(answer, expected());
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn an_absurd_retry_after_is_clamped_to_the_retry_limit() {
    let server = MockServer::start().await;
    llm_stub::mount_openai(
        &server,
        vec![
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1e30")
                .set_body_string("slow down"),
            llm_stub::openai_reply(VALID),
        ],
    )
    .await;
    // quick_policy caps any wait at 2s: a panic before, a wait of 1e30 seconds if unclamped.
    let (answer, _) = ask(&llm_stub::openai_client(&server)).await.unwrap();
    assert_eq!(answer, expected());
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_key_echoed_at_the_cut_is_redacted_before_the_body_is_cut() {
    // The error body is cut at 500 characters; the server echoes the key so that the cut falls
    // inside it. Cut first, the first 20 characters of the key would survive (too short to look
    // like a token); redacted first, none does.
    let key = llm_stub::OPENAI_KEY;
    let body = format!("{}{key} was rejected", "x".repeat(480));
    let server = MockServer::start().await;
    llm_stub::mount_openai(
        &server,
        vec![ResponseTemplate::new(401).set_body_string(body)],
    )
    .await;
    let error = ask(&llm_stub::openai_client(&server)).await.unwrap_err();
    let text = error.to_string();
    assert!(
        matches!(error, LlmError::Http { status: 401, .. }),
        "{text}"
    );
    assert!(!text.contains(&key[..12]), "part of the key leaked: {text}");
    assert!(text.contains("[redacted]"), "{text}");
}

#[tokio::test]
async fn server_errors_are_retried_until_success() {
    let server = MockServer::start().await;
    llm_stub::mount_anthropic(
        &server,
        vec![
            ResponseTemplate::new(500).set_body_string("boom"),
            ResponseTemplate::new(503).set_body_string("overloaded"),
            llm_stub::anthropic_reply(serde_json::from_str(VALID).unwrap()),
        ],
    )
    .await;
    let (answer, usage) = ask(&llm_stub::anthropic_client(&server)).await.unwrap();
    assert_eq!(answer, expected());
    assert_eq!(usage.calls, 1, "retries are one call");
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn other_client_errors_are_not_retried() {
    let server = MockServer::start().await;
    llm_stub::mount_openai(
        &server,
        vec![ResponseTemplate::new(401).set_body_string("{\"error\": \"invalid api key\"}")],
    )
    .await;
    let error = ask(&llm_stub::openai_client(&server)).await.unwrap_err();
    assert!(
        matches!(error, LlmError::Http { status: 401, .. }),
        "{error}"
    );
    assert!(error.to_string().contains("invalid api key"));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_request_that_times_out_is_retried_then_fails() {
    let server = MockServer::start().await;
    llm_stub::mount_openai(
        &server,
        vec![llm_stub::openai_reply(VALID).set_delay(Duration::from_secs(5))],
    )
    .await;
    let client = llm_stub::openai_client(&server).with_retry_policy(RetryPolicy {
        max_retries: 1,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(10),
        timeout: Duration::from_millis(300),
    });
    let error = ask(&client).await.unwrap_err();
    assert!(
        matches!(error, LlmError::Timeout { attempts: 2, .. }),
        "{error}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn exhausted_budget_stops_before_the_call() {
    let server = MockServer::start().await;
    llm_stub::mount_openai(&server, vec![llm_stub::openai_reply(VALID)]).await;
    let client = llm_stub::openai_client(&server);
    // One call spends 150 tokens; a budget of 200 allows it but not a second.
    let client = client.with_budget(Budget {
        max_tokens: Some(200),
        max_usd: None,
    });
    ask(&client).await.unwrap();
    let error = ask(&client).await.unwrap_err();
    assert!(matches!(error, LlmError::Budget(_)), "{error}");
    assert!(
        error.to_string().contains("over the limit of 200"),
        "{error}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);

    // A dollar budget of nothing refuses even the first call of a priced model.
    let server = MockServer::start().await;
    let client = llm_stub::anthropic_client(&server).with_budget(Budget {
        max_tokens: None,
        max_usd: Some(0.0),
    });
    assert!(matches!(
        ask(&client).await.unwrap_err(),
        LlmError::Budget(_)
    ));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn the_run_ledger_carries_spending_across_phases() {
    let server = MockServer::start().await;
    llm_stub::mount_openai(&server, vec![llm_stub::openai_reply(VALID)]).await;
    let run_dir = tempfile::tempdir().unwrap();
    let first = llm_stub::openai_client(&server)
        .with_run_dir(run_dir.path())
        .unwrap();
    ask(&first).await.unwrap();
    // The next phase is another process: a new client reading the same run directory.
    let budget = Budget {
        max_tokens: Some(200),
        max_usd: None,
    };
    let second = llm_stub::openai_client(&server)
        .with_run_dir(run_dir.path())
        .unwrap()
        .with_budget(budget);
    assert_eq!(second.spent().input_tokens, 120);
    assert!(matches!(
        ask(&second).await.unwrap_err(),
        LlmError::Budget(_)
    ));
}

#[test]
fn spec_chooses_the_provider_and_falls_back_to_offline_without_a_key() {
    let none = automaintainer::secrets::Secrets::default();
    let client = LlmClient::from_env(Some("anthropic:claude-x"), &none).unwrap();
    assert!(client.is_offline());
    let client = LlmClient::from_env(Some("anthropic:claude-x"), &llm_stub::secrets()).unwrap();
    assert!(!client.is_offline());
    assert_eq!(client.label(), "anthropic:claude-x");
    let error = LlmClient::from_env(Some("bard:x"), &none).unwrap_err();
    assert!(error.is_configuration(), "{error}");
}

#[derive(Debug, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
struct Nested {
    answer: Answer,
}

#[tokio::test]
async fn the_schema_sent_has_no_references() {
    let server = MockServer::start().await;
    let reply = json!({"answer": serde_json::from_str::<serde_json::Value>(VALID).unwrap()});
    llm_stub::mount_openai(&server, vec![llm_stub::openai_reply(&reply.to_string())]).await;
    let (nested, _) = llm_stub::openai_client(&server)
        .structured::<Nested>(&prompt())
        .await
        .unwrap();
    assert_eq!(nested.answer, expected());
    let body = &llm_stub::request_bodies(&server).await[0];
    let schema = &body["response_format"]["json_schema"]["schema"];
    assert!(!schema.to_string().contains("$ref"), "{schema}");
    assert_eq!(
        schema["properties"]["answer"]["required"],
        json!(["title", "files"])
    );
}
