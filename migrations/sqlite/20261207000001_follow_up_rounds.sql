-- Follow-up rounds: a run that answered the review findings and failing checks on one of the
-- project's own open pull requests. One row per round of a PR; the round limit, the early stop
-- (a round that fixed nothing, the same checks failing the same way twice) and the one
-- "needs a human" notice are read from here.
CREATE TABLE follow_up_rounds (
    repository          TEXT NOT NULL,
    branch              TEXT NOT NULL,
    round               INTEGER NOT NULL CHECK (round > 0),
    run_id              TEXT NOT NULL,
    number              INTEGER,
    head_before         TEXT NOT NULL,
    head_after          TEXT,
    findings_total      INTEGER NOT NULL DEFAULT 0,
    findings_addressed  INTEGER NOT NULL DEFAULT 0,
    checks_failing      INTEGER NOT NULL DEFAULT 0,
    checks_fixed        INTEGER NOT NULL DEFAULT 0,
    outcome             TEXT NOT NULL
        CHECK (outcome IN ('fixed', 'partial', 'nothing', 'failed')),
    failure_signature   TEXT,
    summary             TEXT NOT NULL DEFAULT '',
    needs_human         INTEGER NOT NULL DEFAULT 0 CHECK (needs_human IN (0, 1)),
    created_at          TEXT NOT NULL,
    PRIMARY KEY (repository, branch, round)
);
CREATE INDEX follow_up_rounds_run ON follow_up_rounds (run_id);
