//! Retrieval of learnings for a context: relevance, weight and recency.

use super::*;

async fn retrieval_ranks_relevance_weight_and_recency(db: TestDb) {
    let store = db.store.as_ref();
    let add = |content: &'static str, weight: f64| NewLearning {
        repository: REPOSITORY.to_owned(),
        kind: "mistake".to_owned(),
        content: content.to_owned(),
        source: "review".to_owned(),
        run_id: None,
        weight,
        effect: None,
        evidence: Vec::new(),
    };
    let parser = store
        .add_learning(&add(
            "Validate user input in the config parser before use",
            1.0,
        ))
        .await
        .unwrap();
    let heavy_parser = store
        .add_learning(&add(
            "Never unwrap config parser results from user input",
            3.0,
        ))
        .await
        .unwrap();
    let unrelated = store
        .add_learning(&add("Keep dashboard charts accessible with labels", 5.0))
        .await
        .unwrap();
    let other_repo = store
        .add_learning(&NewLearning {
            repository: "https://example.com/other".to_owned(),
            ..add("Config parser user input must be validated", 9.0)
        })
        .await
        .unwrap();
    let got = store
        .relevant_learnings(REPOSITORY, "config parser crashes on user input", 10)
        .await
        .unwrap();
    let ids: Vec<i64> = got.iter().map(|l| l.id).collect();
    // Both relevant ones first, the heavier of them on top; never another repository's.
    assert_eq!(&ids[..2], &[heavy_parser, parser], "{got:?}");
    assert!(!ids.contains(&other_repo));
    if let Some(position) = ids.iter().position(|id| *id == unrelated) {
        assert!(position >= 2);
    }
    assert!(got.windows(2).all(|w| w[0].score >= w[1].score));
    assert_eq!(
        store
            .relevant_learnings(REPOSITORY, "config parser", 1)
            .await
            .unwrap()
            .len(),
        1
    );
}

/// Moves a learning's last reinforcement `days` into the past, in the backend's own SQL.
async fn age(db: &TestDb, id: i64, days: i64) {
    use sqlx::Connection;
    let at = Utc::now() - chrono::Duration::days(days);
    match db.backend {
        crate::common::db::Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(db.url()).await.unwrap();
            sqlx::query("UPDATE learnings SET updated_at = $1 WHERE id = $2")
                .bind(at)
                .bind(id)
                .execute(&mut conn)
                .await
                .unwrap();
        }
        crate::common::db::Backend::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(db.url()).await.unwrap();
            let text = automaintainer::store::clock::sqlite_text(at);
            sqlx::query("UPDATE learnings SET updated_at = ?1 WHERE id = ?2")
                .bind(text)
                .bind(id)
                .execute(&mut conn)
                .await
                .unwrap();
        }
    }
}

async fn stale_learnings_rank_below_fresh_ones(db: TestDb) {
    let store = db.store.as_ref();
    let add = |content: &str, weight: f64| NewLearning {
        repository: REPOSITORY.to_owned(),
        kind: "mistake".to_owned(),
        content: content.to_owned(),
        source: "review".to_owned(),
        run_id: None,
        weight,
        effect: None,
        evidence: Vec::new(),
    };
    let fresh = store
        .add_learning(&add("Check the config parser for unwraps", 1.0))
        .await
        .unwrap();
    // Four times the weight, but three half-lives (90 days) old: 4 x 0.125 = 0.5 of the fresh one.
    let stale = store
        .add_learning(&add("Check the config parser for panics", 4.0))
        .await
        .unwrap();
    age(&db, stale, 90).await;
    let got = store
        .relevant_learnings(REPOSITORY, "config parser", 10)
        .await
        .unwrap();
    let ids: Vec<i64> = got.iter().map(|l| l.id).collect();
    assert_eq!(ids, [fresh, stale], "{got:?}");
    assert!((got[1].score / got[0].score - 0.5).abs() < 0.05, "{got:?}");
}

crate::store_tests!(
    retrieval_ranks_relevance_weight_and_recency,
    stale_learnings_rank_below_fresh_ones
);
