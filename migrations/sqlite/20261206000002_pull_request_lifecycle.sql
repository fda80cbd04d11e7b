-- A pull request's life: the commit this project pushed last (the branch's lease), when the
-- forge says it was merged or closed, the remote head an update was last skipped on (so the PR
-- is told once), and whether its final outcome has been applied to the learnings (the
-- lifecycle sync records the state at the start of a run; reflection applies it once).
ALTER TABLE pull_requests ADD COLUMN pushed_commit TEXT;
ALTER TABLE pull_requests ADD COLUMN merged_at TEXT;
ALTER TABLE pull_requests ADD COLUMN closed_at TEXT;
ALTER TABLE pull_requests ADD COLUMN skipped_head TEXT;
ALTER TABLE pull_requests ADD COLUMN outcome_applied INTEGER NOT NULL DEFAULT 0
    CHECK (outcome_applied IN (0, 1));
UPDATE pull_requests SET pushed_commit = head_commit WHERE state <> 'dry_run';
UPDATE pull_requests SET outcome_applied = 1 WHERE state IN ('merged', 'closed') OR merged = 1;
UPDATE pull_requests SET merged_at = updated_at WHERE merged = 1;
UPDATE pull_requests SET closed_at = updated_at WHERE state IN ('merged', 'closed') OR merged = 1;

-- A dry run is recorded as one: it leaves no pull request row and no learnings.
ALTER TABLE agent_runs ADD COLUMN dry_run INTEGER NOT NULL DEFAULT 0 CHECK (dry_run IN (0, 1));

-- Tasks that failed, by fingerprint (kind, tool, target files, base tree): not tried again
-- before `retry_after` (1, 2, 4 ... days after each failure, capped).
CREATE TABLE task_failures (
    repository   TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    title        TEXT NOT NULL,
    failures     INTEGER NOT NULL CHECK (failures > 0),
    reason       TEXT NOT NULL,
    run_id       TEXT NOT NULL,
    failed_at    TEXT NOT NULL,
    retry_after  TEXT NOT NULL,
    PRIMARY KEY (repository, fingerprint)
);
