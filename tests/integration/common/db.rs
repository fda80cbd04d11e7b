//! A fresh store per test, on each backend: PostgreSQL (a new database named for the test on
//! the server `AM_TEST_POSTGRES_URL` points at, dropped afterwards) and SQLite (a file in a
//! temporary directory). An unreachable PostgreSQL fails the test with a clear message; it
//! never skips.
//!
//! ```ignore
//! async fn my_case(db: TestDb) { db.store.register_run(...).await.unwrap(); }
//! crate::store_tests!(my_case); // -> my_case::postgres and my_case::sqlite
//!
//! // A binary on the same database:
//! Runner::new("am-persist").env("DATABASE_URL", db.url()).input_json(&input).run();
//! ```

use std::sync::Arc;

use automaintainer::secrets::Secret;
use automaintainer::store::{NewRun, RunArtifacts, Store};
use chrono::{DateTime, Utc};
use sqlx::Connection;

pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/am_test";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// Both backends, for a loop that runs the same assertions on each.
pub fn backends() -> [Backend; 2] {
    [Backend::Postgres, Backend::Sqlite]
}

/// The server tests create their databases on.
pub fn postgres_admin_url() -> String {
    std::env::var("AM_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| DEFAULT_POSTGRES_URL.to_owned())
}

/// A migrated, empty store that lives as long as this value.
pub struct TestDb {
    pub backend: Backend,
    pub store: Arc<dyn Store>,
    url: String,
    /// Holds the SQLite file (and anything else a test puts there, e.g. AM_DATA_DIR).
    dir: tempfile::TempDir,
    /// The PostgreSQL database to drop, with the admin URL to drop it from.
    postgres: Option<(String, String)>,
}

impl std::fmt::Debug for TestDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDb")
            .field("backend", &self.backend)
            .finish()
    }
}

impl TestDb {
    pub async fn new(backend: Backend) -> Self {
        Self::create(backend, None).await
    }

    /// A store whose database has only the migrations up to `version` (inclusive) applied, as an
    /// older release left it; `store.migrate()` upgrades it.
    pub async fn migrated_until(backend: Backend, version: i64) -> Self {
        Self::create(backend, Some(version)).await
    }

