//! `automaintainer mcp` as a coding agent meets it: the real binary spawned on a store the test
//! filled (PostgreSQL and SQLite), spoken to in JSON-RPC over stdin/stdout — initialize,
//! resources/list, resources/read, tools/list, tools/call — and a bad address answered with a
//! JSON-RPC error while the session goes on.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use automaintainer::artifacts::{Effect, EffectAction, Evidence};
use automaintainer::store::{NewLearning, NewRun, PullRequestRow, Store};
use chrono::Utc;
use serde_json::{json, Value};

use crate::common::bin;
use crate::common::db::TestDb;

const REPOSITORY: &str = "github.com/acme/widgets";
const OTHER: &str = "github.com/acme/gadgets";
const LEARNINGS_URI: &str = "automaintainer://repository/github.com%2Facme%2Fwidgets/learnings";

async fn fill(store: &dyn Store) {
    for (run_id, repository) in [("run-1", REPOSITORY), ("run-2", OTHER)] {
        store
            .register_run(&NewRun {
                run_id: run_id.to_owned(),
                repository: repository.to_owned(),
                trigger: "schedule".to_owned(),
                model: "offline".to_owned(),
                started_at: Utc::now(),
            })
            .await
            .unwrap();
    }
    store
        .add_learning(&NewLearning {
            repository: REPOSITORY.to_owned(),
            kind: "mistake".to_owned(),
            content: "Avoid the rule clippy::len_zero here: its pull request was closed unmerged"
                .to_owned(),
            source: "outcome".to_owned(),
            run_id: Some("run-1".to_owned()),
            weight: 1.0,
            effect: Some(Effect::new(EffectAction::AvoidRule, "clippy::len_zero")),
            evidence: vec![Evidence {
                run_id: "run-1".to_owned(),
                outcome: "closed_unmerged".to_owned(),
                source: "forge".to_owned(),
                pr_number: Some(7),
                pr_url: None,
                rule: Some("clippy::len_zero".to_owned()),
                category: None,
                path: Some("src/lib.rs".to_owned()),
                detail: Some("Use is_empty".to_owned()),
                at: Utc::now(),
            }],
        })
        .await
        .unwrap();
    store
        .add_learning(&NewLearning {
            repository: OTHER.to_owned(),
            kind: "preference".to_owned(),
            content: "Gadgets prefers docs tasks, closed unmerged never".to_owned(),
            source: "outcome".to_owned(),
            run_id: Some("run-2".to_owned()),
            weight: 1.0,
            effect: Some(Effect::new(EffectAction::PreferKind, "docs")),
            evidence: Vec::new(),
        })
        .await
        .unwrap();
    let now = Utc::now();
    store
        .upsert_pull_request(&PullRequestRow {
            run_id: "run-1".to_owned(),
            repository: REPOSITORY.to_owned(),
            forge: "github".to_owned(),
            number: Some(7),
            url: Some("https://github.com/acme/widgets/pull/7".to_owned()),
            branch: "automaintainer/lint-len-zero".to_owned(),
            title: "Use is_empty".to_owned(),
            state: "closed".to_owned(),
            merged: false,
            head_commit: Some("abc".to_owned()),
            created_at: now,
            updated_at: now,
        })
        .await
        .unwrap();
}

/// A JSON-RPC client on the server's stdin and stdout.
struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    next_id: u64,
}

