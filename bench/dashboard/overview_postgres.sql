SELECT total_runs, succeeded_runs, failed_runs, nothing_runs, running_runs, prs_opened, prs_merged, average_score, total_tokens, total_cost_usd, learnings, last_run_at FROM system_stats;
SELECT run_id, repository, status, trigger, phase, started_at, finished_at, model, tokens, cost_usd, task_title, task_kind, pr_number, pr_url, pr_state, pr_merged, evolution_score, review_findings, error FROM run_overview WHERE TRUE ORDER BY started_at DESC, run_id DESC LIMIT 6 OFFSET 0;
SELECT total_runs FROM system_stats;
