-- The dashboard benchmark's history (SQLite), the same as seed_postgres.sql: :runs runs, one
-- every :step seconds back from now, round-robin over :repos repositories. Timestamps in the
-- store's fixed-width text form (YYYY-MM-DDTHH:MM:SS.ffffffZ). Run with
-- `sqlite3 -cmd '.parameter set :runs 100000' -cmd '.parameter set :repos 20' -cmd '.parameter set :step 600'`.
BEGIN;
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < :runs)
INSERT INTO agent_runs (run_id, repository, trigger, status, phase, model, started_at,
                        finished_at, llm_calls, tokens, cost_usd, task_title, task_kind,
                        implementation_status, branch, files_changed, lines_added,
                        lines_removed, attempts, error)
SELECT 'bench-' || printf('%07d', i),
       'github.com/acme/repo-' || printf('%04d', i % :repos),
       'schedule',
       CASE WHEN (i / :repos) % 10 = 0 THEN 'failed' WHEN (i / :repos) % 10 = 5 THEN 'nothing' ELSE 'succeeded' END,
       CASE WHEN (i / :repos) % 10 = 0 THEN 'implement' WHEN (i / :repos) % 10 = 5 THEN 'select' ELSE 'cleanup' END,
       'anthropic:claude-sonnet-4-5',
       strftime('%Y-%m-%dT%H:%M:%f', 'now', printf('%+f seconds', -i * :step)) || '000Z',
       strftime('%Y-%m-%dT%H:%M:%f', 'now', printf('%+f seconds', 420 - i * :step)) || '000Z',
       4, 20000 + i % 5000, 0.05 + (i % 100) / 1000.0,
       CASE WHEN (i / :repos) % 10 = 5 THEN NULL ELSE 'Add a test for module ' || i END,
       CASE WHEN (i / :repos) % 10 = 5 THEN NULL ELSE 'test' END,
       CASE WHEN (i / :repos) % 10 = 5 THEN NULL WHEN (i / :repos) % 10 = 0 THEN 'failed' ELSE 'committed' END,
       'am/task-' || i, 2, 30, 4, 1,
       CASE WHEN (i / :repos) % 10 = 0 THEN 'cargo test failed after 3 attempts' END
FROM seq;

INSERT INTO pull_requests (run_id, repository, forge, number, url, branch, title, state, merged,
                           created_at, updated_at, merged_at, closed_at)
SELECT run_id, repository, 'github', id,
       'https://' || repository || '/pull/' || id, branch, task_title,
       CASE WHEN id % 3 = 0 THEN 'merged' ELSE 'open' END, id % 3 = 0, finished_at, finished_at,
       CASE WHEN id % 3 = 0 THEN strftime('%Y-%m-%dT%H:%M:%f', finished_at, '+' || (1 + id % 48) || ' hours') || '000Z' END,
       CASE WHEN id % 3 = 0 THEN strftime('%Y-%m-%dT%H:%M:%f', finished_at, '+' || (1 + id % 48) || ' hours') || '000Z' END
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

WITH RECURSIVE r(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM r WHERE n < :repos - 1),
     k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 5)
INSERT INTO learnings (repository, kind, content, normalized, source, weight, created_at,
                       updated_at)
SELECT 'github.com/acme/repo-' || printf('%04d', r.n), 'mistake',
       'Lesson ' || k.n || ' of repository ' || r.n, 'lesson ' || k.n || ' of repository ' || r.n,
       'review', 1 + k.n, strftime('%Y-%m-%dT%H:%M:%f', 'now') || '000Z',
       strftime('%Y-%m-%dT%H:%M:%f', 'now') || '000Z'
FROM r, k;
COMMIT;
ANALYZE;
