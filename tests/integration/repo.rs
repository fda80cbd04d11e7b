//! am-setup and am-cleanup as binaries, on real git repositories with local bare remotes: the
//! mirror cache, branches, credentials kept out of every file, bad input, cleanup's limits.

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use automaintainer::repo::mirror_lock::MirrorLock;
use automaintainer::store::{RunQuery, RunStatus};

use crate::common::bin::{Ran, Runner};
use crate::common::db::TestDb;
use crate::common::git;

const TOKEN: &str = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB";

struct Scene {
    _root: tempfile::TempDir,
    root: PathBuf,
    work: PathBuf,
    remote: PathBuf,
    cache: PathBuf,
    /// The store the binaries use: a SQLite file of this scene unless a test picks another.
    database_url: String,
}

impl Scene {
    fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().to_path_buf();
        let (work, remote) = git::rust_fixture(&path);
        Self {
            cache: path.join("cache"),
            database_url: automaintainer::store::sqlite_url(&path.join("am.db")),
            root: path,
            _root: root,
            work,
            remote,
        }
    }

    fn run_dir(&self, run: &str) -> PathBuf {
        self.root.join("runs").join(run)
    }

    fn setup(&self, run: &str, extra: Value) -> Ran {
        let mut input = json!({
            "run_id": run,
            "run_dir": self.run_dir(run),
            "repository": self.remote,
            "cache_dir": self.cache,
        });
        input
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        self.runner("am-setup").input_json(&input).run()
    }

    /// Ends a run, as its cleanup would, so the next run may take the repository.
    fn end(&self, run: &str) {
        crate::common::db::end_run(&self.database_url, run);
    }

    fn runner(&self, name: &str) -> Runner {
        Runner::new(name).env("DATABASE_URL", &self.database_url)
    }

    fn mirrors(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.cache.join("mirrors"))
            .map(|entries| entries.flatten().map(|e| e.path()).collect())
            .unwrap_or_default()
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

#[test]
fn setup_clones_through_the_mirror_and_later_fetches_only_what_changed() {
    let scene = Scene::new();
    let first = scene.setup("run-1", json!({}));
    first.assert_ok();
    let outputs = first.outputs();
    let clone = PathBuf::from(outputs["clone_path"].as_str().unwrap());
    assert_eq!(clone, scene.run_dir("run-1").join("repo"));
    assert!(clone.join("src/lib.rs").is_file());
    assert_eq!(outputs["default_branch"], "main");
    assert_eq!(outputs["base_branch"], "main");
    assert_eq!(
        outputs["head_commit"],
        git::git(&scene.work, &["rev-parse", "HEAD"])
    );
    assert_eq!(outputs["check_commands"], json!(["cargo test"]));
    let first_fetch = outputs["fetched_objects"].as_u64().unwrap();
    assert!(first_fetch > 0);
    assert_eq!(scene.mirrors().len(), 1);
    scene.end("run-1");

    // Nothing changed upstream: the mirror fetches nothing, yet the clone is complete.
    let second = scene.setup("run-2", json!({}));
    second.assert_ok();
    assert_eq!(second.outputs()["fetched_objects"], 0);
    assert_eq!(second.metric("fetched_objects").unwrap()["value"], 0.0);
    assert!(scene.run_dir("run-2").join("repo/src/lib.rs").is_file());
    scene.end("run-2");

    // One new commit upstream: only its few objects come over.
    let new_head = git::commit_and_push(
        &scene.work,
        &scene.remote,
        "main",
        &[("NOTES.md", "notes\n")],
        "add notes",
    );
    let third = scene.setup("run-3", json!({}));
    third.assert_ok();
    let fetched = third.outputs()["fetched_objects"].as_u64().unwrap();
    assert!(
        fetched > 0 && fetched < first_fetch + 3,
        "fetched {fetched}"
    );
    assert_eq!(third.outputs()["head_commit"], new_head.as_str());
    assert!(scene.run_dir("run-3").join("repo/NOTES.md").is_file());
    assert_eq!(scene.mirrors().len(), 1);
}

