-- Follow-up rounds: a run that answered the review findings and failing checks on one of the
-- project's own open pull requests. One row per round of a PR; the round limit, the early stop
-- (a round that fixed nothing, the same checks failing the same way twice) and the one
-- "needs a human" notice are read from here.
CREATE TABLE follow_up_rounds (
    repository          TEXT NOT NULL,
    branch              TEXT NOT NULL,
    round               BIGINT NOT NULL CHECK (round > 0),
    run_id              TEXT NOT NULL,
    number              BIGINT,
    head_before         TEXT NOT NULL,
    head_after          TEXT,
    findings_total      BIGINT NOT NULL DEFAULT 0,
    findings_addressed  BIGINT NOT NULL DEFAULT 0,
    checks_failing      BIGINT NOT NULL DEFAULT 0,
    checks_fixed        BIGINT NOT NULL DEFAULT 0,
    outcome             TEXT NOT NULL
        CHECK (outcome IN ('fixed', 'partial', 'nothing', 'failed')),
    failure_signature   TEXT,
    summary             TEXT NOT NULL DEFAULT '',
    needs_human         BOOLEAN NOT NULL DEFAULT FALSE,
    created_at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (repository, branch, round)
);
CREATE INDEX follow_up_rounds_run ON follow_up_rounds (run_id);
