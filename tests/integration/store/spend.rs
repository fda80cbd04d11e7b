//! The fleet's model spend per repository and UTC day: every call's usage is added in one
//! statement, so concurrent writers (two runs, two processes) lose no increment; the day's
//! fleet total sums every repository and no other day; notifications are claimed once.

use automaintainer::store::SpendRow;

use super::*;

crate::store_tests!(
    concurrent_spend_increments_add_up,
    the_fleet_total_is_the_days_sum_over_repositories,
    a_notification_is_claimed_once_until_given_back
);

const OTHER: &str = "github.com/o/other";

fn call(repository: &str, day: &str, input: i64, output: i64, cost: f64) -> SpendRow {
    SpendRow {
        repository: repository.to_owned(),
        day: day.to_owned(),
        calls: 1,
        input_tokens: input,
        output_tokens: output,
        cost_usd: cost,
    }
}

async fn concurrent_spend_increments_add_up(db: TestDb) {
    const WRITERS: usize = 24;
    let tasks: Vec<_> = (0..WRITERS)
        .map(|i| {
            let store = db.store.clone();
            // Half on one repository, half on another, all on the same day and at once.
            let repository = if i % 2 == 0 { REPO } else { OTHER };
            tokio::spawn(async move {
                store
                    .add_spend(&call(repository, "2026-12-06", 1000, 10, 0.25))
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let rows = db.store.spend("2026-12-06").await.unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    for row in &rows {
        assert_eq!(
            (row.calls, row.input_tokens, row.output_tokens),
            (12, 12_000, 120),
            "{row:?}"
        );
        assert!((row.cost_usd - 3.0).abs() < 1e-9, "{row:?}");
    }
    let fleet = db.store.fleet_spend("2026-12-06").await.unwrap();
    assert_eq!(fleet.calls, WRITERS as i64);
    assert_eq!(fleet.tokens(), 24 * 1010);
    assert!((fleet.cost_usd - 6.0).abs() < 1e-9);
}

async fn the_fleet_total_is_the_days_sum_over_repositories(db: TestDb) {
    let store = db.store.as_ref();
    let empty = store.fleet_spend("2026-12-06").await.unwrap();
    assert_eq!((empty.calls, empty.tokens(), empty.cost_usd), (0, 0, 0.0));
    store
        .add_spend(&call(REPO, "2026-12-05", 500, 50, 1.0))
        .await
        .unwrap();
    store
        .add_spend(&call(REPO, "2026-12-06", 300, 30, 0.5))
        .await
        .unwrap();
    store
        .add_spend(&call(OTHER, "2026-12-06", 200, 20, 0.25))
        .await
        .unwrap();
    let today = store.fleet_spend("2026-12-06").await.unwrap();
    assert_eq!(
        (today.calls, today.input_tokens, today.output_tokens),
        (2, 500, 50)
    );
    assert!((today.cost_usd - 0.75).abs() < 1e-9);
    // Newest day first, then by repository; `since` is inclusive.
    let rows = store.spend("2026-12-05").await.unwrap();
    let keys: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r.day.as_str(), r.repository.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("2026-12-06", REPO),
            ("2026-12-06", OTHER),
            ("2026-12-05", REPO)
        ]
    );
    assert_eq!(store.spend("2026-12-06").await.unwrap().len(), 2);

    register(store, "run-1", REPO, at(0)).await;
    assert_eq!(
        store.run_repository("run-1").await.unwrap().as_deref(),
        Some(REPO)
    );
    assert_eq!(store.run_repository("nobody").await.unwrap(), None);
}

async fn a_notification_is_claimed_once_until_given_back(db: TestDb) {
    let store = db.store.clone();
    let other = db.store.clone();
    let (first, second) = tokio::join!(
        store.claim_notification("digest", "2026-12-06"),
        other.claim_notification("digest", "2026-12-06")
    );
    assert!(
        first.unwrap() ^ second.unwrap(),
        "exactly one sender claims the day"
    );
    assert!(store
        .claim_notification("digest", "2026-12-07")
        .await
        .unwrap());
    store
        .release_notification("digest", "2026-12-06")
        .await
        .unwrap();
    assert!(store
        .claim_notification("digest", "2026-12-06")
        .await
        .unwrap());
}
