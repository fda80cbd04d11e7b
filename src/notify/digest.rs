//! The daily digest: one message per UTC day summarising the runs of the last 24 hours across
//! every repository sharing the store (their outcomes, the pull requests opened and merged, the
//! model spend, the failures). It is sent by the first run to end on a new UTC day (its cleanup)
//! and by `automaintainer notify digest`; whoever claims the day in the store first sends it,
//! so it goes out once a day however many runs and schedules there are.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::webhook::{deliver, Webhook};
use super::Event;
use crate::secrets::Secrets;
use crate::store::spend::day_of;
use crate::store::{RunOverviewRow, RunQuery, RunStatus, Store, StoreError};

/// The notification kind the store claims per day.
pub const KIND: &str = "digest";

/// The most runs one digest reads (newest first).
const MAX_RUNS: usize = 5000;
/// The most repositories and failures one digest lists by name.
const MAX_LINES: usize = 20;

/// What a digest covers.
#[derive(Debug, Clone)]
pub struct Digest {
    pub day: String,
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub runs: Vec<RunOverviewRow>,
    /// Pull requests merged in the window, per repository.
    pub merged: BTreeMap<String, u32>,
    /// Tokens and dollars spent on the days the window touches.
    pub tokens: i64,
    pub cost_usd: f64,
}

/// The digest of the 24 hours up to `now`.
pub async fn collect(store: &dyn Store, now: DateTime<Utc>) -> Result<Digest, StoreError> {
    let since = now - Duration::hours(24);
    let mut runs = Vec::new();
    let mut page = 1;
    'pages: loop {
        let query = RunQuery {
            page,
            per_page: RunQuery::MAX_PER_PAGE,
            ..RunQuery::default()
        };
        let (rows, _) = store.run_overview(&query).await?;
        let last_page = rows.len() < RunQuery::MAX_PER_PAGE as usize;
        for row in rows {
            if row.started_at < since || runs.len() >= MAX_RUNS {
                break 'pages;
            }
            if row.started_at <= now {
                runs.push(row);
            }
        }
        if last_page {
            break;
        }
        page += 1;
    }
    let mut merged = BTreeMap::new();
    for repository in store.repositories().await? {
        let count = store
            .pull_requests(&repository)
            .await?
            .iter()
            .filter(|pr| pr.merged && pr.updated_at >= since && pr.updated_at <= now)
            .count();
        if count > 0 {
            merged.insert(repository, u32::try_from(count).unwrap_or(u32::MAX));
        }
    }
    let (first, last) = (day_of(since), day_of(now));
    let spend: Vec<_> = store
        .spend(&first)
        .await?
        .into_iter()
        .filter(|row| row.day <= last)
        .collect();
    Ok(Digest {
        day: last,
        since,
        until: now,
        runs,
        merged,
        tokens: spend.iter().map(crate::store::SpendRow::tokens).sum(),
        cost_usd: spend.iter().map(|row| row.cost_usd).sum(),
    })
}

