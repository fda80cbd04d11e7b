-- The memory store (SQLite, the embedded default): the same tables as PostgreSQL. Timestamps
-- are UTC text in one fixed-width format (YYYY-MM-DDTHH:MM:SS.ffffffZ, bound by the
-- application) so they sort as text; booleans are 0/1; JSON is text.

CREATE TABLE agent_runs (
    id              INTEGER PRIMARY KEY,
    run_id          TEXT NOT NULL UNIQUE,
    repository      TEXT NOT NULL,
    -- schedule, manual, api, local; `unregistered` when persist or a failure came first.
    trigger         TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'running'
                    CHECK (status IN ('running', 'succeeded', 'nothing', 'failed')),
    phase           TEXT,
    model           TEXT NOT NULL DEFAULT '',
    started_at      TEXT NOT NULL,
    finished_at     TEXT,
    llm_calls       INTEGER NOT NULL DEFAULT 0 CHECK (llm_calls >= 0),
    tokens          INTEGER NOT NULL DEFAULT 0 CHECK (tokens >= 0),
    cost_usd        REAL NOT NULL DEFAULT 0 CHECK (cost_usd >= 0),
    task_title      TEXT,
    task_kind       TEXT,
    task_issue      INTEGER,
    nothing_reason  TEXT,
    implementation_status TEXT,
    branch          TEXT,
    head_commit     TEXT,
    files_changed   INTEGER,
    lines_added     INTEGER,
    lines_removed   INTEGER,
    attempts        INTEGER,
    -- The last failure's message; every failure is in run_errors.
    error           TEXT
);
CREATE INDEX agent_runs_started ON agent_runs (started_at DESC, run_id DESC);
CREATE INDEX agent_runs_repository_started ON agent_runs (repository, started_at DESC, run_id DESC);
CREATE INDEX agent_runs_status_started ON agent_runs (status, started_at DESC, run_id DESC);

-- One row per (repository, branch): one branch and one PR per task. `run_id` is the run that
-- last recorded it; no foreign key, so the local forge can number a PR before persist runs.
CREATE TABLE pull_requests (
    id          INTEGER PRIMARY KEY,
    run_id      TEXT NOT NULL,
    repository  TEXT NOT NULL,
    forge       TEXT NOT NULL,
    number      INTEGER CHECK (number > 0),
    url         TEXT,
    branch      TEXT NOT NULL,
    title       TEXT NOT NULL,
    state       TEXT NOT NULL,
    merged      INTEGER NOT NULL DEFAULT 0 CHECK (merged IN (0, 1)),
    head_commit TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (repository, branch)
);
CREATE UNIQUE INDEX pull_requests_number ON pull_requests (repository, number)
    WHERE number IS NOT NULL;
CREATE INDEX pull_requests_run ON pull_requests (run_id, updated_at DESC);
CREATE INDEX pull_requests_repository_created ON pull_requests (repository, created_at DESC);

CREATE TABLE code_reviews (
    run_id           TEXT PRIMARY KEY REFERENCES agent_runs (run_id) ON DELETE CASCADE,
    source           TEXT NOT NULL,
    status           TEXT NOT NULL,
    notice           TEXT,
    total            INTEGER NOT NULL CHECK (total >= 0),
    actionable       INTEGER NOT NULL CHECK (actionable >= 0),
    security         INTEGER NOT NULL CHECK (security >= 0),
    performance      INTEGER NOT NULL CHECK (performance >= 0),
    style            INTEGER NOT NULL CHECK (style >= 0),
    nitpicks         INTEGER NOT NULL CHECK (nitpicks >= 0),
    complexity_score REAL CHECK (complexity_score BETWEEN 0 AND 100),
    risk_flags       TEXT NOT NULL CHECK (json_valid(risk_flags)),
    findings         TEXT NOT NULL CHECK (json_valid(findings)),
    summary          TEXT
);

CREATE TABLE evaluations (
    run_id                  TEXT PRIMARY KEY REFERENCES agent_runs (run_id) ON DELETE CASCADE,
    evolution_score         REAL CHECK (evolution_score BETWEEN 0 AND 100),
    code_quality_score      REAL CHECK (code_quality_score BETWEEN 0 AND 100),
    code_quality_method     TEXT NOT NULL,
    code_quality_evidence   TEXT NOT NULL,
    test_coverage_score     REAL CHECK (test_coverage_score BETWEEN 0 AND 100),
    test_coverage_method    TEXT NOT NULL,
    test_coverage_evidence  TEXT NOT NULL,
    maintainability_score   REAL CHECK (maintainability_score BETWEEN 0 AND 100),
    maintainability_method  TEXT NOT NULL,
    maintainability_evidence TEXT NOT NULL,
    readability_score       REAL CHECK (readability_score BETWEEN 0 AND 100),
    readability_method      TEXT NOT NULL,
    readability_evidence    TEXT NOT NULL,
    weight_code_quality     REAL NOT NULL,
    weight_test_coverage    REAL NOT NULL,
    weight_maintainability  REAL NOT NULL,
    weight_readability      REAL NOT NULL
);

