//! The store: the SQLite file of the data directory (or `DATABASE_URL`'s), opened read-only;
//! nothing is created or migrated by looking.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

use super::report::{Check, Level, Section};
use crate::secrets::Secret;
use crate::store::default_sqlite_path;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

pub async fn check_store(database_url: Option<&Secret>) -> Check {
    let (status, level, hint) = match database_url.map(Secret::expose) {
        None => default_sqlite().await,
        Some(url) if url.starts_with("sqlite:") => sqlite(url, "DATABASE_URL").await,
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            postgres(url).await
        }
        Some(_) => (
            "DATABASE_URL is neither postgres:// nor sqlite:".to_owned(),
            Level::Problem,
            Some("set DATABASE_URL to a postgres:// or sqlite: URL, or unset it for the embedded SQLite store".to_owned()),
        ),
    };
    Check {
        section: Section::Store,
        name: "store".to_owned(),
        level,
        status,
        used_for: "the memory: runs, pull requests, reviews, scores, learnings".to_owned(),
        hint,
    }
}

type Outcome = (String, Level, Option<String>);

async fn default_sqlite() -> Outcome {
    let path = match default_sqlite_path() {
        Ok(path) => path,
        Err(error) => return (error.to_string(), Level::Problem, None),
    };
    if !path.exists() {
        return (
            format!("SQLite at {} (not created yet)", path.display()),
            Level::Ok,
            Some("the first `automaintainer run` creates it".to_owned()),
        );
    }
    sqlite(&crate::store::sqlite_url(&path), "the data directory").await
}

async fn sqlite(url: &str, source: &str) -> Outcome {
    let options = match SqliteConnectOptions::from_str(url) {
        Ok(options) => options.read_only(true).create_if_missing(false),
        Err(error) => return (format!("{source}: {error}"), Level::Problem, None),
    };
    let label = format!("SQLite at {}", options.get_filename().display());
    if url.contains(":memory:") {
        return (format!("{label} (in memory)"), Level::Ok, None);
    }
    if !options.get_filename().exists() {
        return (
            format!("{label} (not created yet)"),
            Level::Ok,
            Some("the first `automaintainer run` creates it".to_owned()),
        );
    }
    match tokio::time::timeout(CONNECT_TIMEOUT, options.connect()).await {
        Ok(Ok(mut conn)) => {
            let runs = describe(sqlx::query_scalar(COUNT_RUNS).fetch_one(&mut conn).await);
            let _ = conn.close().await;
            (format!("{label}, {runs}"), Level::Ok, None)
        }
        Ok(Err(error)) => (
            format!("{label}: cannot be opened ({error})"),
            Level::Problem,
            None,
        ),
        Err(_) => (format!("{label}: no answer"), Level::Problem, None),
    }
}

async fn postgres(url: &str) -> Outcome {
    let options = match PgConnectOptions::from_str(url) {
        Ok(options) => options,
        Err(error) => return (format!("DATABASE_URL: {error}"), Level::Problem, None),
    };
    // The URL's password never reaches the report: host, port and database only.
    let label = format!(
        "PostgreSQL at {}:{}/{}",
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or("postgres")
    );
    match tokio::time::timeout(CONNECT_TIMEOUT, options.connect()).await {
        Ok(Ok(mut conn)) => {
            let runs = describe(sqlx::query_scalar(COUNT_RUNS).fetch_one(&mut conn).await);
            let _ = conn.close().await;
            (format!("{label}, {runs}"), Level::Ok, None)
        }
        Ok(Err(error)) => (
            format!(
                "{label}: cannot connect ({})",
                first_line(&error.to_string())
            ),
            Level::Problem,
            Some(
                "start PostgreSQL or fix DATABASE_URL; unset it for the embedded SQLite store"
                    .to_owned(),
            ),
        ),
        Err(_) => (
            format!("{label}: no answer in {}s", CONNECT_TIMEOUT.as_secs()),
            Level::Problem,
            Some("start PostgreSQL or fix DATABASE_URL".to_owned()),
        ),
    }
}

const COUNT_RUNS: &str = "SELECT count(*) FROM agent_runs";

/// `12 runs`, or that the tables are not there yet.
fn describe(count: Result<i64, sqlx::Error>) -> String {
    match count {
        Ok(1) => "1 run".to_owned(),
        Ok(n) => format!("{n} runs"),
        Err(_) => "not migrated yet (the first run or `automaintainer migrate` does it)".to_owned(),
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}
