-- The dashboard's totals without counting: runs (with their tokens and cost) per repository and
-- status, pull requests per repository, state and merged, and the scores and learnings, kept in
-- tables that statement triggers update in the same transaction as every write to the tables
-- they count, so they never disagree with them. Concurrent writers meet on the counter rows
-- they change (INSERT ... ON CONFLICT DO UPDATE takes the row lock; a transaction that commits
-- later adds to the committed value), and each statement changes its rows in key order, so two
-- writers never wait on each other crosswise. Keyed by the status and state text, so a new
-- status needs no new column. A migration that rewrites statuses with UPDATE moves them
-- between rows through the triggers. Rows whose count fell to zero stay. system_stats keeps a
-- column per status the dashboard shows (`skipped` for runs the repository lock turned away).
CREATE TABLE run_counts (
    repository TEXT NOT NULL,
    status     TEXT NOT NULL,
    runs       BIGINT NOT NULL,
    tokens     BIGINT NOT NULL,
    cost_usd   DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (repository, status)
);

INSERT INTO run_counts (repository, status, runs, tokens, cost_usd)
SELECT repository, status, count(*), COALESCE(sum(tokens), 0), COALESCE(sum(cost_usd), 0)
FROM agent_runs GROUP BY repository, status;

CREATE FUNCTION run_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO run_counts (repository, status, runs, tokens, cost_usd)
        SELECT repository, status, count(*), sum(tokens), sum(cost_usd)
        FROM new_rows GROUP BY repository, status ORDER BY repository, status
        ON CONFLICT (repository, status) DO UPDATE SET runs = run_counts.runs + EXCLUDED.runs,
            tokens = run_counts.tokens + EXCLUDED.tokens,
            cost_usd = run_counts.cost_usd + EXCLUDED.cost_usd;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO run_counts (repository, status, runs, tokens, cost_usd)
        SELECT repository, status, sum(n), sum(t), sum(c)
        FROM (SELECT repository, status, 1 AS n, tokens AS t, cost_usd AS c FROM new_rows
              UNION ALL
              SELECT repository, status, -1, -tokens, -cost_usd FROM old_rows) AS d
        GROUP BY repository, status
        HAVING sum(n) <> 0 OR sum(t) <> 0 OR sum(c) <> 0
        ORDER BY repository, status
        ON CONFLICT (repository, status) DO UPDATE SET runs = run_counts.runs + EXCLUDED.runs,
            tokens = run_counts.tokens + EXCLUDED.tokens,
            cost_usd = run_counts.cost_usd + EXCLUDED.cost_usd;
    ELSE
        INSERT INTO run_counts (repository, status, runs, tokens, cost_usd)
        SELECT repository, status, -count(*), -sum(tokens), -sum(cost_usd)
        FROM old_rows GROUP BY repository, status ORDER BY repository, status
        ON CONFLICT (repository, status) DO UPDATE SET runs = run_counts.runs + EXCLUDED.runs,
            tokens = run_counts.tokens + EXCLUDED.tokens,
            cost_usd = run_counts.cost_usd + EXCLUDED.cost_usd;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER run_counts_insert AFTER INSERT ON agent_runs
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION run_counts_apply();
CREATE TRIGGER run_counts_update AFTER UPDATE ON agent_runs
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION run_counts_apply();
CREATE TRIGGER run_counts_delete AFTER DELETE ON agent_runs
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION run_counts_apply();

CREATE TABLE pull_request_counts (
    repository TEXT NOT NULL,
    state      TEXT NOT NULL,
    merged     BOOLEAN NOT NULL,
    prs        BIGINT NOT NULL,
    PRIMARY KEY (repository, state, merged)
);

INSERT INTO pull_request_counts (repository, state, merged, prs)
SELECT repository, state, merged, count(*) FROM pull_requests GROUP BY repository, state, merged;

CREATE FUNCTION pull_request_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO pull_request_counts (repository, state, merged, prs)
        SELECT repository, state, merged, count(*)
        FROM new_rows GROUP BY repository, state, merged ORDER BY repository, state, merged
        ON CONFLICT (repository, state, merged)
        DO UPDATE SET prs = pull_request_counts.prs + EXCLUDED.prs;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO pull_request_counts (repository, state, merged, prs)
        SELECT repository, state, merged, sum(n)
        FROM (SELECT repository, state, merged, 1 AS n FROM new_rows
              UNION ALL
              SELECT repository, state, merged, -1 FROM old_rows) AS d
        GROUP BY repository, state, merged HAVING sum(n) <> 0
        ORDER BY repository, state, merged
        ON CONFLICT (repository, state, merged)
        DO UPDATE SET prs = pull_request_counts.prs + EXCLUDED.prs;
    ELSE
        INSERT INTO pull_request_counts (repository, state, merged, prs)
        SELECT repository, state, merged, -count(*)
        FROM old_rows GROUP BY repository, state, merged ORDER BY repository, state, merged
        ON CONFLICT (repository, state, merged)
        DO UPDATE SET prs = pull_request_counts.prs + EXCLUDED.prs;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER pull_request_counts_insert AFTER INSERT ON pull_requests
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pull_request_counts_apply();
CREATE TRIGGER pull_request_counts_update AFTER UPDATE ON pull_requests
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pull_request_counts_apply();
CREATE TRIGGER pull_request_counts_delete AFTER DELETE ON pull_requests
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pull_request_counts_apply();