    async fn create(backend: Backend, until: Option<i64>) -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let (url, postgres) = match backend {
            Backend::Sqlite => (
                automaintainer::store::sqlite_url(&dir.path().join("automaintainer.db")),
                None,
            ),
            Backend::Postgres => {
                let name = format!("am_t_{}", &uuid::Uuid::new_v4().simple().to_string()[..16]);
                let admin = create_database(&postgres_admin_url(), &name).await;
                let mut url = url::Url::parse(&admin).expect("AM_TEST_POSTGRES_URL is a URL");
                url.set_path(&format!("/{name}"));
                (url.to_string(), Some((admin, name)))
            }
        };
        let store = match until {
            None => automaintainer::store::open(Some(&Secret::new(url.clone())))
                .await
                .unwrap_or_else(|e| panic!("open the {backend:?} test store: {e:?}")),
            Some(version) => migrate_until(backend, &url, version, dir.path()).await,
        };
        Self {
            backend,
            store,
            url,
            dir,
            postgres,
        }
    }

    /// The database URL, for `DATABASE_URL` of a binary under test.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn secret(&self) -> Secret {
        Secret::new(self.url.clone())
    }

    /// A temporary directory that lives as long as the store.
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// Runs one statement directly on the database (to set up what no store call can: a
    /// heartbeat long past).
    pub async fn execute(&self, sql: &str) {
        match self.backend {
            Backend::Sqlite => {
                let mut conn = sqlx::SqliteConnection::connect(&self.url).await.unwrap();
                sqlx::query(sql).execute(&mut conn).await.unwrap();
            }
            Backend::Postgres => {
                let mut conn = sqlx::PgConnection::connect(&self.url).await.unwrap();
                sqlx::query(sql).execute(&mut conn).await.unwrap();
            }
        }
    }

    /// Runs one statement directly on the database; its error, if it fails.
    pub async fn try_execute(&self, sql: &str) -> Result<(), String> {
        let done = match self.backend {
            Backend::Sqlite => {
                let mut conn = sqlx::SqliteConnection::connect(&self.url).await.unwrap();
                sqlx::query(sql).execute(&mut conn).await.map(|_| ())
            }
            Backend::Postgres => {
                let mut conn = sqlx::PgConnection::connect(&self.url).await.unwrap();
                sqlx::query(sql).execute(&mut conn).await.map(|_| ())
            }
        };
        done.map_err(|e| e.to_string())
    }

    /// One integer a query answers (a count), read directly from the database.
    pub async fn count(&self, sql: &str) -> i64 {
        match self.backend {
            Backend::Sqlite => {
                let mut conn = sqlx::SqliteConnection::connect(&self.url).await.unwrap();
                sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
            }
            Backend::Postgres => {
                let mut conn = sqlx::PgConnection::connect(&self.url).await.unwrap();
                sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
            }
        }
    }

    /// The rows a query answers, read directly from the database.
    pub async fn rows<T>(&self, sql: &str) -> Vec<T>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
            + Send
            + Unpin,
    {
        match self.backend {
            Backend::Sqlite => {
                let mut conn = sqlx::SqliteConnection::connect(&self.url).await.unwrap();
                sqlx::query_as(sql).fetch_all(&mut conn).await.unwrap()
            }
            Backend::Postgres => {
                let mut conn = sqlx::PgConnection::connect(&self.url).await.unwrap();
                sqlx::query_as(sql).fetch_all(&mut conn).await.unwrap()
            }
        }
    }

    /// Another handle on the same database, as a second process would open it: a pool of its
    /// own, migrated (`store::open` on this runtime would share the test's store).
    pub async fn reopen(&self) -> Arc<dyn Store> {
        let store: Arc<dyn Store> = match self.backend {
            Backend::Sqlite => Arc::new(
                automaintainer::store::SqliteStore::connect(&self.url)
                    .await
                    .expect("reopen the test store"),
            ),
            Backend::Postgres => Arc::new(
                automaintainer::store::PgStore::connect(&self.url)
                    .await
                    .expect("reopen the test store"),
            ),
        };
        store.migrate().await.expect("migrate the reopened store");
        store
    }
}

/// Applies the migrations up to `version` to the database at `url` and returns a store on it
/// that has not migrated further.
async fn migrate_until(
    backend: Backend,
    url: &str,
    version: i64,
    scratch: &std::path::Path,
) -> Arc<dyn Store> {
    let folder = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(folder);
    let older = scratch.join("older-migrations");
    std::fs::create_dir_all(&older).unwrap();
    for entry in std::fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let number: i64 = name.split('_').next().unwrap().parse().unwrap();
        if number <= version {
            std::fs::copy(&path, older.join(&name)).unwrap();
        }
    }
    let migrator = sqlx::migrate::Migrator::new(older.as_path()).await.unwrap();
    match backend {
        Backend::Sqlite => {
            let store = automaintainer::store::SqliteStore::connect(url)
                .await
                .unwrap();
            migrator.run(store.pool()).await.unwrap();
            Arc::new(store)
        }
        Backend::Postgres => {
            let store = automaintainer::store::PgStore::connect(url).await.unwrap();
            migrator.run(store.pool()).await.unwrap();
            Arc::new(store)
        }
    }
}

