-- The same history as store_seed_postgres.sql, in SQLite's types (timestamps as fixed-width
-- UTC text).
CREATE TEMP TABLE seq AS
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
SELECT i,
       strftime('%Y-%m-%dT%H:%M:%S', '2020-01-01 00:00:00', '+' || (i * 30) || ' minutes')
           || '.000000Z' AS started,
       strftime('%Y-%m-%dT%H:%M:%S', '2020-01-01 00:00:00', '+' || (i * 30 + i % 17) || ' minutes')
           || '.000000Z' AS finished
FROM n;

INSERT INTO agent_runs (run_id, repository, trigger, status, phase, model, started_at,
                        finished_at, llm_calls, tokens, cost_usd, task_title, task_kind, branch,
                        error)
SELECT 'bench-' || i, 'repo-' || (i % 50), 'schedule',
       CASE i % 10 WHEN 0 THEN 'failed' WHEN 1 THEN 'nothing' ELSE 'succeeded' END,
       CASE i % 10 WHEN 0 THEN 'implement' ELSE 'cleanup' END,
       'anthropic:claude-sonnet-4-5', started, finished,
       3, 1000 + i % 5000, (1000 + i % 5000) * 0.000003,
       'Task ' || i, CASE i % 4 WHEN 0 THEN 'test' WHEN 1 THEN 'refactor' WHEN 2 THEN 'docs' ELSE 'lint' END,
       'am/task-' || i,
       CASE WHEN i % 10 = 0 THEN 'failed to pass the checks' END
FROM seq;

INSERT INTO run_errors (run_id, phase, message, at)
SELECT 'bench-' || i, 'implement', 'failed to pass the checks', started FROM seq WHERE i % 10 = 0;

INSERT INTO pull_requests (run_id, repository, forge, number, url, branch, title, state, merged,
                           head_commit, created_at, updated_at)
SELECT 'bench-' || i, 'repo-' || (i % 50), 'github', i / 50 + 1,
       'https://github.com/o/repo-' || (i % 50) || '/pull/' || (i / 50 + 1), 'am/task-' || i,
       'Task ' || i, CASE WHEN i % 2 = 0 THEN 'merged' ELSE 'open' END, i % 2 = 0,
       hex(randomblob(16)), started, started
FROM seq WHERE i % 10 >= 2;

INSERT INTO code_reviews (run_id, source, status, total, actionable, security, performance, style,
                          nitpicks, complexity_score, risk_flags, findings, summary)
SELECT 'bench-' || i, 'local', 'reviewed', i % 7, i % 4, i % 2, 0, i % 3, i % 5, i % 100,
       '[]', '[]', 'review of task ' || i
FROM seq WHERE i % 10 >= 2;

INSERT INTO evaluations (run_id, evolution_score,
                         code_quality_score, code_quality_method, code_quality_evidence,
                         test_coverage_score, test_coverage_method, test_coverage_evidence,
                         maintainability_score, maintainability_method, maintainability_evidence,
                         readability_score, readability_method, readability_evidence,
                         weight_code_quality, weight_test_coverage, weight_maintainability,
                         weight_readability)
SELECT 'bench-' || i, i % 101,
       i % 101, 'measured', 'clippy', i % 101, 'measured', 'coverage',
       i % 101, 'estimated', 'complexity', NULL, 'unavailable', '',
       0.30, 0.25, 0.25, 0.20
FROM seq WHERE i % 10 >= 2;

INSERT INTO learnings (repository, kind, content, normalized, source, weight, uses, created_at,
                       updated_at)
SELECT 'repo-' || (i % 50), 'mistake',
       'learning ' || i || ' about clippy warnings and test coverage in module ' || (i % 37),
       'learning ' || i || ' about clippy warnings and test coverage in module ' || (i % 37),
       'review', 1 + (i % 5), 0,
       strftime('%Y-%m-%dT%H:%M:%S', '2025-01-01 00:00:00', '+' || i || ' hours') || '.000000Z',
       strftime('%Y-%m-%dT%H:%M:%S', '2025-01-01 00:00:00', '+' || i || ' hours') || '.000000Z'
FROM seq WHERE i <= 1000;

DROP TABLE seq;
ANALYZE;
