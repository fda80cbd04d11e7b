-- The memory store (PostgreSQL): runs, their pull requests, reviews, evaluations and artifacts,
-- the error log, and the learnings the next runs draw on. Timestamps are bound by the
-- application (microsecond precision) so both backends hold the same values.

CREATE TABLE agent_runs (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id          TEXT NOT NULL UNIQUE,
    repository      TEXT NOT NULL,
    -- schedule, manual, api, local; `unregistered` when persist or a failure came first.
    trigger         TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'running'
                    CHECK (status IN ('running', 'succeeded', 'nothing', 'failed')),
    phase           TEXT,
    model           TEXT NOT NULL DEFAULT '',
    started_at      TIMESTAMPTZ NOT NULL,
    finished_at     TIMESTAMPTZ,
    llm_calls       BIGINT NOT NULL DEFAULT 0 CHECK (llm_calls >= 0),
    tokens          BIGINT NOT NULL DEFAULT 0 CHECK (tokens >= 0),
    cost_usd        DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (cost_usd >= 0),
    task_title      TEXT,
    task_kind       TEXT,
    task_issue      BIGINT,
    nothing_reason  TEXT,
    implementation_status TEXT,
    branch          TEXT,
    head_commit     TEXT,
    files_changed   BIGINT,
    lines_added     BIGINT,
    lines_removed   BIGINT,
    attempts        BIGINT,
    -- The last failure's message; every failure is in run_errors.
    error           TEXT
);
CREATE INDEX agent_runs_started ON agent_runs (started_at DESC, run_id DESC);
CREATE INDEX agent_runs_repository_started ON agent_runs (repository, started_at DESC);
CREATE INDEX agent_runs_status_started ON agent_runs (status, started_at DESC);

-- One row per (repository, branch): one branch and one PR per task. `run_id` is the run that
-- last recorded it; no foreign key, so the local forge can number a PR before persist runs.
CREATE TABLE pull_requests (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id      TEXT NOT NULL,
    repository  TEXT NOT NULL,
    forge       TEXT NOT NULL,
    number      BIGINT CHECK (number > 0),
    url         TEXT,
    branch      TEXT NOT NULL,
    title       TEXT NOT NULL,
    state       TEXT NOT NULL,
    merged      BOOLEAN NOT NULL DEFAULT FALSE,
    head_commit TEXT,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (repository, branch)
);
CREATE UNIQUE INDEX pull_requests_number ON pull_requests (repository, number)
    WHERE number IS NOT NULL;
CREATE INDEX pull_requests_run ON pull_requests (run_id);
CREATE INDEX pull_requests_repository_created ON pull_requests (repository, created_at DESC);

CREATE TABLE code_reviews (
    run_id           TEXT PRIMARY KEY REFERENCES agent_runs (run_id) ON DELETE CASCADE,
    source           TEXT NOT NULL,
    status           TEXT NOT NULL,
    notice           TEXT,
    total            BIGINT NOT NULL CHECK (total >= 0),
    actionable       BIGINT NOT NULL CHECK (actionable >= 0),
    security         BIGINT NOT NULL CHECK (security >= 0),
    performance      BIGINT NOT NULL CHECK (performance >= 0),
    style            BIGINT NOT NULL CHECK (style >= 0),
    nitpicks         BIGINT NOT NULL CHECK (nitpicks >= 0),
    complexity_score DOUBLE PRECISION CHECK (complexity_score BETWEEN 0 AND 100),
    risk_flags       JSONB NOT NULL,
    findings         JSONB NOT NULL,
    summary          TEXT
);

CREATE TABLE evaluations (
    run_id                  TEXT PRIMARY KEY REFERENCES agent_runs (run_id) ON DELETE CASCADE,
    evolution_score         DOUBLE PRECISION CHECK (evolution_score BETWEEN 0 AND 100),
    code_quality_score      DOUBLE PRECISION CHECK (code_quality_score BETWEEN 0 AND 100),
    code_quality_method     TEXT NOT NULL,
    code_quality_evidence   TEXT NOT NULL,
    test_coverage_score     DOUBLE PRECISION CHECK (test_coverage_score BETWEEN 0 AND 100),
    test_coverage_method    TEXT NOT NULL,
    test_coverage_evidence  TEXT NOT NULL,
    maintainability_score   DOUBLE PRECISION CHECK (maintainability_score BETWEEN 0 AND 100),
    maintainability_method  TEXT NOT NULL,
    maintainability_evidence TEXT NOT NULL,
    readability_score       DOUBLE PRECISION CHECK (readability_score BETWEEN 0 AND 100),
    readability_method      TEXT NOT NULL,
    readability_evidence    TEXT NOT NULL,
    weight_code_quality     DOUBLE PRECISION NOT NULL,
    weight_test_coverage    DOUBLE PRECISION NOT NULL,
    weight_maintainability  DOUBLE PRECISION NOT NULL,
    weight_readability      DOUBLE PRECISION NOT NULL
);