/// A second run of the same repository waits for the first to finish with the mirror, and
/// gives up clearly when it waits too long, leaving nothing half-cloned.
#[test]
fn setup_waits_for_another_run_using_the_mirror() {
    let scene = Scene::new();
    scene.setup("run-1", json!({})).assert_ok();
    scene.end("run-1");
    let [mirror] = &scene.mirrors()[..] else {
        panic!("one mirror: {:?}", scene.mirrors())
    };
    let locks = automaintainer::repo::cache::locks_dir(&scene.cache);
    let held = MirrorLock::acquire(&locks, mirror, Duration::ZERO).unwrap();

    let busy = scene.setup("run-2", json!({"mirror_wait_secs": 1}));
    assert_eq!(busy.code, 1, "{}", busy.stderr);
    let error = busy.stderr.lines().last().unwrap_or_default();
    assert!(
        error.starts_with("am-setup: failed to lock the mirror")
            && error.contains("another run of the same repository held it for 1s"),
        "{}",
        busy.stderr
    );
    assert!(!scene.run_dir("run-2").join("repo").exists());
    scene.end("run-2");

    // Released while the next run waits: that run goes on and clones.
    let waiting = {
        let input = json!({"run_id": "run-3", "run_dir": scene.run_dir("run-3"),
                           "repository": scene.remote, "cache_dir": scene.cache, "mirror_wait_secs": 60});
        let runner = scene.runner("am-setup").input_json(&input);
        std::thread::spawn(move || runner.run())
    };
    std::thread::sleep(Duration::from_millis(500));
    assert!(!waiting.is_finished(), "the run did not wait for the lock");
    drop(held);
    let ran = waiting.join().unwrap();
    ran.assert_ok();
    assert!(scene.run_dir("run-3").join("repo/src/lib.rs").is_file());
}

#[test]
fn setup_checks_out_the_base_branch_and_rejects_a_missing_one() {
    let scene = Scene::new();
    git::git(&scene.work, &["checkout", "-q", "-b", "develop"]);
    git::commit_and_push(
        &scene.work,
        &scene.remote,
        "develop",
        &[("DEVELOP.md", "d\n")],
        "develop only",
    );
    let ran = scene.setup("run-dev", json!({"base_branch": "develop"}));
    ran.assert_ok();
    let outputs = ran.outputs();
    assert_eq!(outputs["base_branch"], "develop");
    assert_eq!(outputs["default_branch"], "main");
    let clone = scene.run_dir("run-dev").join("repo");
    assert!(clone.join("DEVELOP.md").is_file());
    assert_eq!(
        git::git(&clone, &["rev-parse", "--abbrev-ref", "HEAD"]),
        "develop"
    );

    scene.end("run-dev");
    let missing = scene.setup("run-missing", json!({"base_branch": "no-such-branch"}));
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert_eq!(missing.stderr.lines().count(), 1, "{}", missing.stderr);
    assert!(missing.stderr.contains("base_branch") && missing.stderr.contains("no-such-branch"));
    assert!(!scene.run_dir("run-missing").join("repo").exists());
}

#[test]
fn the_token_never_lands_in_git_config_or_output() {
    let scene = Scene::new();
    let ran = scene
        .runner("am-setup")
        .env("GITHUB_TOKEN", TOKEN)
        .input_json(&json!({
            "run_id": "run-token",
            "run_dir": scene.run_dir("run-token"),
            "repository": scene.remote,
            "cache_dir": scene.cache,
        }))
        .run();
    ran.assert_ok();
    let clone = scene.run_dir("run-token").join("repo");
    let config = std::fs::read_to_string(clone.join(".git/config")).unwrap();
    assert!(
        config.contains(&format!(
            "url = {}",
            scene.remote.canonicalize().unwrap().display()
        )),
        "{config}"
    );
    let mut written = vec![config];
    for mirror in scene.mirrors() {
        written.push(std::fs::read_to_string(mirror.join("config")).unwrap());
    }
    written.push(ran.stdout.clone());
    written.push(ran.stderr.clone());
    for text in written {
        assert!(!text.contains(TOKEN), "token found in:\n{text}");
        assert!(
            !text.contains("x-access-token"),
            "credentials found in:\n{text}"
        );
    }
}

