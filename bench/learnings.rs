//! Retrieval of learnings: the top 10 of 100,000 for one repository, on PostgreSQL and on
//! SQLite, through `Store::relevant_learnings` (full-text relevance x weight x recency).
//! Goal: under 10 ms.
//!
//! `cargo bench --bench learnings` (PostgreSQL at `AM_TEST_POSTGRES_URL`, default
//! `postgres://postgres@127.0.0.1:5432/am_test`; a database `am_bench_learnings` is created and
//! dropped). `AM_BENCH_LEARNINGS` changes the count, `AM_BENCH_BACKENDS=sqlite` picks one backend.

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use automaintainer::secrets::Secret;
use automaintainer::store::{NewLearning, Store};
use sqlx::Connection;

const REPOSITORY: &str = "https://example.com/acme/bench";
const OTHER_REPOSITORY: &str = "https://example.com/acme/other";
const ROUNDS: usize = 20;

const SUBJECTS: &[&str] = &[
    "unwrap",
    "panic",
    "timeout",
    "retry",
    "lock",
    "cache",
    "index",
    "query",
    "parser",
    "config",
    "token",
    "secret",
    "logging",
    "metrics",
    "schema",
    "migration",
    "pool",
    "thread",
    "channel",
    "buffer",
    "allocation",
    "clone",
    "iterator",
    "closure",
    "trait",
    "lifetime",
    "macro",
    "test",
    "fixture",
    "mock",
    "benchmark",
    "docs",
    "readme",
    "changelog",
    "version",
    "dependency",
    "feature",
    "flag",
    "error",
    "context",
];
const PLACES: &[&str] = &[
    "handler",
    "router",
    "client",
    "server",
    "worker",
    "scheduler",
    "store",
    "repository",
    "service",
    "controller",
    "model",
    "view",
    "template",
    "dashboard",
    "cli",
    "api",
    "webhook",
    "queue",
    "cron",
    "importer",
    "exporter",
    "renderer",
    "validator",
    "serializer",
    "loader",
];
const ADVICE: &[&str] = &[
    "Avoid what reviewers flagged: {s} misuse in the {p} module",
    "Changes scored low on tests: cover the {s} path of the {p}",
    "A pull request like this was merged: tidy the {s} handling in {p}",
    "Keep the {p} small: move {s} code into its own function",
    "Never ignore {s} failures in the {p}; report them with context",
];

/// A deterministic pseudo-random sequence (xorshift), so every run builds the same data.
struct Sequence(u64);

impl Sequence {
    fn next(&mut self, below: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % below as u64) as usize
    }
}

fn learning(i: usize, sequence: &mut Sequence) -> NewLearning {
    let subject = SUBJECTS[sequence.next(SUBJECTS.len())];
    let place = PLACES[sequence.next(PLACES.len())];
    let template = ADVICE[sequence.next(ADVICE.len())];
    NewLearning {
        // One in ten belongs to another repository, which retrieval must leave out.
        repository: if i % 10 == 9 {
            OTHER_REPOSITORY
        } else {
            REPOSITORY
        }
        .to_owned(),
        kind: ["mistake", "success", "weakness", "preference"][i % 4].to_owned(),
        content: format!(
            "{} (case {i})",
            template.replace("{s}", subject).replace("{p}", place)
        ),
        source: "review".to_owned(),
        run_id: None,
        weight: 0.5 + sequence.next(40) as f64 / 10.0,
        effect: None,
        evidence: Vec::new(),
    }
}

