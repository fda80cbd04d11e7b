-- The dashboard benchmark's history (PostgreSQL): :runs runs, one every :step seconds back from
-- now, round-robin over :repos repositories (`github.com/acme/repo-0000`, ...); 80% of each repository's runs succeed
-- with a PR (a third merged, 1-48 h after it opened, the rest open), a review with two
-- findings and an evaluation; 10% fail in implement; the rest had nothing to do; five
-- learnings per repository. Run on a migrated, empty database with
-- `psql -v runs=100000 -v repos=20 -v step=600`; the counters are kept by the store's triggers
-- as the rows go in, and run_overview is refreshed once at the end.

INSERT INTO agent_runs (run_id, repository, trigger, status, phase, model, started_at,
                        finished_at, llm_calls, tokens, cost_usd, task_title, task_kind,
                        implementation_status, branch, files_changed, lines_added,
                        lines_removed, attempts, error)
SELECT 'bench-' || lpad(i::TEXT, 7, '0'),
       'github.com/acme/repo-' || lpad((i % :repos)::TEXT, 4, '0'),
       'schedule',
       CASE WHEN (i / :repos) % 10 = 0 THEN 'failed' WHEN (i / :repos) % 10 = 5 THEN 'nothing' ELSE 'succeeded' END,
       CASE WHEN (i / :repos) % 10 = 0 THEN 'implement' WHEN (i / :repos) % 10 = 5 THEN 'select' ELSE 'cleanup' END,
       'anthropic:claude-sonnet-4-5',
       date_trunc('milliseconds', now()) - i * make_interval(secs => :step),
       date_trunc('milliseconds', now()) - i * make_interval(secs => :step) + INTERVAL '7 minutes',
       4, 20000 + i % 5000, 0.05 + (i % 100) / 1000.0,
       CASE WHEN (i / :repos) % 10 = 5 THEN NULL ELSE 'Add a test for module ' || i END,
       CASE WHEN (i / :repos) % 10 = 5 THEN NULL ELSE 'test' END,
       CASE WHEN (i / :repos) % 10 = 5 THEN NULL WHEN (i / :repos) % 10 = 0 THEN 'failed' ELSE 'committed' END,
       'am/task-' || i, 2, 30, 4, 1,
       CASE WHEN (i / :repos) % 10 = 0 THEN 'cargo test failed after 3 attempts' END
FROM generate_series(1, :runs) AS i;

INSERT INTO pull_requests (run_id, repository, forge, number, url, branch, title, state, merged,
                           created_at, updated_at, merged_at, closed_at)
SELECT run_id, repository, 'github', id,
       'https://' || repository || '/pull/' || id, branch, task_title,
       CASE WHEN id % 3 = 0 THEN 'merged' ELSE 'open' END, id % 3 = 0, finished_at, finished_at,
       CASE WHEN id % 3 = 0 THEN finished_at + (1 + id % 48) * INTERVAL '1 hour' END,
       CASE WHEN id % 3 = 0 THEN finished_at + (1 + id % 48) * INTERVAL '1 hour' END
FROM agent_runs WHERE status = 'succeeded';

INSERT INTO code_reviews (run_id, source, status, total, actionable, security, performance, style,
                          nitpicks, complexity_score, risk_flags, findings, summary)
SELECT run_id, 'coderabbit', 'reviewed', 2, 1, 0, 0, 1, 1, 30, '[]',
       '[{"category":"style","severity":"minor","title":"long line","body":"wrap it","actionable":true},
         {"category":"nitpick","severity":"trivial","title":"naming","body":"rename x","actionable":false}]',
       'two findings'
FROM agent_runs WHERE status = 'succeeded';

INSERT INTO evaluations (run_id, evolution_score, code_quality_score, code_quality_method,
                         code_quality_evidence, test_coverage_score, test_coverage_method,
                         test_coverage_evidence, maintainability_score, maintainability_method,
                         maintainability_evidence, readability_score, readability_method,
                         readability_evidence, weight_code_quality, weight_test_coverage,
                         weight_maintainability, weight_readability)
SELECT run_id, 50 + id % 50, 50 + id % 50, 'measured', 'bench', 40 + id % 60, 'measured', 'bench',
       60 + id % 40, 'estimated', 'bench', 55 + id % 45, 'estimated', 'bench',
       0.30, 0.25, 0.25, 0.20
FROM agent_runs WHERE status = 'succeeded';

INSERT INTO run_errors (run_id, phase, message, at)
SELECT run_id, 'implement', error, finished_at FROM agent_runs WHERE status = 'failed';

INSERT INTO learnings (repository, kind, content, normalized, source, weight, created_at,
                       updated_at)
SELECT 'github.com/acme/repo-' || lpad(r::TEXT, 4, '0'), 'mistake',
       'Lesson ' || k || ' of repository ' || r, 'lesson ' || k || ' of repository ' || r,
       'review', 1 + k, now(), now()
FROM generate_series(0, :repos - 1) AS r, generate_series(1, 5) AS k;

REFRESH MATERIALIZED VIEW run_overview;
-- Settled before measuring: hint bits and the visibility map set, statistics current, dirty
-- pages written, so autovacuum's pass over a million new rows does not land in the figures.
VACUUM ANALYZE;
CHECKPOINT;
