-- A run turned away at setup because another run holds its repository is `skipped`: neither
-- failed nor succeeded, and counted apart.
ALTER TABLE agent_runs DROP CONSTRAINT IF EXISTS agent_runs_status_check;
ALTER TABLE agent_runs ADD CONSTRAINT agent_runs_status_check
    CHECK (status IN ('running', 'succeeded', 'nothing', 'failed', 'abandoned', 'skipped'));

-- Runs turned away before the status existed were recorded as failed with a "skipped: " error.
UPDATE agent_runs SET status = 'skipped' WHERE status = 'failed' AND error LIKE 'skipped: %';

-- The headline numbers count skipped runs apart.
DROP MATERIALIZED VIEW system_stats;
CREATE MATERIALIZED VIEW system_stats AS
SELECT 1 AS id,
       runs.total_runs, runs.succeeded_runs, runs.failed_runs, runs.nothing_runs,
       runs.running_runs, runs.abandoned_runs, runs.skipped_runs, prs.prs_opened,
       prs.prs_merged, ev.average_score, runs.total_tokens, runs.total_cost_usd, l.learnings,
       runs.last_run_at
FROM (
    SELECT count(*) AS total_runs,
           count(*) FILTER (WHERE status = 'succeeded') AS succeeded_runs,
           count(*) FILTER (WHERE status = 'failed') AS failed_runs,
           count(*) FILTER (WHERE status = 'nothing') AS nothing_runs,
           count(*) FILTER (WHERE status = 'running') AS running_runs,
           count(*) FILTER (WHERE status = 'abandoned') AS abandoned_runs,
           count(*) FILTER (WHERE status = 'skipped') AS skipped_runs,
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
