//! Upgrading a database that an older release filled: the migration that adds the `abandoned`
//! run status keeps every row (a run's errors, phases and artifacts hang on it by foreign key,
//! with ON DELETE CASCADE), turns the runs that release marked abandoned (failed, with an
//! "abandoned: " error) into abandoned ones, counts them apart, and still refuses a status it
//! does not know; the one that adds `skipped` does likewise for runs turned away at setup; the
//! one that adds the counters starts them from the rows an older release left.

use super::*;
use crate::common::db::Backend;

/// The last migration before the `abandoned` status.
const BEFORE_ABANDONED: i64 = 20261206000004;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_abandoned_status_upgrade_keeps_every_row_on_postgres() {
    the_abandoned_status_upgrade_keeps_every_row(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_abandoned_status_upgrade_keeps_every_row_on_sqlite() {
    the_abandoned_status_upgrade_keeps_every_row(Backend::Sqlite).await;
}

async fn the_abandoned_status_upgrade_keeps_every_row(backend: Backend) {
    let db = TestDb::migrated_until(backend, BEFORE_ABANDONED).await;
    // Written as the older release wrote them.
    for (run_id, status, error) in [
        (
            "old-abandoned",
            "failed",
            Some("abandoned: the run held no lease for 1800s while in phase implement"),
        ),
        ("old-failed", "failed", Some("the checks failed")),
        ("old-ok", "succeeded", None),
    ] {
        db.execute(&format!(
            "INSERT INTO agent_runs (run_id, repository, trigger, status, phase, started_at,
                 finished_at, error)
             VALUES ('{run_id}', '{REPO}', 'schedule', '{status}', 'implement',
                 '2026-12-01T02:00:00.000000Z', '2026-12-01T02:10:00.000000Z', {error})",
            error = error.map_or("NULL".to_owned(), |e| format!("'{e}'")),
        ))
        .await;
        db.execute(&format!(
            "INSERT INTO run_phases (run_id, phase, started_at, finished_at, status)
             VALUES ('{run_id}', 'implement', '2026-12-01T02:01:00.000000Z',
                 '2026-12-01T02:10:00.000000Z', 'failed')"
        ))
        .await;
        db.execute(&format!(
            "INSERT INTO run_artifacts (run_id, name, content)
             VALUES ('{run_id}', 'task', '{{\"selection\": {{\"status\": \"nothing\", \"reason\": \"r\"}}}}')"
        ))
        .await;
    }
    db.execute(
        "INSERT INTO run_errors (run_id, phase, message, at)
         VALUES ('old-abandoned', 'implement', 'abandoned: the run held no lease', '2026-12-01T02:10:00.000000Z')",
    )
    .await;

    db.store.migrate().await.unwrap();
    let store = db.store.as_ref();

    let detail = |id: &'static str| async move { store.run_detail(id).await.unwrap().unwrap() };
    let abandoned = detail("old-abandoned").await;
    assert_eq!(abandoned.overview.status, RunStatus::Abandoned);
    assert_eq!(abandoned.overview.phase.as_deref(), Some("implement"));
    assert_eq!(abandoned.errors.len(), 1, "the run's error survives");
    assert_eq!(abandoned.phases.len(), 1, "the run's phases survive");
    assert_eq!(abandoned.artifacts.len(), 1, "the run's artifacts survive");
    assert_eq!(
        detail("old-failed").await.overview.status,
        RunStatus::Failed
    );
    assert_eq!(detail("old-failed").await.phases.len(), 1);
    assert_eq!(detail("old-ok").await.overview.status, RunStatus::Succeeded);
    let stats = store.system_stats().await.unwrap();
    assert_eq!(
        (
            stats.total_runs,
            stats.succeeded_runs,
            stats.failed_runs,
            stats.abandoned_runs
        ),
        (3, 1, 1, 1),
        "{stats:?}"
    );
    assert_eq!(
        stats.success_rate,
        Some(0.5),
        "abandoned runs are not in the rate"
    );

    // A run of the upgraded store can be abandoned, through this store and through another
    // process's; a status nobody knows is still refused.
    register(store, "new", REPO, at(0)).await;
    db.execute(
        "UPDATE agent_runs SET heartbeat_at = '2026-01-01T00:00:00.000000Z' WHERE run_id = 'new'",
    )
    .await;
    let reopened = db.reopen().await;
    register(reopened.as_ref(), "next", REPO, at(1)).await;
    assert_eq!(detail("new").await.overview.status, RunStatus::Abandoned);
    register(store, "third", "/srv/git/other.git", at(2)).await;
    db.execute(
        "UPDATE agent_runs SET heartbeat_at = '2026-01-01T00:00:00.000000Z' WHERE run_id = 'third'",
    )
    .await;
    assert_eq!(store.abandon_expired(None).await.unwrap(), ["third"]);
    let refused = db
        .try_execute("UPDATE agent_runs SET status = 'vanished' WHERE run_id = 'old-ok'")
        .await;
    assert!(refused.is_err(), "the status CHECK still holds");
    assert_eq!(store.system_stats().await.unwrap().abandoned_runs, 3);
    if backend == Backend::Sqlite {
        let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(db.url())
            .await
            .unwrap();
        let check: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&mut conn)
            .await
            .unwrap();
        assert_eq!(check, ["ok"]);
        let dangling: Vec<(String,)> =
            sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
                .fetch_all(&mut conn)
                .await
                .unwrap();
        assert!(dangling.is_empty(), "{dangling:?}");
    }
}