-- Each run's artifacts as recorded (redacted), for the run detail page.
CREATE TABLE run_artifacts (
    run_id  TEXT NOT NULL REFERENCES agent_runs (run_id) ON DELETE CASCADE,
    name    TEXT NOT NULL
            CHECK (name IN ('context', 'task', 'implementation', 'pr', 'review', 'evaluation')),
    content TEXT NOT NULL CHECK (json_valid(content)),
    PRIMARY KEY (run_id, name)
);

-- The error log. The same failure recorded twice is one entry.
CREATE TABLE run_errors (
    id      INTEGER PRIMARY KEY,
    run_id  TEXT NOT NULL REFERENCES agent_runs (run_id) ON DELETE CASCADE,
    phase   TEXT NOT NULL,
    message TEXT NOT NULL,
    at      TEXT NOT NULL,
    UNIQUE (run_id, phase, message)
);
CREATE INDEX run_errors_at ON run_errors (at DESC);

CREATE TABLE learnings (
    id          INTEGER PRIMARY KEY,
    repository  TEXT NOT NULL,
    kind        TEXT NOT NULL,
    content     TEXT NOT NULL,
    -- Lowercased words only: near-identical wordings merge into one learning.
    normalized  TEXT NOT NULL,
    source      TEXT NOT NULL,
    run_id      TEXT,
    weight      REAL NOT NULL DEFAULT 1 CHECK (weight >= 0),
    uses        INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0),
    created_at  TEXT NOT NULL,
    -- Last added or merged into; recency decays from here.
    updated_at  TEXT NOT NULL,
    UNIQUE (repository, kind, normalized)
);
CREATE INDEX learnings_run ON learnings (run_id);

-- Full-text index over learnings' content, kept in sync by the triggers below.
CREATE VIRTUAL TABLE learnings_fts USING fts5 (
    content,
    content = 'learnings',
    content_rowid = 'id',
    tokenize = 'porter unicode61'
);
CREATE TRIGGER learnings_fts_insert AFTER INSERT ON learnings BEGIN
    INSERT INTO learnings_fts (rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER learnings_fts_delete AFTER DELETE ON learnings BEGIN
    INSERT INTO learnings_fts (learnings_fts, rowid, content) VALUES ('delete', old.id, old.content);
END;
CREATE TRIGGER learnings_fts_update AFTER UPDATE OF content ON learnings BEGIN
    INSERT INTO learnings_fts (learnings_fts, rowid, content) VALUES ('delete', old.id, old.content);
    INSERT INTO learnings_fts (rowid, content) VALUES (new.id, new.content);
END;

CREATE TABLE learning_uses (
    run_id      TEXT NOT NULL,
    learning_id INTEGER NOT NULL REFERENCES learnings (id) ON DELETE CASCADE,
    PRIMARY KEY (run_id, learning_id)
);
CREATE INDEX learning_uses_learning ON learning_uses (learning_id);

-- The dashboard's list of runs. A plain view: SQLite has no materialized views, and the
-- embedded store is small enough to read live.
CREATE VIEW run_overview AS
SELECT r.run_id, r.repository, r.status, r.trigger, r.phase, r.started_at, r.finished_at,
       (julianday(r.finished_at) - julianday(r.started_at)) * 86400.0 AS duration_secs,
       r.model, r.tokens, r.cost_usd, r.task_title, r.task_kind,
       p.number AS pr_number, p.url AS pr_url, p.state AS pr_state, p.merged AS pr_merged,
       e.evolution_score, c.total AS review_findings, r.error
FROM agent_runs r
LEFT JOIN pull_requests p ON p.id = (
    SELECT p2.id FROM pull_requests p2
    WHERE p2.run_id = r.run_id
    ORDER BY p2.updated_at DESC, p2.id DESC
    LIMIT 1
)
LEFT JOIN evaluations e ON e.run_id = r.run_id
LEFT JOIN code_reviews c ON c.run_id = r.run_id;

-- The dashboard's headline numbers: one row.
CREATE VIEW system_stats AS
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
           COALESCE(sum(tokens), 0) AS total_tokens,
           total(cost_usd) AS total_cost_usd,
           max(started_at) AS last_run_at
    FROM agent_runs
) runs
CROSS JOIN (
    SELECT count(*) FILTER (WHERE state <> 'dry_run') AS prs_opened,
           count(*) FILTER (WHERE merged = 1) AS prs_merged
    FROM pull_requests
) prs
CROSS JOIN (SELECT avg(evolution_score) AS average_score FROM evaluations) ev
CROSS JOIN (SELECT count(*) AS learnings FROM learnings) l;
