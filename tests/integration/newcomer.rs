//! A newcomer's first commands: `automaintainer doctor` against a `PATH` with tools removed (each
//! absence named with what is lost, exit codes by what is missing), its GitHub check against the
//! stub, `automaintainer show` on an unknown run, and the README's one test command being the one
//! CI runs.

use std::path::{Path, PathBuf};

use wiremock::matchers::{bearer_token, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::bin::{Ran, Runner};
use crate::common::github::TOKEN;
use crate::common::llm_stub;

/// The tools `automaintainer run` needs on its embedded defaults.
const REQUIRED: [&str; 4] = ["cargo", "rustc", "cargo-clippy", "rustfmt"];

/// Where `program` is on this machine's PATH.
fn locate(program: &str) -> PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| panic!("{program} must be installed for this test"))
}

/// A directory holding links to `programs` only, to use as PATH.
fn path_with(dir: &Path, programs: &[&str]) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for program in programs {
        std::os::unix::fs::symlink(locate(program), bin.join(program)).unwrap();
    }
    bin
}

fn doctor(data: &Path, path: &Path, args: &[&str]) -> Ran {
    let mut runner = Runner::new("automaintainer")
        .arg("doctor")
        .args(args)
        .env("AM_DATA_DIR", data)
        .env("PATH", path);
    for (key, value) in std::env::vars() {
        // rustup's proxies find their toolchain through these.
        if key.starts_with("RUSTUP") || key.starts_with("CARGO_HOME") {
            runner = runner.env(&key, value);
        }
    }
    runner.run()
}

/// The report's line for a tool.
fn line<'a>(ran: &'a Ran, name: &str) -> &'a str {
    ran.stdout
        .lines()
        .find(|l| l.contains(&format!("] {name} ")))
        .unwrap_or_else(|| panic!("no line for {name}:\n{}", ran.stdout))
}

#[test]
fn doctor_names_each_missing_tool_and_what_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    // Nothing on PATH: the defaults cannot run (exit 3), every tool is named missing.
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let ran = doctor(&data, &empty, &[]);
    assert_eq!(ran.code, 3, "{}\n{}", ran.stdout, ran.stderr);
    for tool in [
        "cargo", "clippy", "rustfmt", "ruff", "black", "flake8", "eslint", "biome", "xo",
        "prettier", "go", "gofmt", "bwrap", "chromium",
    ] {
        assert!(
            line(&ran, tool).contains("missing"),
            "{tool}: {}",
            ran.stdout
        );
    }
    assert!(
        line(&ran, "cargo").starts_with("  [FAIL]"),
        "{}",
        ran.stdout
    );
    assert!(line(&ran, "ruff").starts_with("  [warn]"));
    assert!(line(&ran, "chromium").contains("tests only"));
    assert!(ran
        .stdout
        .contains("Python repositories configured for ruff get no findings or fixes"));
    assert!(ran.stdout.contains("exit 3"));

    // Only what the defaults need: exit 0, the optional tools still named missing.
    let ran = doctor(&data, &path_with(dir.path(), &REQUIRED), &[]);
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    assert!(line(&ran, "cargo").contains("cargo 1."), "{}", ran.stdout);
    assert!(line(&ran, "rustfmt").starts_with("  [ok  ]"));
    assert!(line(&ran, "ruff").contains("missing"));
    assert!(
        line(&ran, "store").contains("not created yet"),
        "{}",
        ran.stdout
    );
    assert!(line(&ran, "model").contains("offline"));
    assert!(
        !ran.stdout.contains("GitHub"),
        "GitHub is checked only when asked"
    );
    assert!(
        !data.join("automaintainer.db").exists(),
        "looking creates no store"
    );

    // A store that cannot be reached: exit 4, the URL's password never printed.
    let ran = Runner::new("automaintainer")
        .args(&["doctor"])
        .env(
            "DATABASE_URL",
            "postgres://am:hunter2-secret@127.0.0.1:1/nowhere",
        )
        .env("PATH", path_with(&dir.path().join("again"), &REQUIRED))
        .run();
    assert_eq!(ran.code, 4, "{}\n{}", ran.stdout, ran.stderr);
    assert!(
        line(&ran, "store").contains("127.0.0.1:1/nowhere"),
        "{}",
        ran.stdout
    );
    assert!(!ran.stdout.contains("hunter2"));
}

