//! The loop with a brief of its own, as a follow-up task would call it: its prompt is what the
//! model is sent, and the change it finishes is committed on the work branch.

use std::time::Duration;

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;
use crate::artifacts::TaskKind;
use crate::implement::paths::PathPolicy;
use crate::llm::ProviderSpec;
use crate::repo::branch::{self, Base};
use crate::repo::commit::Author;
use crate::repo::test_git::git;
use crate::repo_config::RepoConfig;
use crate::secrets::Secrets;

fn workspace(root: &std::path::Path) -> Workspace {
    git(root, &["init", "-q", "-b", "main"]);
    std::fs::write(root.join("notes.md"), "The parser is slow.\n").unwrap();
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "base"]);
    let base = Base {
        branch: "main".into(),
        commit: git(root, &["rev-parse", "HEAD"]),
    };
    let previous_tip = branch::start(root, "automaintainer/follow-up", &base).unwrap();
    let config = RepoConfig::default();
    Workspace {
        root: root.to_path_buf(),
        policy: PathPolicy::new(root, &config).unwrap(),
        base,
        branch: "automaintainer/follow-up".into(),
        config,
        checks: vec!["true".into()],
        check_timeout: Duration::from_secs(30),
        redactor: Default::default(),
        author: Author::resolve(Some("Bot"), Some("bot@example.com")),
        previous_tip,
    }
}

fn calls(calls: &[(&str, serde_json::Value)]) -> ResponseTemplate {
    let calls: Vec<serde_json::Value> = calls
        .iter()
        .enumerate()
        .map(|(i, (name, arguments))| {
            json!({"id": format!("c-{name}-{i}"), "type": "function",
                   "function": {"name": name, "arguments": arguments.to_string()}})
        })
        .collect();
    ResponseTemplate::new(200).set_body_json(json!({
        "choices": [{"message": {"role": "assistant", "content": null, "tool_calls": calls},
            "finish_reason": "tool_calls"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5}
    }))
}

#[tokio::test]
async fn another_brief_drives_the_same_loop() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let server = MockServer::start().await;
    // Seventeen reads in one turn: sixteen are carried out, the last answered as not.
    let reads: Vec<(&str, serde_json::Value)> = (1..=17)
        .map(|line| ("read_file", json!({"path": "notes.md", "start_line": line})))
        .collect();
    let replies = [
        calls(&reads),
        calls(&[(
            "replace",
            json!({"path": "notes.md", "search": "slow", "replace": "fast now"}),
        )]),
        // The second run on an unchanged tree gives the first verdict again.
        calls(&[("run_checks", json!({})), ("run_checks", json!({}))]),
        calls(&[(
            "finish",
            json!({"commit_title": "Answer the review", "commit_body": "As asked."}),
        )]),
    ];
    let count = replies.len();
    for (i, reply) in replies.into_iter().enumerate() {
        let mock = Mock::given(method("POST"))
            .and(path("/v1/chat/completions"))
            .respond_with(reply);
        let mock = if i + 1 < count {
            mock.up_to_n_times(1)
        } else {
            mock
        };
        server.register(mock.with_priority(i as u8 + 1)).await;
    }
    let spec = ProviderSpec::parse(&format!("openai:stub@{}/v1", server.uri())).unwrap();
    let client = LlmClient::new(spec, &Secrets::default(), None).unwrap();
    let task = TaskSpec {
        kind: TaskKind::Docs,
        title: "Answer the review of PR #3".into(),
        rationale: "the reviewer asked".into(),
        target_files: vec!["notes.md".into()],
        acceptance_criteria: Vec::new(),
        issue: None,
        tool: None,
        rules: Vec::new(),
        pull_request: None,
    };
    let brief = LoopBrief {
        prompt: Prompt {
            system: "Answer the review.".into(),
            user: "The review of PR #3 says: say it is fast now.".into(),
        },
        task: &task,
        repo_map: None,
        findings: &[],
    };
    let true_check = "true".to_owned();
    let transcript = Transcript::discard();
    let settings = Settings {
        caps: Caps::default(),
        checks: &[&true_check],
        transcript: &transcript,
    };
    let report = run(&ws, &client, &brief, &settings).await.unwrap();
    let LoopEnd::Committed { commit, .. } = &report.end else {
        panic!("{report:?}");
    };
    assert_eq!(
        git(dir.path(), &["rev-parse", "automaintainer/follow-up"]),
        *commit
    );
    assert_eq!(
        git(dir.path(), &["show", "automaintainer/follow-up:notes.md"]),
        "The parser is fast now."
    );
    let first: serde_json::Value =
        serde_json::from_slice(&server.received_requests().await.unwrap()[0].body).unwrap();
    assert_eq!(first["messages"][0]["content"], "Answer the review.");
    assert_eq!(
        first["messages"][1]["content"],
        "The review of PR #3 says: say it is fast now."
    );
    assert_eq!((report.steps, report.tool_calls), (4, 20));
    assert_eq!(
        report.checks.len(),
        1,
        "the checks ran once: {:?}",
        report.checks
    );
    let second: serde_json::Value =
        serde_json::from_slice(&server.received_requests().await.unwrap()[1].body).unwrap();
    let results: Vec<&serde_json::Value> = second["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "tool")
        .collect();
    assert_eq!(results.len(), 17, "every call is answered");
    assert!(results[16]["content"]
        .as_str()
        .unwrap()
        .contains("at most 16 calls"));
}