/// Creates database `name` on the server of `admin`; returns the URL it was created from (the
/// server's `postgres` database when `admin`'s own database does not exist yet).
async fn create_database(admin: &str, name: &str) -> String {
    let mut maintenance = url::Url::parse(admin).expect("AM_TEST_POSTGRES_URL is a URL");
    maintenance.set_path("/postgres");
    let mut first_error = None;
    for url in [admin.to_owned(), maintenance.to_string()] {
        match sqlx::PgConnection::connect(&url).await {
            Ok(mut conn) => {
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .unwrap_or_else(|e| panic!("create test database {name} on {url}: {e}"));
                let _ = conn.close().await;
                return url;
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    panic!(
        "PostgreSQL is unreachable at {admin} ({}). Start it (`pg_ctlcluster \
         --skip-systemctl-redirect 15 main start`, or `.ci/run`) or set AM_TEST_POSTGRES_URL; \
         store tests never skip",
        first_error.map(|e| e.to_string()).unwrap_or_default()
    )
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin, name)) = self.postgres.take() else {
            return;
        };
        // Drop is not async, and may run inside a runtime: drop the database from a thread
        // with a runtime of its own. FORCE ends the pool's connections still open.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let mut conn = sqlx::PgConnection::connect(&admin).await.ok()?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn)
                    .await
                    .ok()?;
                conn.close().await.ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(()))) {
            eprintln!("warning: could not drop test database (left behind)");
        }
    }
}

/// Declares each named `async fn(TestDb)` as two tests, `<name>::postgres` and
/// `<name>::sqlite`, each given a fresh store of its backend.
#[macro_export]
macro_rules! store_tests {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    let db = $crate::common::db::TestDb::new(
                        $crate::common::db::Backend::Postgres,
                    )
                    .await;
                    super::$name(db).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let db =
                        $crate::common::db::TestDb::new($crate::common::db::Backend::Sqlite)
                            .await;
                    super::$name(db).await;
                }
            }
        )+
    };
}

/// A complete, valid set of artifacts for one run: a selected task, a committed
/// implementation, a created PR on `branch`, a local review with findings, and an evaluation
/// scoring `score`.
pub fn artifacts(run_id: &str, repository: &str, branch: &str, score: f64) -> RunArtifacts {
    use automaintainer::artifacts::*;
    let usage = |tokens: u64, cost: f64| Usage {
        calls: 1,
        input_tokens: tokens / 2,
        output_tokens: tokens - tokens / 2,
        cost_usd: cost,
        model: "offline".to_owned(),
    };
    let task = TaskSpec {
        kind: TaskKind::Test,
        title: format!("Add a test for {branch}"),
        rationale: "untested function".to_owned(),
        target_files: vec!["src/lib.rs".to_owned()],
        acceptance_criteria: vec!["cargo test passes".to_owned()],
        issue: None,
        pull_request: None,
        tool: None,
        rules: Vec::new(),
    };
    let component = |score: Option<f64>, method: Method| Component {
        score,
        method,
        evidence: "fixture".to_owned(),
    };
    RunArtifacts {
        run_id: run_id.to_owned(),
        context: Some(Context {
            repository: repository.to_owned(),
            head_commit: "0123456789abcdef".to_owned(),
            summary: RepoSummary::default(),
            repo_map: RepoMap::default(),
            findings: vec![],
            issues: vec![],
            history: History::default(),
            learnings: vec![],
            check_commands: vec!["cargo test".to_owned()],
            tools: vec![],
            backoffs: vec![],
        }),
        task: Some(TaskFile {
            selection: Selection::Selected { task: task.clone() },
            learnings_used: vec![],
            shaped_by: Vec::new(),
            usage: usage(60, 0.04),
            fingerprint: None,
            skipped: Vec::new(),
        }),
        implementation: Some(Implementation {
            status: ImplementationStatus::Committed,
            task: Some(task),
            branch: branch.to_owned(),
            base_branch: "main".to_owned(),
            commit: Some("fedcba9876543210".to_owned()),
            base_commit: "0123456789abcdef".to_owned(),
            files: vec![FileChange {
                path: "src/lib.rs".to_owned(),
                added: 12,
                removed: 2,
            }],
            lines_added: 12,
            lines_removed: 2,
            checks: vec![],
            attempts: 1,
            usage: usage(40, 0.06),
            failure: None,
            notes: vec![],
            follow_up: None,
        }),
        pull_request: Some(PullRequestFile {
            action: PrAction::Created,
            forge: "local".to_owned(),
            repository: repository.to_owned(),
            number: None,
            url: None,
            branch: branch.to_owned(),
            base_branch: "main".to_owned(),
            head_commit: Some("fedcba9876543210".to_owned()),
            title: format!("Add a test for {branch}"),
            body: "body".to_owned(),
            draft: false,
            labels: vec![],
        }),
        review: Some(Review {
            source: ReviewSource::Local,
            status: ReviewStatus::Reviewed,
            notice: None,
            findings: vec![ReviewFinding {
                category: FindingCategory::Style,
                severity: Severity::Minor,
                path: Some("src/lib.rs".to_owned()),
                line_start: Some(3),
                line_end: None,
                title: "long line".to_owned(),
                body: "wrap it".to_owned(),
                suggestion: None,
                actionable: true,
            }],
            counts: ReviewCounts {
                total: 1,
                actionable: 1,
                security: 0,
                performance: 0,
                style: 1,
                nitpicks: 0,
            },
            complexity_score: Some(20.0),
            risk_flags: vec!["touches-public-api".to_owned()],
            summary: Some("one style finding".to_owned()),
        }),
        evaluation: Some(Evaluation {
            evolution_score: Some(score),
            code_quality: component(Some(score), Method::Measured),
            test_coverage: component(Some(score), Method::Measured),
            maintainability: component(Some(score), Method::Estimated),
            readability: component(None, Method::Unavailable),
            weights: Weights::default(),
        }),
        change: None,
        transcript: None,
        failure: None,
        status: None,
    }
}

