//! Outcomes of pull requests applied to the learnings (`Store::apply_outcome`): the PR's new
//! state or the review's record, the re-weighting of what its run used and the outcome's own
//! learning happen whole or not at all, and once however often the outcome is recorded.

use automaintainer::learn::outcome::{record_outcome, PrState, CLOSED_PENALTY, MERGED_BONUS};
use automaintainer::store::{OutcomeApplied, OutcomeEvent, OutcomeLearning, OutcomeRecord};

use super::*;

crate::store_tests!(
    an_outcome_is_applied_whole_or_not_at_all,
    an_outcome_is_applied_once_even_when_recorded_twice,
);

const RUN: &str = "run-outcome-1";
const BRANCH: &str = "am/outcome";

/// A run that used one learning (weight 1) and has an open PR: the learning's id.
async fn run_with_open_pr(store: &dyn Store) -> i64 {
    register(store, RUN, REPO, at(0)).await;
    let used = store
        .add_learning(&learning(REPO, "Keep pull requests small", 1.0))
        .await
        .unwrap();
    store.record_learning_use(RUN, &[used]).await.unwrap();
    store
        .upsert_pull_request(&PullRequestRow {
            run_id: RUN.to_owned(),
            repository: REPO.to_owned(),
            forge: "local".to_owned(),
            number: None,
            url: None,
            branch: BRANCH.to_owned(),
            title: "Cache parsed configs".to_owned(),
            state: "open".to_owned(),
            merged: false,
            head_commit: Some("abc".to_owned()),
            created_at: at(1),
            updated_at: at(1),
        })
        .await
        .unwrap();
    used
}

fn record(event: OutcomeEvent, weight_delta: f64, learning: OutcomeLearning) -> OutcomeRecord {
    OutcomeRecord {
        repository: REPO.to_owned(),
        branch: BRANCH.to_owned(),
        event,
        run_id: RUN.to_owned(),
        weight_delta,
        learnings: vec![learning],
    }
}

fn merged() -> OutcomeEvent {
    OutcomeEvent::State {
        state: "merged".to_owned(),
        merged: true,
    }
}

fn review(id: i64) -> OutcomeEvent {
    OutcomeEvent::Review {
        review_id: id,
        reviewer: "ana".to_owned(),
    }
}

async fn weight_of(store: &dyn Store, id: i64) -> f64 {
    let rows = store.learnings(REPO).await.unwrap();
    rows.iter().find(|l| l.id == id).unwrap().weight
}

async fn pr_state(store: &dyn Store) -> (String, bool) {
    let pr = store
        .pull_request_for_branch(REPO, BRANCH)
        .await
        .unwrap()
        .unwrap();
    (pr.state, pr.merged)
}

async fn an_outcome_is_applied_whole_or_not_at_all(db: TestDb) {
    let store = db.store.as_ref();
    let used = run_with_open_pr(store).await;
    // The last step fails (the learning to reinforce is gone): the state change and the
    // re-weighting before it are undone with it.
    let missing = OutcomeLearning::Reinforce {
        id: used + 1000,
        weight: 1.0,
        evidence: Vec::new(),
    };
    for event in [merged(), review(7)] {
        let error = store
            .apply_outcome(&record(event, MERGED_BONUS, missing.clone()))
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::UnknownLearning(_)), "{error:?}");
        assert_eq!(pr_state(store).await, ("open".to_owned(), false));
        assert_eq!(weight_of(store, used).await, 1.0);
        assert_eq!(store.learnings(REPO).await.unwrap().len(), 1);
    }
    // The retry applies it, whole: the review was not left recorded by the failed attempt.
    let lesson = learning(REPO, "Reviewers asked for changes: split the cache", 1.0);
    let done = store
        .apply_outcome(&record(
            review(7),
            -0.1,
            OutcomeLearning::Add(lesson.clone()),
        ))
        .await
        .unwrap()
        .expect("applied");
    assert_eq!(done.adjusted, [used]);
    let [(learning_id, added)] = done.learnings[..] else {
        panic!("one learning: {done:?}");
    };
    assert!(added);
    assert!((weight_of(store, used).await - 0.9).abs() < 1e-9);
    assert_eq!(weight_of(store, learning_id).await, 1.0);
    // Adding a learning of a wording already stored reinforces that row instead.
    let again = store
        .apply_outcome(&record(review(8), 0.0, OutcomeLearning::Add(lesson)))
        .await
        .unwrap()
        .expect("a new review");
    assert_eq!(
        again,
        OutcomeApplied {
            adjusted: vec![used],
            learnings: vec![(learning_id, false)],
        }
    );
    assert_eq!(weight_of(store, learning_id).await, 2.0);
}

async fn an_outcome_is_applied_once_even_when_recorded_twice(db: TestDb) {
    let store = db.store.as_ref();
    let used = run_with_open_pr(store).await;
    let pr = store
        .pull_request_for_branch(REPO, BRANCH)
        .await
        .unwrap()
        .unwrap();
    // A retried reflection records the same outcome again: the second time applies nothing.
    let first = record_outcome(store, &pr, PrState::Merged, REPO, 0.6)
        .await
        .unwrap()
        .expect("the first time applies it");
    assert_eq!(first.adjusted, [(used, MERGED_BONUS)]);
    assert_eq!(first.remembered.added.len(), 1);
    assert_eq!(
        record_outcome(store, &pr, PrState::Merged, REPO, 0.6)
            .await
            .unwrap(),
        None
    );
    assert_eq!(weight_of(store, used).await, 1.0 + MERGED_BONUS);
    let rows = store.learnings(REPO).await.unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(pr_state(store).await, ("merged".to_owned(), true));

    // Two appliers of one outcome at once (two processes, say): exactly one applies it.
    let closed = || {
        record(
            OutcomeEvent::State {
                state: "closed".to_owned(),
                merged: false,
            },
            -CLOSED_PENALTY,
            OutcomeLearning::Reinforce {
                id: used,
                weight: 0.0,
                evidence: Vec::new(),
            },
        )
    };
    let other = db.reopen().await;
    let (first_closed, second_closed) = (closed(), closed());
    let (a, b) = tokio::join!(
        store.apply_outcome(&first_closed),
        other.apply_outcome(&second_closed)
    );
    let applied = [a.unwrap(), b.unwrap()];
    assert_eq!(
        applied.iter().filter(|o| o.is_some()).count(),
        1,
        "{applied:?}"
    );
    assert_eq!(
        weight_of(store, used).await,
        1.0 + MERGED_BONUS - CLOSED_PENALTY
    );
    let reviewed = || {
        record(
            review(9),
            -0.1,
            OutcomeLearning::Reinforce {
                id: used,
                weight: 0.0,
                evidence: Vec::new(),
            },
        )
    };
    let (first_review, second_review) = (reviewed(), reviewed());
    let (c, d) = tokio::join!(
        store.apply_outcome(&first_review),
        other.apply_outcome(&second_review)
    );
    let applied = [c.unwrap(), d.unwrap()];
    assert_eq!(
        applied.iter().filter(|o| o.is_some()).count(),
        1,
        "{applied:?}"
    );
    assert!(
        (weight_of(store, used).await - (1.0 + MERGED_BONUS - CLOSED_PENALTY - 0.1)).abs() < 1e-9
    );
}
