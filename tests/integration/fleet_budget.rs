//! The fleet's daily budget across repositories sharing one store: two local runs on two
//! repositories against one OpenAI-compatible stub; the first run's model call spends what the
//! fleet may spend today, so the second run's call is never made and the run stops as the
//! per-run budget stops one (its select phase fails, the run is recorded as failed).

use automaintainer::secrets::Secret;
use automaintainer::store::RunStatus;
use serde_json::json;
use wiremock::{MockServer, ResponseTemplate};

use crate::common::bin::run_locally_with;
use crate::common::{git, llm_stub};

/// What the stub says every call used: far more than the fleet's budget.
const TOKENS_PER_CALL: i64 = 1_000_000;

fn nothing_to_do() -> ResponseTemplate {
    let choice = json!({"choice": {"status": "nothing", "reason": "the code is fine as it is"}});
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": choice.to_string()},
            "finish_reason": "stop"
        }],
        "usage": {"prompt_tokens": TOKENS_PER_CALL - 1000, "completion_tokens": 1000,
                  "total_tokens": TOKENS_PER_CALL}
    }))
}

#[tokio::test]
async fn the_fleet_budget_stops_the_second_repositorys_model_call() {
    let data = tempfile::tempdir().unwrap();
    let (_first_work, first) = git::rust_fixture(&data.path().join("first"));
    let (_second_work, second) = git::rust_fixture(&data.path().join("second"));
    let server = MockServer::start().await;
    llm_stub::mount_openai(&server, vec![nothing_to_do()]).await;
    let spec = llm_stub::openai_spec(&server);
    let env = [
        ("AM_LLM", spec.as_str()),
        ("AM_LLM_MAX_RETRIES", "0"),
        // Neither run's own budget is in the way; only the fleet's.
        ("AM_FLEET_DAILY_TOKENS", "500000"),
    ];

    let ran = run_locally_with(
        data.path(),
        &["--repository", first.to_str().unwrap()],
        &env,
    )
    .await;
    ran.assert_ok();
    assert!(
        ran.stderr
            .contains("task: none (the code is fine as it is)"),
        "{}",
        ran.stderr
    );
    let made = server.received_requests().await.unwrap().len();
    assert_eq!(made, 1, "the first run asked the model once, for its task");

    let ran = run_locally_with(
        data.path(),
        &["--repository", second.to_str().unwrap()],
        &env,
    )
    .await;
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(
        ran.stderr.contains("[3/10] select: FAILED"),
        "the run stops where the per-run budget stops it: {}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains("fleet budget for ") && ran.stderr.contains(" spent: "),
        "{}",
        ran.stderr
    );
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        made,
        "the second repository's model call was never made"
    );

    let url = format!(
        "sqlite://{}",
        data.path().join("automaintainer.db").display()
    );
    let store = automaintainer::store::open(Some(&Secret::new(url)))
        .await
        .unwrap();
    let spend = store.spend("2000-01-01").await.unwrap();
    let first_id = automaintainer::repo::identity::identity(first.to_str().unwrap());
    assert_eq!(spend.len(), 1, "only the first repository spent: {spend:?}");
    assert_eq!(spend[0].repository, first_id);
    assert_eq!((spend[0].calls, spend[0].tokens()), (1, TOKENS_PER_CALL));

    // The second run is recorded as failed in select, saying why, with nothing half-written.
    let (runs, _) = store
        .run_overview(&automaintainer::store::RunQuery::default())
        .await
        .unwrap();
    let second_id = automaintainer::repo::identity::identity(second.to_str().unwrap());
    let refused = runs
        .iter()
        .find(|r| r.repository == second_id)
        .expect("the second run is recorded");
    assert_eq!(refused.status, RunStatus::Failed, "{refused:?}");
    assert_eq!(refused.phase.as_deref(), Some("select"));
    assert!(
        refused
            .error
            .as_deref()
            .is_some_and(|e| e.contains("fleet budget for")),
        "{refused:?}"
    );
    assert_eq!(refused.pr_number, None);
    assert!(git::git(&second, &["branch", "--list", "automaintainer/*"])
        .trim()
        .is_empty());
}