impl Client {
    fn spawn(database_url: &str, data_dir: &std::path::Path, extra: &[&str]) -> Self {
        let mut command = Command::new(bin::path("automaintainer"));
        for var in automaintainer::secrets::SECRET_VARIABLES {
            command.env_remove(var);
        }
        let mut child = command
            .arg("mcp")
            .args(extra)
            .env("DATABASE_URL", database_url)
            .env("AM_DATA_DIR", data_dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("automaintainer mcp starts");
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Self {
            child,
            stdin,
            stdout,
            next_id: 1,
        }
    }

    fn send(&mut self, message: &Value) {
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{message}").unwrap();
        stdin.flush().unwrap();
    }

    /// Sends a request and reads lines until its response (notifications are skipped).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let mut line = String::new();
            let read = self.stdout.read_line(&mut line).unwrap();
            assert!(
                read > 0,
                "the server closed stdout before answering {method}"
            );
            let message: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("stdout carries only JSON-RPC ({e}): {line}"));
            if message["id"] == json!(id) {
                return message;
            }
        }
    }

    /// The `result` of a request that must succeed.
    fn result(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    /// Closes stdin and waits for the server to end on its own.
    fn finish(mut self) -> std::process::ExitStatus {
        drop(self.stdin.take());
        self.child.wait().unwrap()
    }
}

/// The JSON a text resource or tool result carries.
fn json_text(text: &Value) -> Value {
    serde_json::from_str(text.as_str().expect("a text")).expect("JSON text")
}

/// A client past the handshake; the `initialize` result.
fn initialized(client: &mut Client) -> Value {
    let init = client.result(
        "initialize",
        json!({"protocolVersion": "2025-06-18", "capabilities": {},
               "clientInfo": {"name": "test-agent", "version": "1.0"}}),
    );
    client.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    init
}

fn session(db: &TestDb) {
    let mut client = Client::spawn(db.url(), db.dir(), &[]);
    let init = initialized(&mut client);
    assert_eq!(init["serverInfo"]["name"], "automaintainer", "{init}");
    assert!(init["capabilities"]["resources"].is_object(), "{init}");
    assert!(init["capabilities"]["tools"].is_object(), "{init}");

    let listed = client.result("resources/list", json!({}));
    let uris: Vec<&str> = listed["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["uri"].as_str().unwrap())
        .collect();
    for uri in [
        "automaintainer://repositories",
        LEARNINGS_URI,
        "automaintainer://repository/github.com%2Facme%2Fwidgets/runs",
        "automaintainer://repository/github.com%2Facme%2Fwidgets/pull-requests",
        "automaintainer://repository/github.com%2Facme%2Fgadgets/learnings",
    ] {
        assert!(uris.contains(&uri), "{uri} in {uris:?}");
    }

    let read = client.result("resources/read", json!({"uri": LEARNINGS_URI}));
    assert_eq!(read["contents"][0]["uri"], LEARNINGS_URI);
    let learnings = json_text(&read["contents"][0]["text"]);
    assert_eq!(learnings.as_array().unwrap().len(), 1, "{learnings}");
    let learning = &learnings[0];
    assert!(learning["content"]
        .as_str()
        .unwrap()
        .contains("clippy::len_zero"));
    assert_eq!(learning["effect"]["action"], "avoid_rule");
    assert_eq!(learning["effect"]["target"], "clippy::len_zero");
    let evidence = learning["evidence"][0].as_str().unwrap();
    assert!(
        evidence.contains("PR #7") && evidence.contains("closed unmerged"),
        "{evidence}"
    );

    let prs = client.result(
        "resources/read",
        json!({"uri": "automaintainer://repository/github.com%2Facme%2Fwidgets/pull-requests"}),
    );
    let prs = json_text(&prs["contents"][0]["text"]);
    assert_eq!(prs[0]["number"], 7, "{prs}");
    assert_eq!(prs[0]["state"], "closed");
    assert_eq!(prs[0]["merged"], false);
    let runs = client.result(
        "resources/read",
        json!({"uri": "automaintainer://repository/github.com%2Facme%2Fwidgets/runs"}),
    );
    let runs = json_text(&runs["contents"][0]["text"]);
    assert_eq!(runs[0]["run_id"], "run-1", "{runs}");

    // An address the server does not have: a JSON-RPC error, and the session goes on.
    for bad in [
        "automaintainer://repository/github.com%2Facme%2Fwidgets/secrets",
        "file:///etc/passwd",
        "automaintainer://repository/github.com%2Fnobody%2Fnothing/learnings",
    ] {
        let refused = client.request("resources/read", json!({"uri": bad}));
        let error = &refused["error"];
        assert!(
            matches!(error["code"].as_i64(), Some(-32002 | -32602)),
            "{bad}: {refused}"
        );
        assert!(
            error["message"].as_str().unwrap().starts_with("unknown "),
            "{refused}"
        );
    }

    let tools = client.result("tools/list", json!({}));
    assert_eq!(tools["tools"][0]["name"], "search_learnings", "{tools}");
    assert_eq!(
        tools["tools"][0]["inputSchema"]["required"],
        json!(["query"])
    );

    let found = client.result(
        "tools/call",
        json!({"name": "search_learnings", "arguments": {"query": "unmerged", "repository": REPOSITORY}}),
    );
    assert_eq!(found["isError"], false, "{found}");
    let found = json_text(&found["content"][0]["text"]);
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 1, "only the widgets learning: {found:?}");
    assert_eq!(found[0]["repository"], REPOSITORY);
    assert_eq!(found[0]["effect"]["target"], "clippy::len_zero");

    let everywhere = client.result(
        "tools/call",
        json!({"name": "search_learnings", "arguments": {"query": "unmerged"}}),
    );
    let everywhere = json_text(&everywhere["content"][0]["text"]);
    assert_eq!(everywhere.as_array().unwrap().len(), 2, "{everywhere}");

    let empty = client.result(
        "tools/call",
        json!({"name": "search_learnings", "arguments": {"query": "  "}}),
    );
    assert_eq!(empty["isError"], true, "{empty}");
    let unknown_tool = client.request(
        "tools/call",
        json!({"name": "drop_tables", "arguments": {}}),
    );
    assert!(unknown_tool["error"].is_object(), "{unknown_tool}");

    let status = client.finish();
    assert!(
        status.success(),
        "the server ends cleanly when stdin closes: {status}"
    );
}