/// Writes the artifacts that are present into `run_dir` under their default names.
pub fn write_artifacts(run_dir: &std::path::Path, artifacts: &RunArtifacts) {
    fn put<T: serde::Serialize>(dir: &std::path::Path, name: &str, value: &Option<T>) {
        if let Some(value) = value {
            std::fs::write(dir.join(name), serde_json::to_string_pretty(value).unwrap()).unwrap();
        }
    }
    std::fs::create_dir_all(run_dir).unwrap();
    put(run_dir, "context.json", &artifacts.context);
    put(run_dir, "task.json", &artifacts.task);
    put(run_dir, "implementation.json", &artifacts.implementation);
    put(run_dir, "pr.json", &artifacts.pull_request);
    put(run_dir, "review.json", &artifacts.review);
    put(run_dir, "evaluation.json", &artifacts.evaluation);
}

/// Registers a run started at `started_at` (trigger `schedule`, model `offline`).
pub async fn register(
    store: &dyn Store,
    run_id: &str,
    repository: &str,
    started_at: DateTime<Utc>,
) {
    store
        .register_run(&NewRun {
            run_id: run_id.to_owned(),
            repository: repository.to_owned(),
            trigger: "schedule".to_owned(),
            model: "offline".to_owned(),
            started_at,
        })
        .await
        .unwrap();
}

/// Everything the store holds about a run, for comparing before and after.
pub async fn snapshot(store: &dyn Store, run_id: &str, repository: &str) -> serde_json::Value {
    let detail = store.run_detail(run_id).await.unwrap();
    let prs = store.pull_requests(repository).await.unwrap();
    let learnings = store.learnings(repository).await.unwrap();
    serde_json::json!({ "detail": detail, "prs": prs, "learnings": learnings })
}

/// A fixed instant, so seeded histories read the same on every run.
pub fn at(hours: i64) -> DateTime<Utc> {
    use chrono::TimeZone;
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::hours(hours)
}

/// Ends `run_id` in the store `database_url` names as a run with nothing to do (what am-cleanup
/// records), releasing its repository for the next run; callable from sync and async tests.
pub fn end_run(database_url: &str, run_id: &str) {
    let url = database_url.to_owned();
    let run_id = run_id.to_owned();
    std::thread::spawn(move || {
        tokio::runtime::Runtime::new().unwrap().block_on(async {
            let store = automaintainer::store::open(Some(&Secret::new(url)))
                .await
                .unwrap();
            store
                .close_run(&run_id, automaintainer::store::RunStatus::Nothing)
                .await
                .unwrap();
        })
    })
    .join()
    .unwrap();
}
