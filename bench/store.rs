//! The store benchmark: seeds 100,000 runs (with their PRs, reviews, evaluations and errors)
//! on PostgreSQL and SQLite and times the dashboard's queries and a run's writes against them.
//! Rerunnable: every run starts from a fresh database. Run with `bench/store.sh`; never in CI.
//!
//! PostgreSQL: `AM_BENCH_POSTGRES_URL` (default postgres://postgres@127.0.0.1:5432/am_bench),
//! dropped and recreated. SQLite: a file in a temporary directory.

#![allow(clippy::print_stdout, clippy::unwrap_used)] // a benchmark's report is its output

use std::future::Future;
use std::str::FromStr;
use std::time::{Duration, Instant};

use automaintainer::store::{
    NewRun, PgStore, RunArtifacts, RunQuery, RunStatus, SqliteStore, Store,
};
use sqlx::Connection;

const RUNS: u64 = 100_000;
const SAMPLES: usize = 30;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    println!("store benchmark: {RUNS} runs, median (min..max) of {SAMPLES} samples\n");
    let pg_url = fresh_postgres().await;
    let pg = PgStore::connect(&pg_url).await.unwrap();
    pg.migrate().await.unwrap();
    let seeding = timed(|| async {
        sqlx::raw_sql(include_str!("store_seed_postgres.sql"))
            .execute(pg.pool())
            .await
            .unwrap();
    })
    .await;
    println!("postgres: seeded in {}", ms(seeding));
    report(
        "refresh run_overview + system_stats (concurrently)",
        sample(5, || async { pg.refresh_views().await.unwrap() }).await,
    );
    measure(&pg).await;
    // What the dashboard's first page would cost read live, without the materialized copy.
    report(
        "(for comparison) run_overview_live page 1 + count",
        sample(SAMPLES, || async {
            sqlx::query(
                "SELECT * FROM run_overview_live ORDER BY started_at DESC, run_id DESC LIMIT 25",
            )
            .fetch_all(pg.pool())
            .await
            .unwrap();
            sqlx::query("SELECT count(*) FROM run_overview_live")
                .fetch_one(pg.pool())
                .await
                .unwrap();
        })
        .await,
    );

    let dir = tempfile::tempdir().unwrap();
    let sqlite_url = automaintainer::store::sqlite_url(&dir.path().join("bench.db"));
    let sqlite = SqliteStore::connect(&sqlite_url).await.unwrap();
    sqlite.migrate().await.unwrap();
    let seeding = timed(|| async {
        sqlx::raw_sql(include_str!("store_seed_sqlite.sql"))
            .execute(sqlite.pool())
            .await
            .unwrap();
    })
    .await;
    println!("\nsqlite: seeded in {}", ms(seeding));
    measure(&sqlite).await;
}

/// Times the dashboard's reads and one run's writes.
async fn measure(store: &dyn Store) {
    let (rows, total) = store.run_overview(&RunQuery::default()).await.unwrap();
    assert_eq!((rows.len(), total), (25, RUNS));
    report(
        "run_overview page 1 (25 rows) + count",
        sample(SAMPLES, || async {
            store.run_overview(&RunQuery::default()).await.unwrap();
        })
        .await,
    );
    report(
        "run_overview page 2000 (deep offset)",
        sample(SAMPLES, || async {
            let query = RunQuery {
                page: 2000,
                ..RunQuery::default()
            };
            store.run_overview(&query).await.unwrap();
        })
        .await,
    );
    report(
        "run_overview filtered: repository, page 1",
        sample(SAMPLES, || async {
            let query = RunQuery {
                repository: Some("repo-7".into()),
                ..RunQuery::default()
            };
            store.run_overview(&query).await.unwrap();
        })
        .await,
    );
    report(
        "run_overview filtered: repository + failed",
        sample(SAMPLES, || async {
            let query = RunQuery {
                repository: Some("repo-20".into()),
                status: Some(RunStatus::Failed),
                ..RunQuery::default()
            };
            store.run_overview(&query).await.unwrap();
        })
        .await,
    );
    let stats = store.system_stats().await.unwrap();
    assert_eq!(stats.total_runs, RUNS as i64);
    report(
        "system_stats",
        sample(SAMPLES, || async {
            store.system_stats().await.unwrap();
        })
        .await,
    );
    report(
        "repositories (the filters' list)",
        sample(SAMPLES, || async {
            store.repositories().await.unwrap();
        })
        .await,
    );
    report(
        "analytics: all repositories, last 90 days (4,320 runs)",
        sample(SAMPLES, || async {
            use chrono::TimeZone;
            let query = automaintainer::store::AnalyticsQuery {
                repository: None,
                // The seeded history ends 100,000 half-hours after 2020-01-01 (2025-09-14).
                since: chrono::Utc.with_ymd_and_hms(2025, 6, 16, 0, 0, 0).unwrap(),
            };
            store.analytics(&query).await.unwrap();
        })
        .await,
    );
    report(
        "run_detail",
        sample(SAMPLES, || async {
            store.run_detail("bench-51234").await.unwrap().unwrap();
        })
        .await,
    );
    report(
        "relevant_learnings (1,000 learnings)",
        sample(SAMPLES, || async {
            store
                .relevant_learnings("repo-3", "fix clippy warnings in module 5", 5)
                .await
                .unwrap();
        })
        .await,
    );
    let mut next = 0;
    let mut writes = Vec::new();
    for _ in 0..5 {
        next += 1;
        let run_id = format!("bench-new-{next}");
        writes.push(
            timed(|| async {
                store
                    .register_run(&NewRun {
                        run_id: run_id.clone(),
                        repository: "repo-1".into(),
                        trigger: "manual".into(),
                        model: "offline".into(),
                        started_at: automaintainer::store::clock::now(),
                    })
                    .await
                    .unwrap();
                store
                    .persist_artifacts(&RunArtifacts {
                        run_id: run_id.clone(),
                        status: Some(RunStatus::Nothing),
                        ..RunArtifacts::default()
                    })
                    .await
                    .unwrap();
            })
            .await,
        );
    }
    report(
        "one run's writes: register + persist (views refreshed)",
        writes,
    );
}

async fn fresh_postgres() -> String {
    let url = std::env::var("AM_BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/am_bench".to_owned());
    let mut parsed = url::Url::from_str(&url).unwrap();
    let name = parsed.path().trim_start_matches('/').to_owned();
    parsed.set_path("/postgres");
    let mut admin = sqlx::PgConnection::connect(parsed.as_str())
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {parsed} is unreachable: {e}"));
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    url
}

async fn timed<F: Future<Output = ()>>(f: impl FnOnce() -> F) -> Duration {
    let started = Instant::now();
    f().await;
    started.elapsed()
}

async fn sample<F: Future<Output = ()>>(n: usize, mut f: impl FnMut() -> F) -> Vec<Duration> {
    f().await; // warm the pool and the caches
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        f().await;
        times.push(started.elapsed());
    }
    times
}

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "  {name:<56} {:>10} ({}..{})",
        ms(median),
        ms(times[0]),
        ms(times[times.len() - 1])
    );
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}
