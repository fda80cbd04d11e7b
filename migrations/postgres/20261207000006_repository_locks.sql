-- One run per repository at a time: the run holding a repository's row holds the repository
-- until it ends (closed, failed, abandoned) or its lease expires (its heartbeats renew
-- `expires_at`), after which the next run takes the row over.
CREATE TABLE repository_locks (
    repository TEXT PRIMARY KEY,
    run_id TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