/// The last migration before the `skipped` status.
const BEFORE_SKIPPED: i64 = 20261207000006;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_skipped_status_upgrade_moves_turned_away_runs_on_postgres() {
    the_skipped_status_upgrade_moves_turned_away_runs(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_skipped_status_upgrade_moves_turned_away_runs_on_sqlite() {
    the_skipped_status_upgrade_moves_turned_away_runs(Backend::Sqlite).await;
}

/// Runs the release before turned away were failed with a "skipped: " error; they become
/// skipped (their rows kept), counted apart, and the CHECK still refuses an unknown status.
async fn the_skipped_status_upgrade_moves_turned_away_runs(backend: Backend) {
    let db = TestDb::migrated_until(backend, BEFORE_SKIPPED).await;
    for (run_id, status, error) in [
        (
            "old-skipped",
            "failed",
            Some("skipped: another run holds the repository (run old-ok)"),
        ),
        ("old-failed", "failed", Some("the checks failed")),
        ("old-ok", "succeeded", None),
    ] {
        db.execute(&format!(
            "INSERT INTO agent_runs (run_id, repository, trigger, status, phase, started_at,
                 finished_at, error)
             VALUES ('{run_id}', '{REPO}', 'schedule', '{status}', 'setup',
                 '2026-12-01T02:00:00.000000Z', '2026-12-01T02:10:00.000000Z', {error})",
            error = error.map_or("NULL".to_owned(), |e| format!("'{e}'")),
        ))
        .await;
    }
    db.execute(
        "INSERT INTO run_errors (run_id, phase, message, at)
         VALUES ('old-skipped', 'setup', 'skipped: another run holds the repository (run old-ok)',
                 '2026-12-01T02:10:00.000000Z')",
    )
    .await;

    db.store.migrate().await.unwrap();
    let store = db.store.as_ref();
    let skipped = store.run_detail("old-skipped").await.unwrap().unwrap();
    assert_eq!(skipped.overview.status, RunStatus::Skipped);
    assert_eq!(skipped.errors.len(), 1, "the run's rows survive");
    let stats = store.system_stats().await.unwrap();
    assert_eq!(
        (
            stats.total_runs,
            stats.succeeded_runs,
            stats.failed_runs,
            stats.skipped_runs
        ),
        (3, 1, 1, 1),
        "{stats:?}"
    );
    assert_eq!(stats.success_rate, Some(0.5));

    // A new run can be skipped, and moves between the counters; nothing else is accepted.
    register(store, "new", REPO, at(0)).await;
    store.skip_run("new", "skipped: test").await.unwrap();
    let stats = store.system_stats().await.unwrap();
    assert_eq!(
        (stats.skipped_runs, stats.running_runs),
        (2, 0),
        "{stats:?}"
    );
    let refused = db
        .try_execute("UPDATE agent_runs SET status = 'vanished' WHERE run_id = 'old-ok'")
        .await;
    assert!(refused.is_err(), "the status CHECK still holds");
}

/// The last migration before the run and pull request counters.
const BEFORE_COUNTERS: i64 = 20261207000006;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_counters_start_from_the_rows_an_older_release_left_on_postgres() {
    the_counters_start_from_the_rows_an_older_release_left(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_counters_start_from_the_rows_an_older_release_left_on_sqlite() {
    the_counters_start_from_the_rows_an_older_release_left(Backend::Sqlite).await;
}

async fn the_counters_start_from_the_rows_an_older_release_left(backend: Backend) {
    let db = TestDb::migrated_until(backend, BEFORE_COUNTERS).await;
    for (run_id, repository, status, tokens) in [
        ("a", REPO, "succeeded", 10),
        ("b", REPO, "failed", 20),
        ("c", REPO, "abandoned", 0),
        ("d", "github.com/acme/app", "succeeded", 40),
    ] {
        db.execute(&format!(
            "INSERT INTO agent_runs (run_id, repository, trigger, status, started_at, tokens)
             VALUES ('{run_id}', '{repository}', 'schedule', '{status}',
                 '2026-12-01T02:00:00.000000Z', {tokens})"
        ))
        .await;
    }
    db.execute(&format!(
        "INSERT INTO pull_requests (run_id, repository, forge, number, branch, title, state,
             merged, created_at, updated_at)
         VALUES ('a', '{REPO}', 'local', 1, 'am/a', 'a', 'merged', TRUE,
             '2026-12-01T02:00:00.000000Z', '2026-12-01T03:00:00.000000Z')"
    ))
    .await;

    db.store.migrate().await.unwrap();
    let store = db.store.as_ref();
    let stats = store.system_stats().await.unwrap();
    assert_eq!(
        (
            stats.total_runs,
            stats.succeeded_runs,
            stats.failed_runs,
            stats.abandoned_runs,
            stats.total_tokens,
            stats.prs_opened,
            stats.prs_merged,
        ),
        (4, 2, 1, 1, 70, 1, 1),
        "{stats:?}"
    );
    let counted = |status: &str| {
        format!("SELECT CAST(COALESCE(sum(runs), 0) AS BIGINT) FROM run_counts WHERE repository = '{REPO}' AND status = '{status}'")
    };
    assert_eq!(db.count(&counted("succeeded")).await, 1);
    // A status rewritten after the upgrade (as a later migration would) moves the count.
    db.execute("UPDATE agent_runs SET status = 'failed' WHERE run_id = 'a'")
        .await;
    assert_eq!(db.count(&counted("succeeded")).await, 0);
    assert_eq!(db.count(&counted("failed")).await, 2);
    let (summaries, total) = store
        .repository_summaries(&automaintainer::store::RepositoryQuery::default())
        .await
        .unwrap();
    assert_eq!(total, 2);
    assert_eq!(summaries[0].repository, REPO);
    assert_eq!(summaries[0].runs, 3, "{summaries:?}");
}