#[tokio::test]
async fn doctor_checks_the_github_token_only_when_asked() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let bin = path_with(dir.path(), &REQUIRED);
    let data = dir.path().join("data");
    let run = |args: &'static [&'static str]| {
        let (bin, data, uri) = (bin.clone(), data.clone(), server.uri());
        tokio::task::spawn_blocking(move || {
            Runner::new("automaintainer")
                .arg("doctor")
                .args(args)
                .env("AM_DATA_DIR", &data)
                .env("PATH", &bin)
                .env("GITHUB_TOKEN", TOKEN)
                .env("AM_GITHUB_API_URL", uri)
                .run()
        })
    };

    let ran = run(&[]).await.unwrap();
    assert_eq!(ran.code, 0, "{}", ran.stdout);
    assert!(server
        .received_requests()
        .await
        .unwrap_or_default()
        .is_empty());

    let user = |scopes: &str| {
        Mock::given(method("GET"))
            .and(path("/user"))
            .and(bearer_token(TOKEN))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("X-OAuth-Scopes", scopes)
                    .set_body_json(serde_json::json!({"login": "octo"})),
            )
    };
    let guard = user("read:user").mount_as_scoped(&server).await;
    let ran = run(&["--check-github"]).await.unwrap();
    assert_eq!(ran.code, 6, "{}\n{}", ran.stdout, ran.stderr);
    assert!(
        ran.stdout.contains("octo: scopes read:user"),
        "{}",
        ran.stdout
    );
    assert!(ran.stdout.contains("needs the `repo` scope"));
    assert!(!ran.stdout.contains(TOKEN));
    drop(guard);

    user("repo, workflow").mount(&server).await;
    let ran = run(&["--check-github"]).await.unwrap();
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    assert!(
        ran.stdout.contains("octo: scopes repo, workflow"),
        "{}",
        ran.stdout
    );
}

