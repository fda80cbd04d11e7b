-- A run whose lease expired is `abandoned`: neither failed nor succeeded, and counted apart.
--
-- agent_runs' CHECK on `status` gains the value. SQLite cannot alter a CHECK, and rebuilding
-- agent_runs is unsafe here: a migration runs inside a transaction, where foreign keys cannot be
-- switched off, so dropping the old table would cascade-delete every child row (errors, phases,
-- reviews, evaluations, artifacts, changes). The constraint only becomes looser (every stored
-- row stays valid, the file format is unchanged), which is the case SQLite's documentation
-- ("Making Other Kinds Of Table Schema Changes") allows to be made by editing the stored schema
-- text: only the CHECK's text changes, whatever columns the table has gained. The DDL that
-- follows bumps the schema cookie, so every connection re-reads the schema, and RESET re-reads
-- it on this one. Had the text not matched, the UPDATE to 'abandoned' below fails the old CHECK
-- and the migration with it.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql, '''nothing'', ''failed'')', '''nothing'', ''failed'', ''abandoned'')')
WHERE type = 'table' AND name = 'agent_runs';
PRAGMA writable_schema = RESET;

-- The headline counters count abandoned runs apart.
ALTER TABLE stats_counters ADD COLUMN abandoned_runs INTEGER NOT NULL DEFAULT 0;

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
        total_tokens = total_tokens - old.tokens,
        total_cost_usd = total_cost_usd - old.cost_usd
    WHERE id = 1;
END;

-- Runs abandoned before the status existed were recorded as failed with an "abandoned: " error
-- (the triggers above move them between the counters).
UPDATE agent_runs SET status = 'abandoned' WHERE status = 'failed' AND error LIKE 'abandoned: %';

DROP VIEW system_stats;
CREATE VIEW system_stats AS
SELECT 1 AS id, total_runs, succeeded_runs, failed_runs, nothing_runs, running_runs,
       abandoned_runs, prs_opened, prs_merged,
       CASE WHEN scores > 0 THEN score_sum / scores END AS average_score,
       total_tokens, total_cost_usd, learnings,
       (SELECT max(started_at) FROM agent_runs) AS last_run_at
FROM stats_counters;