-- The scores (as a sum and a count, for the average) and the learnings: one row.
CREATE TABLE stats_counters (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    score_sum DOUBLE PRECISION NOT NULL,
    scores    BIGINT NOT NULL,
    learnings BIGINT NOT NULL
);
INSERT INTO stats_counters
SELECT 1, (SELECT COALESCE(sum(evolution_score), 0) FROM evaluations),
       (SELECT count(evolution_score) FROM evaluations), (SELECT count(*) FROM learnings);

CREATE FUNCTION stats_scores_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    added_sum DOUBLE PRECISION := 0;
    added BIGINT := 0;
    removed_sum DOUBLE PRECISION := 0;
    removed BIGINT := 0;
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT COALESCE(sum(evolution_score), 0), count(evolution_score)
        INTO added_sum, added FROM new_rows;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT COALESCE(sum(evolution_score), 0), count(evolution_score)
        INTO removed_sum, removed FROM old_rows;
    END IF;
    IF added_sum <> removed_sum OR added <> removed THEN
        UPDATE stats_counters SET score_sum = score_sum + added_sum - removed_sum,
            scores = scores + added - removed
        WHERE id = 1;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER stats_scores_insert AFTER INSERT ON evaluations
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_scores_apply();
CREATE TRIGGER stats_scores_update AFTER UPDATE ON evaluations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stats_scores_apply();
CREATE TRIGGER stats_scores_delete AFTER DELETE ON evaluations
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_scores_apply();

CREATE FUNCTION stats_learnings_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed BIGINT;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT count(*) INTO changed FROM new_rows;
    ELSE
        SELECT -count(*) INTO changed FROM old_rows;
    END IF;
    IF changed <> 0 THEN
        UPDATE stats_counters SET learnings = learnings + changed WHERE id = 1;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER stats_learnings_insert AFTER INSERT ON learnings
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_learnings_apply();
CREATE TRIGGER stats_learnings_delete AFTER DELETE ON learnings
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_learnings_apply();

-- system_stats is no longer materialized: the same columns, read from the counters at once.
DROP MATERIALIZED VIEW system_stats;
CREATE VIEW system_stats AS
SELECT 1 AS id, r.total_runs, r.succeeded_runs, r.failed_runs, r.nothing_runs, r.running_runs,
       r.abandoned_runs, r.skipped_runs, p.prs_opened, p.prs_merged,
       CASE WHEN s.scores > 0 THEN s.score_sum / s.scores END AS average_score,
       r.total_tokens, r.total_cost_usd, s.learnings,
       (SELECT max(started_at) FROM agent_runs) AS last_run_at
FROM stats_counters s
CROSS JOIN (
    SELECT COALESCE(sum(runs), 0)::BIGINT AS total_runs,
           COALESCE(sum(runs) FILTER (WHERE status = 'succeeded'), 0)::BIGINT AS succeeded_runs,
           COALESCE(sum(runs) FILTER (WHERE status = 'failed'), 0)::BIGINT AS failed_runs,
           COALESCE(sum(runs) FILTER (WHERE status = 'nothing'), 0)::BIGINT AS nothing_runs,
           COALESCE(sum(runs) FILTER (WHERE status = 'running'), 0)::BIGINT AS running_runs,
           COALESCE(sum(runs) FILTER (WHERE status = 'abandoned'), 0)::BIGINT AS abandoned_runs,
           COALESCE(sum(runs) FILTER (WHERE status = 'skipped'), 0)::BIGINT AS skipped_runs,
           COALESCE(sum(tokens), 0)::BIGINT AS total_tokens,
           COALESCE(sum(cost_usd), 0)::DOUBLE PRECISION AS total_cost_usd
    FROM run_counts
) r
CROSS JOIN (
    SELECT COALESCE(sum(prs) FILTER (WHERE state <> 'dry_run'), 0)::BIGINT AS prs_opened,
           COALESCE(sum(prs) FILTER (WHERE merged), 0)::BIGINT AS prs_merged
    FROM pull_request_counts
) p;

-- The median time to merge reads the latest merges, newest first, overall and per repository.
CREATE INDEX pull_requests_merged_at ON pull_requests (merged_at);
CREATE INDEX pull_requests_repository_merged_at ON pull_requests (repository, merged_at);