/// A plain-http remote that demands authentication: the token is not offered to it (it goes
/// only over https to the configured GitHub host), setup fails saying so, and leaves no mirror
/// and no clone.
#[tokio::test(flavor = "multi_thread")]
async fn a_plain_http_remote_asking_for_credentials_gets_no_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/o/r.git/info/refs"))
        .respond_with(
            ResponseTemplate::new(401).insert_header("WWW-Authenticate", "Basic realm=\"git\""),
        )
        .mount(&server)
        .await;
    let scene = Scene::new();
    let url = format!("{}/o/r.git", server.uri());
    let run_dir = scene.run_dir("run-auth");
    let input = json!({"run_id": "run-auth", "run_dir": run_dir, "repository": url, "cache_dir": scene.cache});
    let runner = scene.runner("am-setup");
    // Even with the stub's host named as the GitHub host: http is never trusted with the token.
    let host = url::Url::parse(&server.uri())
        .unwrap()
        .host_str()
        .unwrap()
        .to_owned();
    let ran = tokio::task::spawn_blocking(move || {
        runner
            .env("GITHUB_TOKEN", TOKEN)
            .env("AM_GITHUB_HOST", host)
            .input_json(&input)
            .run()
    })
    .await
    .unwrap();
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(
        ran.stderr.contains("am-setup: failed to authenticate to")
            && ran.stderr.contains("not offering the GitHub token"),
        "{}",
        ran.stderr
    );
    assert!(!ran.stderr.contains(TOKEN) && !ran.stdout.contains(TOKEN));
    assert!(
        scene.mirrors().is_empty(),
        "a half-made mirror stayed: {:?}",
        scene.mirrors()
    );
    assert!(!run_dir.join("repo").exists());
    let requests = server.received_requests().await.unwrap();
    assert!(!requests.is_empty());
    let leaked =
        base64::engine::general_purpose::STANDARD.encode(format!("x-access-token:{TOKEN}"));
    for request in &requests {
        let auth = request
            .headers
            .get("authorization")
            .map(|v| v.to_str().unwrap_or_default().to_owned())
            .unwrap_or_default();
        assert!(
            !auth.contains(&leaked) && !auth.contains(TOKEN),
            "the token was offered over http: {auth}"
        );
    }
}

#[test]
fn setup_bad_input_says_which_in_one_line() {
    let scene = Scene::new();
    let not_a_repo = scene.root.join("plain");
    std::fs::create_dir_all(&not_a_repo).unwrap();
    let ran = scene.setup("run-plain", json!({"repository": not_a_repo}));
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert_eq!(ran.stderr.lines().count(), 1, "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("field `repository`: expected a git repository"),
        "{}",
        ran.stderr
    );

    // Nothing listens on port 9: unreachable, exit 1, nothing left behind.
    let ran = scene.setup(
        "run-unreachable",
        json!({"repository": "http://127.0.0.1:9/o/r.git"}),
    );
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(
        first_line(&ran.stderr).contains("reach http://127.0.0.1:9/o/r.git"),
        "{}",
        ran.stderr
    );
    assert!(scene.mirrors().is_empty());
    assert!(!scene.run_dir("run-unreachable").join("repo").exists());

    let ran = scene.setup(
        "run-cred",
        json!({"repository": "https://user:secret@github.com/o/r.git"}),
    );
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("without credentials"), "{}", ran.stderr);
}

#[test]
fn a_bad_config_file_is_bad_input_and_leaves_no_clone() {
    let scene = Scene::new();
    git::commit_and_push(
        &scene.work,
        &scene.remote,
        "main",
        &[(".automaintainer.yml", "limits:\n  max_attempts: 0\n")],
        "config",
    );
    let ran = scene.setup("run-config", json!({}));
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.contains("limits.max_attempts"), "{}", ran.stderr);
    assert!(!scene.run_dir("run-config").join("repo").exists());
}

fn cleanup(scene: &Scene, run_dir: &Path) -> Ran {
    scene
        .runner("am-cleanup")
        .input_json(&json!({"run_id": "run-c", "run_dir": run_dir, "cache_dir": scene.cache}))
        .run()
}

#[test]
fn cleanup_removes_the_run_keeps_the_cache_and_is_safe_twice() {
    let scene = Scene::new();
    scene.setup("run-c", json!({})).assert_ok();
    let run_dir = scene.run_dir("run-c");
    let first = cleanup(&scene, &run_dir);
    first.assert_ok();
    assert_eq!(first.outputs()["removed"], true);
    assert_eq!(
        first.outputs()["status"],
        "failed",
        "no artifacts: the run did not finish"
    );
    assert!(!run_dir.exists());
    assert_eq!(scene.mirrors().len(), 1, "the mirror cache stays");
    assert!(
        scene.root.join("runs").is_dir(),
        "nothing above the run directory goes"
    );
    let second = cleanup(&scene, &run_dir);
    second.assert_ok();
    assert_eq!(second.outputs()["removed"], false);
}

