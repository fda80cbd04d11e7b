-- The dashboard's totals without counting: runs (with their tokens and cost) per repository and
-- status, and pull requests per repository, state and merged, kept in tables that triggers
-- update in the same transaction as every write to agent_runs and pull_requests, so they never
-- disagree with those tables (SQLite has one writer at a time). They are keyed by the status
-- and state text, so a new status needs no new column: its rows appear as its runs do. A
-- migration that rewrites statuses with UPDATE moves them between rows through the triggers;
-- one that rebuilds agent_runs or pull_requests must recreate the triggers and count again, as
-- this one does below. Rows whose count fell to zero stay (and are skipped where listed).
-- system_stats keeps a column per status the dashboard shows (`skipped` for runs the
-- repository lock turned away).
CREATE TABLE run_counts (
    repository TEXT NOT NULL,
    status     TEXT NOT NULL,
    runs       INTEGER NOT NULL,
    tokens     INTEGER NOT NULL,
    cost_usd   REAL NOT NULL,
    PRIMARY KEY (repository, status)
) WITHOUT ROWID;

INSERT INTO run_counts (repository, status, runs, tokens, cost_usd)
SELECT repository, status, count(*), COALESCE(sum(tokens), 0), total(cost_usd)
FROM agent_runs GROUP BY repository, status;

CREATE TRIGGER run_counts_insert AFTER INSERT ON agent_runs BEGIN
    INSERT OR IGNORE INTO run_counts VALUES (new.repository, new.status, 0, 0, 0);
    UPDATE run_counts SET runs = runs + 1, tokens = tokens + new.tokens,
        cost_usd = cost_usd + new.cost_usd
    WHERE repository = new.repository AND status = new.status;
END;
CREATE TRIGGER run_counts_update AFTER UPDATE OF repository, status, tokens, cost_usd ON agent_runs
WHEN old.repository IS NOT new.repository OR old.status IS NOT new.status
     OR old.tokens IS NOT new.tokens OR old.cost_usd IS NOT new.cost_usd
BEGIN
    UPDATE run_counts SET runs = runs - 1, tokens = tokens - old.tokens,
        cost_usd = cost_usd - old.cost_usd
    WHERE repository = old.repository AND status = old.status;
    INSERT OR IGNORE INTO run_counts VALUES (new.repository, new.status, 0, 0, 0);
    UPDATE run_counts SET runs = runs + 1, tokens = tokens + new.tokens,
        cost_usd = cost_usd + new.cost_usd
    WHERE repository = new.repository AND status = new.status;
END;
CREATE TRIGGER run_counts_delete AFTER DELETE ON agent_runs BEGIN
    UPDATE run_counts SET runs = runs - 1, tokens = tokens - old.tokens,
        cost_usd = cost_usd - old.cost_usd
    WHERE repository = old.repository AND status = old.status;
END;

CREATE TABLE pull_request_counts (
    repository TEXT NOT NULL,
    state      TEXT NOT NULL,
    merged     INTEGER NOT NULL,
    prs        INTEGER NOT NULL,
    PRIMARY KEY (repository, state, merged)
) WITHOUT ROWID;

INSERT INTO pull_request_counts (repository, state, merged, prs)
SELECT repository, state, merged, count(*) FROM pull_requests GROUP BY repository, state, merged;

CREATE TRIGGER pull_request_counts_insert AFTER INSERT ON pull_requests BEGIN
    INSERT OR IGNORE INTO pull_request_counts VALUES (new.repository, new.state, new.merged, 0);
    UPDATE pull_request_counts SET prs = prs + 1
    WHERE repository = new.repository AND state = new.state AND merged = new.merged;
END;
CREATE TRIGGER pull_request_counts_update AFTER UPDATE OF repository, state, merged ON pull_requests
WHEN old.repository IS NOT new.repository OR old.state IS NOT new.state
     OR old.merged IS NOT new.merged
BEGIN
    UPDATE pull_request_counts SET prs = prs - 1
    WHERE repository = old.repository AND state = old.state AND merged = old.merged;
    INSERT OR IGNORE INTO pull_request_counts VALUES (new.repository, new.state, new.merged, 0);
    UPDATE pull_request_counts SET prs = prs + 1
    WHERE repository = new.repository AND state = new.state AND merged = new.merged;
END;
CREATE TRIGGER pull_request_counts_delete AFTER DELETE ON pull_requests BEGIN
    UPDATE pull_request_counts SET prs = prs - 1
    WHERE repository = old.repository AND state = old.state AND merged = old.merged;
END;

-- stats_counters keeps the scores and learnings; its run and PR columns are no longer read.
DROP TRIGGER stats_runs_insert;
DROP TRIGGER stats_runs_update;
DROP TRIGGER stats_runs_delete;
DROP TRIGGER stats_prs_insert;
DROP TRIGGER stats_prs_update;
DROP TRIGGER stats_prs_delete;

DROP VIEW system_stats;
CREATE VIEW system_stats AS
SELECT 1 AS id, r.total_runs, r.succeeded_runs, r.failed_runs, r.nothing_runs, r.running_runs,
       r.abandoned_runs, r.skipped_runs, p.prs_opened, p.prs_merged,
       CASE WHEN s.scores > 0 THEN s.score_sum / s.scores END AS average_score,
       r.total_tokens, r.total_cost_usd, s.learnings,
       (SELECT max(started_at) FROM agent_runs) AS last_run_at
FROM stats_counters s,
     (SELECT COALESCE(sum(runs), 0) AS total_runs,
             COALESCE(sum(runs) FILTER (WHERE status = 'succeeded'), 0) AS succeeded_runs,
             COALESCE(sum(runs) FILTER (WHERE status = 'failed'), 0) AS failed_runs,
             COALESCE(sum(runs) FILTER (WHERE status = 'nothing'), 0) AS nothing_runs,
             COALESCE(sum(runs) FILTER (WHERE status = 'running'), 0) AS running_runs,
             COALESCE(sum(runs) FILTER (WHERE status = 'abandoned'), 0) AS abandoned_runs,
             COALESCE(sum(runs) FILTER (WHERE status = 'skipped'), 0) AS skipped_runs,
             COALESCE(sum(tokens), 0) AS total_tokens,
             total(cost_usd) AS total_cost_usd
      FROM run_counts) r,
     (SELECT COALESCE(sum(prs) FILTER (WHERE state <> 'dry_run'), 0) AS prs_opened,
             COALESCE(sum(prs) FILTER (WHERE merged = 1), 0) AS prs_merged
      FROM pull_request_counts) p;

-- The median time to merge reads the latest merges, newest first, overall and per repository.
CREATE INDEX pull_requests_merged_at ON pull_requests (merged_at);
CREATE INDEX pull_requests_repository_merged_at ON pull_requests (repository, merged_at);
