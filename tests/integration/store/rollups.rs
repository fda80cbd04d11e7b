//! The daily rollups behind `/analytics` (run_days, score_days, finding_days): the aggregates
//! read from them equal what the runs, evaluations and reviews themselves say, for windows that
//! start mid-day, at midnight, on a run, before and after everything, overall and per
//! repository; after the store rewrites scores, findings and statuses; after rows change behind
//! its back (a run moved to another repository or day, an evaluation, a review, a run deleted);
//! and on a store upgraded with runs already in it (the migration's backfill).

use automaintainer::artifacts::{FindingCategory, Method};
use automaintainer::store::{
    Analytics, AnalyticsQuery, CategoryCount, ComponentSummary, DailyScore, WeeklySuccess,
};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use super::*;
use crate::common::db::Backend;

crate::store_tests!(analytics_from_the_rollups_equal_counting_the_runs);

const REPOSITORIES: [&str; 3] = [REPO, "github.com/acme/b", "github.com/acme/c"];
const RUNS: usize = 30;
const COMPONENTS: [&str; 4] = [
    "code_quality",
    "test_coverage",
    "maintainability",
    "readability",
];

fn run_id(i: usize) -> String {
    format!("run-{i:02}")
}

/// Run `i`'s start: every 13 hours and 7 minutes from the fixed origin, so runs fall at every
/// hour of the day, several on some days and none on others.
fn started(i: usize) -> DateTime<Utc> {
    at(0) + Duration::minutes(i as i64 * (13 * 60 + 7))
}

/// Registers and persists `RUNS` runs over three repositories: scores with fractions, some
/// components unscored, methods of every kind, reviews with several categories (and none),
/// runs with no evaluation, and every status.
async fn seed(store: &dyn Store) {
    for i in 0..RUNS {
        let repository = REPOSITORIES[i % 3];
        register(store, &run_id(i), repository, started(i)).await;
        if i % 7 == 6 {
            // Still running, or never evaluated: no artifacts.
            continue;
        }
        let score = 40.0 + (i as f64) * 1.7 + 0.1;
        let mut a = artifacts(&run_id(i), repository, &format!("am/task-{i}"), score);
        let evaluation = a.evaluation.as_mut().unwrap();
        if i % 5 == 0 {
            evaluation.evolution_score = None;
        }
        if i % 4 == 1 {
            evaluation.test_coverage.score = None;
            evaluation.test_coverage.method = Method::Unavailable;
        }
        if i % 3 == 2 {
            evaluation.readability.score = Some(score / 3.0);
            evaluation.readability.method = Method::Estimated;
        }
        let review = a.review.as_mut().unwrap();
        let first = review.findings[0].clone();
        review.findings = (0..i % 4)
            .map(|k| {
                let mut finding = first.clone();
                finding.category = [
                    FindingCategory::Style,
                    FindingCategory::Security,
                    FindingCategory::Testing,
                    FindingCategory::Nitpick,
                ][(i + k) % 4];
                finding
            })
            .collect();
        a.status = Some(
            [
                RunStatus::Succeeded,
                RunStatus::Failed,
                RunStatus::Nothing,
                RunStatus::Succeeded,
            ][i % 4],
        );
        store.persist_artifacts(&a).await.unwrap();
    }
}

/// A run as its rows say: repository, start, status.
type RunRow = (String, String, DateTime<Utc>, String);
/// An evaluation's scores and methods: evolution, then each component's score and method.
type EvaluationRow = (
    String,
    Option<f64>,
    Option<f64>,
    String,
    Option<f64>,
    String,
    Option<f64>,
    String,
    Option<f64>,
    String,
);