impl Digest {
    /// The message.
    pub fn text(&self) -> String {
        let count = |status: RunStatus| self.runs.iter().filter(|r| r.status == status).count();
        let mut by_repository: BTreeMap<&str, Vec<&RunOverviewRow>> = BTreeMap::new();
        for run in &self.runs {
            by_repository.entry(&run.repository).or_default().push(run);
        }
        let opened = self
            .runs
            .iter()
            .filter(|r| r.pr_number.is_some() && !r.dry_run)
            .count();
        let merged: u32 = self.merged.values().sum();
        let mut lines = vec![format!(
            "AutoMaintainer daily digest, {} to {} UTC: runs {} on repositories {} ({} succeeded, {} nothing to do, {} failed, {} abandoned, {} running); pull requests opened or updated {opened}, merged {merged}; model spend {} tokens, ${:.2}.",
            self.since.format("%Y-%m-%d %H:%M"),
            self.until.format("%Y-%m-%d %H:%M"),
            self.runs.len(),
            by_repository.len(),
            count(RunStatus::Succeeded),
            count(RunStatus::Nothing),
            count(RunStatus::Failed),
            count(RunStatus::Abandoned),
            count(RunStatus::Running),
            self.tokens,
            self.cost_usd,
        )];
        for (repository, runs) in by_repository.iter().take(MAX_LINES) {
            let ok = runs
                .iter()
                .filter(|r| r.status == RunStatus::Succeeded)
                .count();
            let failed = runs
                .iter()
                .filter(|r| r.status == RunStatus::Failed)
                .count();
            let prs: Vec<String> = runs
                .iter()
                .filter(|r| !r.dry_run)
                .filter_map(|r| r.pr_number.map(|n| format!("#{n}")))
                .collect();
            let score = runs
                .iter()
                .find_map(|r| r.evolution_score)
                .map(|s| format!(", last score {s:.1}"))
                .unwrap_or_default();
            lines.push(format!(
                "- {repository}: runs {}, {ok} succeeded, {failed} failed{}{score}{}",
                runs.len(),
                if prs.is_empty() {
                    String::new()
                } else {
                    format!(", pull requests {}", prs.join(" "))
                },
                self.merged
                    .get(*repository)
                    .map(|n| format!(", {n} merged"))
                    .unwrap_or_default(),
            ));
        }
        if by_repository.len() > MAX_LINES {
            lines.push(format!(
                "- and {} more repositories",
                by_repository.len() - MAX_LINES
            ));
        }
        let failures: Vec<&&RunOverviewRow> = by_repository
            .values()
            .flatten()
            .filter(|r| r.status == RunStatus::Failed)
            .collect();
        for run in failures.iter().take(MAX_LINES) {
            lines.push(format!(
                "- failed: run {} on {} in {}: {}",
                run.run_id,
                run.repository,
                run.phase.as_deref().unwrap_or("an unknown phase"),
                run.error
                    .as_deref()
                    .and_then(|e| e.lines().next())
                    .unwrap_or("no message")
                    .trim()
            ));
        }
        lines.join("\n")
    }
}

/// What became of a digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// Posted to the webhook.
    Sent,
    /// Someone had sent (or was sending) this day's digest.
    AlreadySent,
    /// No webhook, or one that does not want digests.
    NotConfigured,
    /// The webhook could not take it (warned); the day is free for the next sender.
    Failed,
}

/// Sends the digest of the 24 hours up to `now` unless this UTC day's was sent; `force` sends it
/// again anyway. Store errors are returned; a webhook that fails is a warning ([`Sent::Failed`]).
pub async fn send(
    store: &dyn Store,
    secrets: &Secrets,
    now: DateTime<Utc>,
    force: bool,
) -> Result<Sent, StoreError> {
    let Some(webhook) = Webhook::from_env(secrets) else {
        return Ok(Sent::NotConfigured);
    };
    if !webhook.wants(KIND) {
        return Ok(Sent::NotConfigured);
    }
    let day = day_of(now);
    if !store.claim_notification(KIND, &day).await? && !force {
        return Ok(Sent::AlreadySent);
    }
    let digest = match collect(store, now).await {
        Ok(digest) => digest,
        Err(e) => {
            store.release_notification(KIND, &day).await?;
            return Err(e);
        }
    };
    let event = Event::Digest {
        day: day.clone(),
        text: digest.text(),
    };
    if deliver(&webhook, &event).await {
        Ok(Sent::Sent)
    } else {
        store.release_notification(KIND, &day).await?;
        Ok(Sent::Failed)
    }
}

/// A run's cleanup: sends the day's digest when this is the first run to end on a new UTC day.
/// Never fails the run: problems are warnings.
pub async fn send_if_due(store: &dyn Store, secrets: &Secrets) {
    match send(store, secrets, crate::store::clock::now(), false).await {
        Ok(Sent::Sent) => tracing::info!("sent the daily digest"),
        Ok(_) => {}
        Err(e) => tracing::warn!(
            "could not send the daily digest: {}",
            secrets.redactor().redact(&e.to_string())
        ),
    }
}