#[tokio::test]
async fn doctor_calls_the_model_only_when_asked() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let bin = path_with(dir.path(), &REQUIRED);
    let spec = llm_stub::openai_spec(&server);
    let run = |args: &'static [&'static str]| {
        let (bin, data, spec) = (bin.clone(), dir.path().join("data"), spec.clone());
        tokio::task::spawn_blocking(move || {
            Runner::new("automaintainer")
                .arg("doctor")
                .args(args)
                .env("AM_DATA_DIR", &data)
                .env("PATH", &bin)
                .env("AM_LLM", spec)
                .env("AM_LLM_MAX_RETRIES", "0")
                .run()
        })
    };

    let ran = run(&[]).await.unwrap();
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    assert!(line(&ran, "model").contains("not called"), "{}", ran.stdout);
    assert!(server
        .received_requests()
        .await
        .unwrap_or_default()
        .is_empty());

    llm_stub::mount_openai(&server, vec![llm_stub::openai_reply(r#"{"ok": true}"#)]).await;
    let ran = run(&["--check-model"]).await.unwrap();
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    assert!(line(&ran, "model").contains("answered"), "{}", ran.stdout);

    // A server that refuses the key: the check fails with exit 5.
    server.reset().await;
    llm_stub::mount_openai(&server, vec![ResponseTemplate::new(401)]).await;
    let ran = run(&["--check-model"]).await.unwrap();
    assert_eq!(ran.code, 5, "{}\n{}", ran.stdout, ran.stderr);
    assert!(
        line(&ran, "model").contains("did not answer"),
        "{}",
        ran.stdout
    );
}

/// With `--check-model`, one more small call says whether the server supports tools, which the
/// implementation's conversation needs; a server without them is a warning (the single request
/// still works), not a failure.
#[tokio::test]
async fn doctor_says_whether_the_model_server_supports_tools() {
    use wiremock::matchers::body_string_contains;
    let dir = tempfile::tempdir().unwrap();
    let bin = path_with(dir.path(), &REQUIRED);
    let doctor = |server: &MockServer| {
        let (bin, data, spec) = (
            bin.clone(),
            dir.path().join("data"),
            llm_stub::openai_spec(server),
        );
        tokio::task::spawn_blocking(move || {
            Runner::new("automaintainer")
                .args(&["doctor", "--check-model"])
                .env("AM_DATA_DIR", &data)
                .env("PATH", &bin)
                .env("AM_LLM", spec)
                .env("AM_LLM_MAX_RETRIES", "0")
                .run()
        })
    };
    let serve = |tools: ResponseTemplate| async move {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/chat/completions"))
            .and(body_string_contains("\"tools\""))
            .respond_with(tools)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/v1/chat/completions"))
            .respond_with(llm_stub::openai_reply(r#"{"ok": true}"#))
            .with_priority(2)
            .mount(&server)
            .await;
        server
    };

    let server = serve(llm_stub::openai_tool_calls(&[(
        "ping",
        serde_json::json!({}),
    )]))
    .await;
    let ran = doctor(&server).await.unwrap();
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    assert!(
        line(&ran, "model-tools").contains("called a tool"),
        "{}",
        ran.stdout
    );

    let refusal = ResponseTemplate::new(400)
        .set_body_string(r#"{"error": {"message": "tools param requires --jinja flag"}}"#);
    let server = serve(refusal).await;
    let ran = doctor(&server).await.unwrap();
    assert_eq!(ran.code, 0, "a warning: {}\n{}", ran.stdout, ran.stderr);
    let tools = line(&ran, "model-tools");
    assert!(tools.contains("does not support tools"), "{}", ran.stdout);
    assert!(ran.stdout.contains("--jinja"), "{}", ran.stdout);
}

#[test]
fn show_on_an_unknown_run_is_bad_input_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    // No store at all yet.
    let ran = Runner::new("automaintainer")
        .args(&["show", "nope", "--no-pager"])
        .env("AM_DATA_DIR", dir.path())
        .run();
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert_eq!(ran.stderr.trim().lines().count(), 1, "{}", ran.stderr);
    assert!(ran.stderr.contains("no runs yet"), "{}", ran.stderr);
    assert!(!dir.path().join("automaintainer.db").exists());

    // A store without that run.
    let url = format!("sqlite://{}", dir.path().join("other.db").display());
    Runner::new("automaintainer")
        .args(&["migrate"])
        .env("DATABASE_URL", &url)
        .run()
        .assert_ok();
    let ran = Runner::new("automaintainer")
        .args(&["show", "run-that-never-was", "--no-pager"])
        .env("DATABASE_URL", &url)
        .run();
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert_eq!(ran.stderr.trim().lines().count(), 1, "{}", ran.stderr);
    assert!(
        ran.stderr.contains("no run `run-that-never-was`"),
        "{}",
        ran.stderr
    );
    assert!(ran.stdout.is_empty());
}

#[test]
fn readme_test_command_is_what_ci_runs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let test_it = readme
        .split("## Test it")
        .nth(1)
        .expect("README has a Test it section");
    let command = test_it
        .split("```sh\n")
        .nth(1)
        .and_then(|block| block.lines().next())
        .expect("a command under Test it");
    assert_eq!(command, "scripts/test");
    let ci = std::fs::read_to_string(root.join(".ci/run")).unwrap();
    assert!(ci.contains("exec scripts/test"), "{ci}");
    let script = std::fs::read_to_string(root.join("scripts/test")).unwrap();
    for install in [
        "bubblewrap",
        "golang-go",
        "flake8",
        "black",
        "@biomejs/biome@2",
        "xo@1",
        "eslint@10",
        "chromium-driver",
        "cargo nextest run",
    ] {
        assert!(script.contains(install), "scripts/test lacks {install}");
    }
}