/// The aggregates as the runs, evaluations and reviews say, computed here from their rows.
async fn counted(db: &TestDb, query: &AnalyticsQuery) -> Analytics {
    let runs: Vec<RunRow> = db
        .rows("SELECT run_id, repository, started_at, status FROM agent_runs")
        .await;
    let evaluations: Vec<EvaluationRow> = db
        .rows(
            "SELECT run_id, evolution_score, code_quality_score, code_quality_method,
                    test_coverage_score, test_coverage_method, maintainability_score,
                    maintainability_method, readability_score, readability_method
             FROM evaluations",
        )
        .await;
    let reviews: Vec<(String, String)> = db
        .rows("SELECT run_id, CAST(findings AS TEXT) FROM code_reviews")
        .await;
    let selected: Vec<&RunRow> = runs
        .iter()
        .filter(|r| r.2 >= query.since)
        .filter(|r| query.repository.as_ref().is_none_or(|name| &r.1 == name))
        .collect();
    let day_of = |run_id: &str| {
        selected
            .iter()
            .find(|r| r.0 == run_id)
            .map(|r| r.2.date_naive())
    };

    let mut trend: std::collections::BTreeMap<NaiveDate, (f64, i64)> = Default::default();
    let mut components = [(0.0, 0i64, 0i64, 0i64, 0i64); 4];
    for e in &evaluations {
        let Some(day) = day_of(&e.0) else { continue };
        if let Some(score) = e.1 {
            let entry = trend.entry(day).or_default();
            entry.0 += score;
            entry.1 += 1;
        }
        for (slot, (score, method)) in [(e.2, &e.3), (e.4, &e.5), (e.6, &e.7), (e.8, &e.9)]
            .into_iter()
            .enumerate()
        {
            let c = &mut components[slot];
            if let Some(score) = score {
                c.0 += score;
                c.1 += 1;
            }
            match method.as_str() {
                "measured" => c.2 += 1,
                "estimated" => c.3 += 1,
                "unavailable" => c.4 += 1,
                _ => {}
            }
        }
    }

    let mut findings: std::collections::BTreeMap<String, i64> = Default::default();
    for (run_id, text) in &reviews {
        if day_of(run_id).is_none() {
            continue;
        }
        let parsed: serde_json::Value = serde_json::from_str(text).unwrap();
        for finding in parsed.as_array().unwrap() {
            let category = finding["category"].as_str().unwrap_or("other").to_owned();
            *findings.entry(category).or_default() += 1;
        }
    }
    let mut findings: Vec<CategoryCount> = findings
        .into_iter()
        .map(|(category, count)| CategoryCount { category, count })
        .collect();
    findings.sort_by(|a, b| b.count.cmp(&a.count).then(a.category.cmp(&b.category)));

    let mut weeks: std::collections::BTreeMap<NaiveDate, (i64, i64)> = Default::default();
    for r in &selected {
        let day = r.2.date_naive();
        let monday = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
        let week = weeks.entry(monday).or_default();
        if !["running", "abandoned", "skipped"].contains(&r.3.as_str()) {
            week.0 += 1;
        }
        if r.3 == "succeeded" {
            week.1 += 1;
        }
    }

    Analytics {
        score_trend: trend
            .into_iter()
            .map(|(day, (sum, runs))| DailyScore {
                day,
                average_score: sum / runs as f64,
                runs,
            })
            .collect(),
        components: COMPONENTS
            .iter()
            .zip(components)
            .map(|(name, c)| ComponentSummary {
                component: (*name).to_owned(),
                average: (c.1 > 0).then(|| c.0 / c.1 as f64),
                measured: c.2,
                estimated: c.3,
                unavailable: c.4,
            })
            .collect(),
        findings_by_category: findings,
        weekly_success: weeks
            .into_iter()
            .map(|(week_start, (finished, succeeded))| WeeklySuccess {
                week_start,
                finished,
                succeeded,
            })
            .collect(),
    }
}

/// Equal but for the last bits of the averages (sums added in another order).
fn assert_same(read: &Analytics, counted: &Analytics, when: &str) {
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
    assert_eq!(read.score_trend.len(), counted.score_trend.len(), "{when}");
    for (a, b) in read.score_trend.iter().zip(&counted.score_trend) {
        assert_eq!((a.day, a.runs), (b.day, b.runs), "{when}");
        assert!(
            close(a.average_score, b.average_score),
            "{when}: {a:?} {b:?}"
        );
    }
    assert_eq!(read.components.len(), counted.components.len(), "{when}");
    for (a, b) in read.components.iter().zip(&counted.components) {
        assert_eq!(
            (&a.component, a.measured, a.estimated, a.unavailable),
            (&b.component, b.measured, b.estimated, b.unavailable),
            "{when}"
        );
        match (a.average, b.average) {
            (Some(x), Some(y)) => assert!(close(x, y), "{when}: {a:?} {b:?}"),
            (x, y) => assert_eq!(x, y, "{when}: {}", a.component),
        }
    }
    assert_eq!(
        read.findings_by_category, counted.findings_by_category,
        "{when}"
    );
    assert_eq!(read.weekly_success, counted.weekly_success, "{when}");
}

/// Every window the checks read: before everything, mid-day, midnight, exactly on a run, on
/// the last day, after everything; overall, per repository, and of an unknown repository.
fn windows() -> Vec<AnalyticsQuery> {
    let sinces = [
        at(-1000),
        at(5 * 24) + Duration::minutes(5 * 60 + 30),
        at(7 * 24),
        started(11),
        started(RUNS - 1) - Duration::minutes(1),
        started(RUNS - 1) + Duration::minutes(1),
    ];
    let mut all = Vec::new();
    for since in sinces {
        for repository in [None, Some(REPO), Some("github.com/acme/c"), Some("nowhere")] {
            all.push(AnalyticsQuery {
                repository: repository.map(str::to_owned),
                since,
            });
        }
    }
    all
}

