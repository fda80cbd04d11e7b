-- A run turned away at setup because another run holds its repository is `skipped`: neither
-- failed nor succeeded, and counted apart.
--
-- agent_runs' CHECK on `status` gains the value, widened in place as 20261207000003 did for
-- 'abandoned' (see there why the table is not rebuilt): only the CHECK's text changes, and the
-- constraint only becomes looser. Had the text not matched, the UPDATE to 'skipped' below
-- fails the old CHECK and the migration with it.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql, '''failed'', ''abandoned'')', '''failed'', ''abandoned'', ''skipped'')')
WHERE type = 'table' AND name = 'agent_runs';
PRAGMA writable_schema = RESET;

-- The headline counters count skipped runs apart.
ALTER TABLE stats_counters ADD COLUMN skipped_runs INTEGER NOT NULL DEFAULT 0;

DROP TRIGGER stats_runs_insert;
DROP TRIGGER stats_runs_update;
DROP TRIGGER stats_runs_delete;
CREATE TRIGGER stats_runs_insert AFTER INSERT ON agent_runs BEGIN
    UPDATE stats_counters SET total_runs = total_runs + 1,
        succeeded_runs = succeeded_runs + (new.status = 'succeeded'),
        failed_runs = failed_runs + (new.status = 'failed'),
        nothing_runs = nothing_runs + (new.status = 'nothing'),
        running_runs = running_runs + (new.status = 'running'),
        abandoned_runs = abandoned_runs + (new.status = 'abandoned'),
        skipped_runs = skipped_runs + (new.status = 'skipped'),
        total_tokens = total_tokens + new.tokens,
        total_cost_usd = total_cost_usd + new.cost_usd
    WHERE id = 1;
END;
CREATE TRIGGER stats_runs_update AFTER UPDATE OF status, tokens, cost_usd ON agent_runs
WHEN old.status IS NOT new.status OR old.tokens IS NOT new.tokens
     OR old.cost_usd IS NOT new.cost_usd
BEGIN
    UPDATE stats_counters SET
        succeeded_runs = succeeded_runs - (old.status = 'succeeded') + (new.status = 'succeeded'),
        failed_runs = failed_runs - (old.status = 'failed') + (new.status = 'failed'),
        nothing_runs = nothing_runs - (old.status = 'nothing') + (new.status = 'nothing'),
        running_runs = running_runs - (old.status = 'running') + (new.status = 'running'),
        abandoned_runs = abandoned_runs - (old.status = 'abandoned') + (new.status = 'abandoned'),
        skipped_runs = skipped_runs - (old.status = 'skipped') + (new.status = 'skipped'),
        total_tokens = total_tokens - old.tokens + new.tokens,
        total_cost_usd = total_cost_usd - old.cost_usd + new.cost_usd
    WHERE id = 1;
END;
CREATE TRIGGER stats_runs_delete AFTER DELETE ON agent_runs BEGIN
    UPDATE stats_counters SET total_runs = total_runs - 1,
        succeeded_runs = succeeded_runs - (old.status = 'succeeded'),
        failed_runs = failed_runs - (old.status = 'failed'),
        nothing_runs = nothing_runs - (old.status = 'nothing'),
        running_runs = running_runs - (old.status = 'running'),
        abandoned_runs = abandoned_runs - (old.status = 'abandoned'),
        skipped_runs = skipped_runs - (old.status = 'skipped'),
        total_tokens = total_tokens - old.tokens,
        total_cost_usd = total_cost_usd - old.cost_usd
    WHERE id = 1;
END;

-- Runs turned away before the status existed were recorded as failed with a "skipped: " error
-- (the triggers above move them between the counters).
UPDATE agent_runs SET status = 'skipped' WHERE status = 'failed' AND error LIKE 'skipped: %';

DROP VIEW system_stats;
CREATE VIEW system_stats AS
SELECT 1 AS id, total_runs, succeeded_runs, failed_runs, nothing_runs, running_runs,
       abandoned_runs, skipped_runs, prs_opened, prs_merged,
       CASE WHEN scores > 0 THEN score_sum / scores END AS average_score,
       total_tokens, total_cost_usd, learnings,
       (SELECT max(started_at) FROM agent_runs) AS last_run_at
FROM stats_counters;
