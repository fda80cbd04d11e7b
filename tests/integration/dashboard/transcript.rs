//! The run page shows the model's conversation, on both backends: a transcript.jsonl recorded
//! by the `am-persist` binary (redacted again on the way in), whose run directory is then
//! deleted, shows collapsed with its tool calls and results as escaped text.

use axum::http::StatusCode;

use super::harness::get;
use crate::common::bin::Runner;
use crate::common::db::{artifacts, at, register, write_artifacts, TestDb};

crate::store_tests!(the_run_page_shows_the_conversation_after_the_run_directory_is_gone);

const TOKEN: &str = "ghp_Zz9Zz9Zz9Zz9Zz9Zz9Zz9Zz9Zz9Zz9Zz9Zz9";

async fn the_run_page_shows_the_conversation_after_the_run_directory_is_gone(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let run_dir = dir.path().join("run");
    register(db.store.as_ref(), "run-talk", "acme/talk", at(1)).await;
    write_artifacts(
        &run_dir,
        &artifacts("run-talk", "acme/talk", "automaintainer/x", 70.0),
    );
    let lines = [
        serde_json::json!({"kind": "system", "text": "You are AutoMaintainer."}),
        serde_json::json!({"kind": "user", "text": "# Task: Document add"}),
        serde_json::json!({"kind": "assistant", "step": 1, "text": "Reading.",
            "tool_calls": [{"id": "c1", "name": "read_file", "arguments": {"path": "src/lib.rs"}}]}),
        serde_json::json!({"kind": "tool_result", "step": 1, "call_id": "c1", "tool": "read_file",
            "is_error": false, "content": format!("<script>alert('x')</script> {TOKEN}")}),
        serde_json::json!({"kind": "assistant", "step": 2, "text": "",
            "tool_calls": [{"id": "c2", "name": "create", "arguments": {"path": ".git/hooks/x", "content": "y"}}]}),
        serde_json::json!({"kind": "tool_result", "step": 2, "call_id": "c2", "tool": "create",
            "is_error": true, "content": "Not applied: refused `.git/hooks/x`"}),
        serde_json::json!({"kind": "end", "outcome": "committed", "reason": "abc123"}),
    ];
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(run_dir.join("transcript.jsonl"), text).unwrap();
    let ran = Runner::new("am-persist")
        .env("DATABASE_URL", db.url())
        .input_json(
            &serde_json::json!({"run_id": "run-talk", "run_dir": run_dir, "status": "succeeded"}),
        )
        .run();
    ran.assert_ok();
    assert!(ran.outputs()["recorded"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!("transcript")));
    std::fs::remove_dir_all(&run_dir).unwrap();

    let detail = db.store.run_detail("run-talk").await.unwrap().unwrap();
    let stored = detail.transcript.unwrap();
    assert_eq!(stored.entries().len(), 7);
    assert!(!stored.text.contains(TOKEN), "redacted before it is stored");

    // `automaintainer show` sums it up.
    let shown = Runner::new("automaintainer")
        .args(&["show", "run-talk", "--no-pager"])
        .env("DATABASE_URL", db.url())
        .run();
    shown.assert_ok();
    assert!(
        shown
            .stdout
            .contains("model conversation: 2 model call(s), 2 tool call(s), committed"),
        "{}",
        shown.stdout
    );

    let page = get(&db.store, "/runs/run-talk").await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    assert!(body.contains(r#"<details class="transcript">"#), "{body}");
    assert!(
        !body.contains(r#"<details class="transcript" open"#),
        "collapsed"
    );
    assert!(
        body.contains("2 model calls, 2 tool calls; ended: committed"),
        "{body}"
    );
    assert!(body.contains("<code>read_file</code>"), "{body}");
    assert!(
        body.contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;&#x2f;script&gt; [redacted]"),
        "{body}"
    );
    assert!(
        !body.contains("<script"),
        "nothing in the transcript runs: {body}"
    );
    assert!(body.contains(r#"data-kind="tool_result""#));
    assert!(body.contains("refused"), "{body}");
}