#[test]
fn cleanup_refuses_dangerous_directories() {
    let scene = Scene::new();
    scene.setup("run-d", json!({})).assert_ok();
    for dangerous in [
        PathBuf::from("/"),
        scene.cache.clone(),
        scene.cache.join("mirrors"),
        scene.root.join(".."),
    ] {
        let ran = cleanup(&scene, &dangerous);
        assert_eq!(ran.code, 2, "{}: {}", dangerous.display(), ran.stderr);
        assert!(ran.stderr.contains("refusing to remove"), "{}", ran.stderr);
    }
    assert_eq!(scene.mirrors().len(), 1);
    assert!(scene.run_dir("run-d").join("repo").is_dir());
}

/// The run is registered as running by setup (once, however often setup is retried) and closed
/// by cleanup with the status the artifacts show, on both store backends.
async fn setup_registers_the_run_once_and_cleanup_closes_it(db: TestDb) {
    let mut scene = Scene::new();
    scene.database_url = db.url().to_owned();
    let scene = std::sync::Arc::new(scene);
    let run = |name: &'static str, input: Value| {
        let scene = scene.clone();
        tokio::task::spawn_blocking(move || scene.runner(name).input_json(&input).run())
    };
    let setup_input = json!({
        "run_id": "run-store", "run_dir": scene.run_dir("run-store"), "repository": scene.remote,
        "cache_dir": scene.cache, "trigger": "schedule", "model": "offline",
    });
    run("am-setup", setup_input.clone())
        .await
        .unwrap()
        .assert_ok();
    run("am-setup", setup_input).await.unwrap().assert_ok();
    let (runs, total) = db.store.run_overview(&RunQuery::default()).await.unwrap();
    assert_eq!(total, 1, "a retried setup registers no second run");
    let registered = &runs[0];
    assert_eq!(registered.run_id, "run-store");
    assert_eq!(registered.status, RunStatus::Running);
    assert_eq!(registered.trigger, "schedule");
    assert_eq!(registered.repository, scene.remote.display().to_string());
    assert_eq!(registered.phase.as_deref(), Some("setup"));

    let cleanup_input = json!({
        "run_id": "run-store", "run_dir": scene.run_dir("run-store"),
        "cache_dir": scene.cache, "status": "nothing",
    });
    run("am-cleanup", cleanup_input.clone())
        .await
        .unwrap()
        .assert_ok();
    run("am-cleanup", cleanup_input).await.unwrap().assert_ok();
    let closed = db
        .store
        .run_detail("run-store")
        .await
        .unwrap()
        .unwrap()
        .overview;
    assert_eq!(closed.status, RunStatus::Nothing);
    assert!(closed.finished_at.is_some());
}

crate::store_tests!(setup_registers_the_run_once_and_cleanup_closes_it);

/// Setup goes through the `git` program where it is installed, and through libgit2 where it is
/// not (or `AM_GIT=libgit2`): both give the same clone, and a second run fetches nothing.
#[test]
fn setup_through_git_and_through_libgit2_gives_the_same_clone() {
    let scene = Scene::new();
    let mut heads = Vec::new();
    for (run, way) in [("run-git", "git"), ("run-lib", "libgit2")] {
        let cache = scene.root.join(format!("cache-{way}"));
        let input = json!({
            "run_id": run,
            "run_dir": scene.run_dir(run),
            "repository": scene.remote,
            "cache_dir": cache,
        });
        let first = scene
            .runner("am-setup")
            .env("AM_GIT", way)
            .input_json(&input)
            .run();
        first.assert_ok();
        let outputs = first.outputs();
        assert!(outputs["fetched_objects"].as_u64().unwrap() > 0, "{way}");
        assert_eq!(outputs["default_branch"], "main", "{way}");
        let clone = scene.run_dir(run).join("repo");
        assert!(clone.join("src/lib.rs").is_file(), "{way}");
        let config = std::fs::read_to_string(clone.join(".git/config")).unwrap();
        assert!(
            config.contains(&format!(
                "url = {}",
                scene.remote.canonicalize().unwrap().display()
            )),
            "{way}: {config}"
        );
        heads.push(outputs["head_commit"].as_str().unwrap().to_owned());
        scene.end(run);
        std::fs::remove_dir_all(scene.run_dir(run)).unwrap();
        let again = scene
            .runner("am-setup")
            .env("AM_GIT", way)
            .input_json(&input)
            .run();
        again.assert_ok();
        assert_eq!(again.outputs()["fetched_objects"], 0, "{way}");
        scene.end(run);
    }
    assert_eq!(heads[0], heads[1]);
    assert_eq!(heads[0], git::git(&scene.work, &["rev-parse", "HEAD"]));
}