async fn fill(store: Arc<dyn Store>, count: usize) -> Duration {
    let started = Instant::now();
    let workers = 8;
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..workers {
        let store = store.clone();
        tasks.spawn(async move {
            let mut sequence = Sequence(0x9E37_79B9_7F4A_7C15 ^ (worker as u64 + 1));
            for i in (worker..count).step_by(workers) {
                store
                    .add_learning(&learning(i, &mut sequence))
                    .await
                    .expect("insert");
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("insert task");
    }
    started.elapsed()
}

/// PostgreSQL commits each `add_learning` on its own (about 15 ms here), so 100,000 go in
/// through one multi-row insert per 5,000, with the same columns and normalisation.
async fn fill_postgres(url: &str, count: usize) -> Duration {
    let started = Instant::now();
    let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
    let mut sequence = Sequence(0x9E37_79B9_7F4A_7C15);
    let now = chrono::Utc::now();
    let all: Vec<NewLearning> = (0..count).map(|i| learning(i, &mut sequence)).collect();
    for chunk in all.chunks(5_000) {
        let column = |f: fn(&NewLearning) -> String| chunk.iter().map(f).collect::<Vec<_>>();
        sqlx::query(
            "INSERT INTO learnings (repository, kind, content, normalized, source, weight, created_at, updated_at)
             SELECT r, k, c, n, s, w, $7, $7
             FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[])
                  AS t(r, k, c, n, s, w)
             ON CONFLICT DO NOTHING",
        )
        .bind(column(|l| l.repository.clone()))
        .bind(column(|l| l.kind.clone()))
        .bind(column(|l| l.content.clone()))
        .bind(column(|l| automaintainer::store::learning_text::normalize(&l.content)))
        .bind(column(|l| l.source.clone()))
        .bind(chunk.iter().map(|l| l.weight).collect::<Vec<f64>>())
        .bind(now)
        .execute(&mut conn)
        .await
        .expect("bulk insert");
    }
    // A bulk insert leaves the GIN index's new entries in its pending list, which every search
    // scans linearly until (auto)vacuum merges it; a table in use has long been vacuumed.
    sqlx::query("VACUUM ANALYZE learnings")
        .execute(&mut conn)
        .await
        .expect("vacuum");
    started.elapsed()
}

async fn measure(store: &dyn Store) -> Vec<Duration> {
    let mut sequence = Sequence(42);
    let mut times = Vec::new();
    for round in 0..ROUNDS + 3 {
        let query = format!(
            "fix the {} in the {}",
            SUBJECTS[sequence.next(SUBJECTS.len())],
            PLACES[sequence.next(PLACES.len())]
        );
        let started = Instant::now();
        let top = store
            .relevant_learnings(REPOSITORY, &query, 10)
            .await
            .expect("query");
        let elapsed = started.elapsed();
        assert!(!top.is_empty(), "{query}");
        if round >= 3 {
            times.push(elapsed); // the first three warm the caches
        }
    }
    times.sort();
    times
}

fn report(backend: &str, count: usize, fill_time: Duration, times: &[Duration]) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    let mean = times.iter().map(|d| ms(*d)).sum::<f64>() / times.len() as f64;
    println!(
        "{backend:<8} {count} learnings (filled in {:.1}s): top 10 in min {:.2} ms, median {:.2} ms, p95 {:.2} ms, max {:.2} ms, mean {:.2} ms over {} queries",
        fill_time.as_secs_f64(),
        ms(times[0]),
        ms(at(0.5)),
        ms(at(0.95)),
        ms(times[times.len() - 1]),
        mean,
        times.len()
    );
}

async fn postgres_store() -> (Arc<dyn Store>, String, String, String) {
    let admin = std::env::var("AM_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/am_test".to_owned());
    let name = "am_bench_learnings";
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("PostgreSQL is reachable");
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await
        .expect("drop");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create");
    let mut url = url::Url::parse(&admin).expect("a URL");
    url.set_path(&format!("/{name}"));
    let store = automaintainer::store::open(Some(&Secret::new(url.to_string())))
        .await
        .expect("open");
    (store, admin, name.to_owned(), url.to_string())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let count: usize = std::env::var("AM_BENCH_LEARNINGS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let backends =
        std::env::var("AM_BENCH_BACKENDS").unwrap_or_else(|_| "postgres,sqlite".to_owned());
    if backends.contains("sqlite") {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = automaintainer::store::sqlite_url(&dir.path().join("bench.db"));
        let store = automaintainer::store::open(Some(&Secret::new(url)))
            .await
            .expect("open");
        let fill_time = fill(store.clone(), count).await;
        report("sqlite", count, fill_time, &measure(store.as_ref()).await);
    }
    if backends.contains("postgres") {
        let (store, admin, name, url) = postgres_store().await;
        let fill_time = fill_postgres(&url, count).await;
        report("postgres", count, fill_time, &measure(store.as_ref()).await);
        drop(store);
        if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut conn)
                .await;
        }
    }
}