async fn assert_rollups_exact(db: &TestDb, when: &str) {
    for query in windows() {
        let read = db.store.analytics(&query).await.unwrap();
        let expected = counted(db, &query).await;
        assert_same(&read, &expected, &format!("{when}, {query:?}"));
    }
}

async fn analytics_from_the_rollups_equal_counting_the_runs(db: TestDb) {
    let store = db.store.as_ref();
    assert_rollups_exact(&db, "on an empty store").await;
    seed(store).await;
    let everything = counted(
        &db,
        &AnalyticsQuery {
            repository: None,
            since: at(-1000),
        },
    )
    .await;
    assert!(everything.score_trend.len() > 5, "{everything:?}");
    assert!(everything.findings_by_category.len() >= 4);
    assert_rollups_exact(&db, "after persisting").await;

    // The store rewrites what it recorded: a new score and other findings for a run persisted
    // again, statuses closed, failed and abandoned.
    let mut again = artifacts(&run_id(3), REPOSITORIES[0], "am/task-3", 91.25);
    again.review.as_mut().unwrap().findings[0].category = FindingCategory::Performance;
    store.persist_artifacts(&again).await.unwrap();
    store
        .close_run(&run_id(6), RunStatus::Nothing)
        .await
        .unwrap();
    store
        .record_failure(&RunFailure {
            run_id: run_id(13),
            phase: "implement".into(),
            message: "checks failed".into(),
            at: started(13),
        })
        .await
        .unwrap();
    assert_rollups_exact(&db, "after the store rewrote runs").await;

    // Rows changed behind the store's back: a run moved to another repository, one to another
    // day, an evaluation and a review deleted, statuses rewritten, runs deleted with their
    // evaluation and review.
    for sql in [
        format!(
            "UPDATE agent_runs SET repository = 'github.com/acme/c' WHERE run_id = '{}'",
            run_id(1)
        ),
        format!(
            "UPDATE agent_runs SET started_at = '2026-01-12T23:59:59.999999Z' WHERE run_id = '{}'",
            run_id(2)
        ),
        format!(
            "UPDATE agent_runs SET repository = 'github.com/acme/b',
                 started_at = '2026-01-02T00:00:00.000000Z' WHERE run_id = '{}'",
            run_id(9)
        ),
        format!("DELETE FROM evaluations WHERE run_id = '{}'", run_id(4)),
        format!("DELETE FROM code_reviews WHERE run_id = '{}'", run_id(5)),
        format!(
            "UPDATE agent_runs SET status = 'abandoned' WHERE run_id = '{}'",
            run_id(7)
        ),
        format!(
            "UPDATE agent_runs SET status = 'skipped' WHERE run_id = '{}'",
            run_id(8)
        ),
        format!("DELETE FROM agent_runs WHERE run_id = '{}'", run_id(10)),
        format!(
            "DELETE FROM agent_runs WHERE run_id IN ('{}', '{}')",
            run_id(11),
            run_id(12)
        ),
    ] {
        db.execute(&sql).await;
    }
    assert_rollups_exact(&db, "after rows changed behind the store's back").await;
}

/// The last migration before the daily rollups.
const BEFORE_ROLLUPS: i64 = 20261208000201;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rollups_start_from_the_runs_an_older_release_left_on_postgres() {
    the_rollups_start_from_the_runs_an_older_release_left(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rollups_start_from_the_runs_an_older_release_left_on_sqlite() {
    the_rollups_start_from_the_runs_an_older_release_left(Backend::Sqlite).await;
}

async fn the_rollups_start_from_the_runs_an_older_release_left(backend: Backend) {
    let db = TestDb::migrated_until(backend, BEFORE_ROLLUPS).await;
    seed(db.store.as_ref()).await;
    db.store.migrate().await.unwrap();
    assert!(db.count("SELECT count(*) FROM run_days").await > 0);
    assert_rollups_exact(&db, "after the upgrade").await;
    // The triggers count from the backfilled rows on.
    db.execute(&format!(
        "UPDATE agent_runs SET repository = 'github.com/acme/b' WHERE run_id = '{}'",
        run_id(0)
    ))
    .await;
    db.execute(&format!(
        "DELETE FROM agent_runs WHERE run_id = '{}'",
        run_id(3)
    ))
    .await;
    assert_rollups_exact(&db, "after writes on the upgraded store").await;
}