/// `--repository` (any spelling of it) shows that repository only.
fn scoped_session(db: &TestDb) {
    let mut client = Client::spawn(
        db.url(),
        db.dir(),
        &["--repository", "https://github.com/acme/widgets.git"],
    );
    initialized(&mut client);
    let listed = client.result("resources/list", json!({}));
    let uris: Vec<&str> = listed["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["uri"].as_str().unwrap())
        .collect();
    assert!(uris.contains(&LEARNINGS_URI), "{uris:?}");
    assert!(!uris.iter().any(|u| u.contains("gadgets")), "{uris:?}");
    let hidden = client.request(
        "resources/read",
        json!({"uri": "automaintainer://repository/github.com%2Facme%2Fgadgets/learnings"}),
    );
    assert!(hidden["error"].is_object(), "{hidden}");
    let found = client.result(
        "tools/call",
        json!({"name": "search_learnings", "arguments": {"query": "unmerged"}}),
    );
    let found = json_text(&found["content"][0]["text"]);
    assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
    assert!(client.finish().success());
}

async fn an_agent_lists_reads_and_searches_the_learnings(db: TestDb) {
    fill(db.store.as_ref()).await;
    let db = tokio::task::spawn_blocking(move || {
        session(&db);
        scoped_session(&db);
        db
    })
    .await
    .unwrap();
    drop(db);
}

crate::store_tests!(an_agent_lists_reads_and_searches_the_learnings);

#[test]
fn without_a_store_it_says_so_and_serves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let ran = bin::Runner::new("automaintainer")
        .args(&["mcp"])
        .env_remove("DATABASE_URL")
        .env("AM_DATA_DIR", dir.path())
        .run();
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.contains("no memory yet"), "{}", ran.stderr);
    assert!(ran.stdout.is_empty(), "{}", ran.stdout);
}
