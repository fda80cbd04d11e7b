//! `store::open` on a runtime that opened the same database before gives that store, opened and
//! migrated once (an in-process run's ten phases); an older database is still migrated; another
//! runtime (a phase binary, a later test) opens a store of its own that works after the first
//! runtime is gone.

use std::sync::Arc;

use super::*;
use crate::common::db::Backend;

/// The last migration before the `abandoned` status: an older release's database.
const OLDER: i64 = 20261206000004;

async fn opening_again_on_one_runtime_shares_the_store(db: TestDb) {
    let first = automaintainer::store::open(Some(&db.secret()))
        .await
        .unwrap();
    let again = automaintainer::store::open(Some(&db.secret()))
        .await
        .unwrap();
    assert!(Arc::ptr_eq(&first, &again), "{:?}", db.backend);
    assert!(Arc::ptr_eq(&first, &db.store), "{:?}", db.backend);
    register(again.as_ref(), "shared", REPO, at(0)).await;
    assert!(first.run_detail("shared").await.unwrap().is_some());
}

crate::store_tests!(opening_again_on_one_runtime_shares_the_store);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_database_is_still_migrated_on_postgres() {
    an_older_database_is_still_migrated(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_database_is_still_migrated_on_sqlite() {
    an_older_database_is_still_migrated(Backend::Sqlite).await;
}

async fn an_older_database_is_still_migrated(backend: Backend) {
    let db = TestDb::migrated_until(backend, OLDER).await;
    let migrations = std::fs::read_dir(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(match backend {
                Backend::Sqlite => "sqlite",
                Backend::Postgres => "postgres",
            }),
    )
    .unwrap()
    .count() as i64;
    let applied = "SELECT count(*) FROM _sqlx_migrations WHERE success";
    assert!(db.count(applied).await < migrations);
    // Another database opened on this runtime first changes nothing for this one.
    let other = TestDb::new(backend).await;
    let store = automaintainer::store::open(Some(&db.secret()))
        .await
        .unwrap();
    assert!(!Arc::ptr_eq(&store, &other.store));
    assert_eq!(db.count(applied).await, migrations, "{backend:?}");
    // Opened again, it is the migrated store.
    let again = automaintainer::store::open(Some(&db.secret()))
        .await
        .unwrap();
    assert!(Arc::ptr_eq(&store, &again));
}

#[test]
fn another_runtime_opens_a_store_of_its_own_on_postgres() {
    another_runtime_opens_a_store_of_its_own(Backend::Postgres);
}

#[test]
fn another_runtime_opens_a_store_of_its_own_on_sqlite() {
    another_runtime_opens_a_store_of_its_own(Backend::Sqlite);
}

fn another_runtime_opens_a_store_of_its_own(backend: Backend) {
    let runtime = || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    };
    let first = runtime();
    let db = first.block_on(TestDb::new(backend));
    let url = db.secret();
    // The first runtime's store outlives its runtime here (a phase's lease task holds one).
    let kept = first.block_on(async {
        let store = automaintainer::store::open(Some(&url)).await.unwrap();
        register(store.as_ref(), "first", REPO, at(0)).await;
        store
    });
    drop(first);
    let second = runtime();
    second.block_on(async {
        let store = automaintainer::store::open(Some(&url)).await.unwrap();
        assert!(!Arc::ptr_eq(&store, &kept));
        register(store.as_ref(), "second", REPO, at(1)).await;
        assert!(store.run_detail("first").await.unwrap().is_some());
    });
    drop((kept, db));
}