-- Each run's artifacts as recorded (redacted), for the run detail page.
CREATE TABLE run_artifacts (
    run_id  TEXT NOT NULL REFERENCES agent_runs (run_id) ON DELETE CASCADE,
    name    TEXT NOT NULL
            CHECK (name IN ('context', 'task', 'implementation', 'pr', 'review', 'evaluation')),
    content JSONB NOT NULL,
    PRIMARY KEY (run_id, name)
);

-- The error log. The same failure recorded twice is one entry.
CREATE TABLE run_errors (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id  TEXT NOT NULL REFERENCES agent_runs (run_id) ON DELETE CASCADE,
    phase   TEXT NOT NULL,
    message TEXT NOT NULL,
    at      TIMESTAMPTZ NOT NULL,
    UNIQUE (run_id, phase, message)
);
CREATE INDEX run_errors_at ON run_errors (at DESC);

CREATE TABLE learnings (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    repository  TEXT NOT NULL,
    kind        TEXT NOT NULL,
    content     TEXT NOT NULL,
    -- Lowercased words only: near-identical wordings merge into one learning.
    normalized  TEXT NOT NULL,
    source      TEXT NOT NULL,
    run_id      TEXT,
    weight      DOUBLE PRECISION NOT NULL DEFAULT 1 CHECK (weight >= 0),
    uses        BIGINT NOT NULL DEFAULT 0 CHECK (uses >= 0),
    created_at  TIMESTAMPTZ NOT NULL,
    -- Last added or merged into; recency decays from here.
    updated_at  TIMESTAMPTZ NOT NULL,
    search      TSVECTOR GENERATED ALWAYS AS (to_tsvector('english', content)) STORED,
    UNIQUE (repository, kind, normalized)
);
CREATE INDEX learnings_search ON learnings USING GIN (search);
CREATE INDEX learnings_run ON learnings (run_id);

CREATE TABLE learning_uses (
    run_id      TEXT NOT NULL,
    learning_id BIGINT NOT NULL REFERENCES learnings (id) ON DELETE CASCADE,
    PRIMARY KEY (run_id, learning_id)
);
CREATE INDEX learning_uses_learning ON learning_uses (learning_id);

-- The dashboard's list of runs; refreshed (concurrently, so readers never wait) whenever a run
-- is registered, persisted, failed or closed.
CREATE MATERIALIZED VIEW run_overview AS
SELECT r.run_id, r.repository, r.status, r.trigger, r.phase, r.started_at, r.finished_at,
       EXTRACT(EPOCH FROM (r.finished_at - r.started_at))::DOUBLE PRECISION AS duration_secs,
       r.model, r.tokens, r.cost_usd, r.task_title, r.task_kind,
       pr.number AS pr_number, pr.url AS pr_url, pr.state AS pr_state, pr.merged AS pr_merged,
       e.evolution_score, c.total AS review_findings, r.error
FROM agent_runs r
LEFT JOIN LATERAL (
    SELECT p.number, p.url, p.state, p.merged
    FROM pull_requests p
    WHERE p.run_id = r.run_id
    ORDER BY p.updated_at DESC, p.id DESC
    LIMIT 1
) pr ON TRUE
LEFT JOIN evaluations e ON e.run_id = r.run_id
LEFT JOIN code_reviews c ON c.run_id = r.run_id;
CREATE UNIQUE INDEX run_overview_run ON run_overview (run_id);
CREATE INDEX run_overview_started ON run_overview (started_at DESC, run_id DESC);
CREATE INDEX run_overview_repository ON run_overview (repository, started_at DESC, run_id DESC);
CREATE INDEX run_overview_status ON run_overview (status, started_at DESC, run_id DESC);

-- The dashboard's headline numbers: one row.
CREATE MATERIALIZED VIEW system_stats AS
SELECT 1 AS id,
       runs.total_runs, runs.succeeded_runs, runs.failed_runs, runs.nothing_runs,
       runs.running_runs, prs.prs_opened, prs.prs_merged, ev.average_score,
       runs.total_tokens, runs.total_cost_usd, l.learnings, runs.last_run_at
FROM (
    SELECT count(*) AS total_runs,
           count(*) FILTER (WHERE status = 'succeeded') AS succeeded_runs,
           count(*) FILTER (WHERE status = 'failed') AS failed_runs,
           count(*) FILTER (WHERE status = 'nothing') AS nothing_runs,
           count(*) FILTER (WHERE status = 'running') AS running_runs,
           COALESCE(sum(tokens), 0)::BIGINT AS total_tokens,
           COALESCE(sum(cost_usd), 0)::DOUBLE PRECISION AS total_cost_usd,
           max(started_at) AS last_run_at
    FROM agent_runs
) runs
CROSS JOIN (
    SELECT count(*) FILTER (WHERE state <> 'dry_run') AS prs_opened,
           count(*) FILTER (WHERE merged) AS prs_merged
    FROM pull_requests
) prs
CROSS JOIN (SELECT avg(evolution_score) AS average_score FROM evaluations) ev
CROSS JOIN (SELECT count(*) AS learnings FROM learnings) l;
CREATE UNIQUE INDEX system_stats_id ON system_stats (id);
