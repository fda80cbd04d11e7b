-- run_overview is now materialized from a plain view, run_overview_live, with the same rows:
-- one run's page reads the live view (always current, and cheap by run id), while lists and
-- counts read the materialized copy. The latest PR of each run is picked with DISTINCT ON,
-- which lets a refresh hash-join 100,000 runs instead of probing once per run.

DROP MATERIALIZED VIEW run_overview;

CREATE VIEW run_overview_live AS
SELECT r.run_id, r.repository, r.status, r.trigger, r.phase, r.started_at, r.finished_at,
       EXTRACT(EPOCH FROM (r.finished_at - r.started_at))::DOUBLE PRECISION AS duration_secs,
       r.model, r.tokens, r.cost_usd, r.task_title, r.task_kind,
       pr.number AS pr_number, pr.url AS pr_url, pr.state AS pr_state, pr.merged AS pr_merged,
       e.evolution_score, c.total AS review_findings, r.error
FROM agent_runs r
LEFT JOIN (
    SELECT DISTINCT ON (p.run_id) p.run_id, p.number, p.url, p.state, p.merged
    FROM pull_requests p
    ORDER BY p.run_id, p.updated_at DESC, p.id DESC
) pr ON pr.run_id = r.run_id
LEFT JOIN evaluations e ON e.run_id = r.run_id
LEFT JOIN code_reviews c ON c.run_id = r.run_id;

-- Refreshed (concurrently, so readers never wait) when a run is registered, persisted, failed
-- or closed.
CREATE MATERIALIZED VIEW run_overview AS SELECT * FROM run_overview_live;
CREATE UNIQUE INDEX run_overview_run ON run_overview (run_id);
CREATE INDEX run_overview_started ON run_overview (started_at DESC, run_id DESC);
CREATE INDEX run_overview_repository ON run_overview (repository, started_at DESC, run_id DESC);
CREATE INDEX run_overview_status ON run_overview (status, started_at DESC, run_id DESC);
