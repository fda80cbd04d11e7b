"""Writes the SQL each benchmarked dashboard request runs, one file per request and backend
(`<request>_<backend>.sql` in OUT), with the values the request binds written in, so the
benchmark can time the same statements directly (pgbench, or Python's sqlite3). The statements
are copied from the store (src/store/shared/{reads,repositories,lifecycle,leases}.rs,
src/store/{sqlite,postgres}/{overview,analytics}.rs): when a page's queries change, change them
here too. Left out: the per-row lookups of a run page (`fill_dry_runs`, `fill_pull_requests`:
one indexed IN list of the page's run ids each).

    python3 queries.py OUT BACKEND '{"since": "...", "cutoff": "...", "repo": "...",
        "names": [...], "cursor_at": "...", "cursor_id": "..."}'
"""
import json
import sys

out, backend, p = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
pg = backend == "postgres"

COLUMNS = ("run_id, repository, status, trigger, phase, started_at, finished_at, model, tokens, "
           "cost_usd, task_title, task_kind, pr_number, pr_url, pr_state, pr_merged, "
           "evolution_score, review_findings, error")


def q(text):
    return "'" + text.replace("'", "''") + "'"


def abandon(repo=None):
    r = q(repo) if repo else ("NULL::TEXT" if pg else "NULL")
    return (f"SELECT run_id, COALESCE(phase, 'setup') AS phase FROM agent_runs "
            f"WHERE status = 'running' AND ({r} IS NULL OR repository = {r}) "
            f"AND heartbeat_at < {q(p['cutoff'])}")


STATS = ("SELECT total_runs, succeeded_runs, failed_runs, nothing_runs, running_runs, "
         "abandoned_runs, prs_opened, prs_merged, average_score, total_tokens, total_cost_usd, "
         "learnings, last_run_at FROM system_stats")
MEDIAN = ("SELECT created_at, merged_at FROM pull_requests WHERE merged AND merged_at IS NOT NULL "
          "ORDER BY merged_at DESC LIMIT 1000")
REPOSITORIES = ("SELECT repository FROM run_counts GROUP BY repository HAVING sum(runs) > 0 "
                "ORDER BY repository")


def filters(repo):
    return " WHERE TRUE" + (f" AND repository = {q(repo)}" if repo else "")


def page(limit, repo=None, cursor=None):
    where = filters(repo)
    if cursor:
        where += f" AND (started_at, run_id) < ({q(cursor[0])}, {q(cursor[1])})"
        paging = f" ORDER BY started_at DESC, run_id DESC LIMIT {limit}"
    else:
        paging = f" ORDER BY started_at DESC, run_id DESC LIMIT {limit} OFFSET 0"
    if pg:
        inner = f"SELECT {COLUMNS} FROM run_overview{where}{paging}"
        return f"SELECT {COLUMNS} FROM ({inner}) AS page ORDER BY started_at DESC, run_id DESC"
    inner = f"SELECT run_id FROM agent_runs{where}{paging}"
    return (f"SELECT {COLUMNS} FROM run_overview WHERE run_id IN ({inner}) "
            f"ORDER BY started_at DESC, run_id DESC")


def count(repo=None):
    return "SELECT CAST(COALESCE(sum(runs), 0) AS BIGINT) FROM run_counts" + filters(repo)


def run_list(limit, repo=None, cursor=None):
    return [abandon(), page(limit, repo, cursor), count(repo)]


def summaries(names):
    listed = ", ".join(q(n) for n in names)
    earliest = "'-infinity'::TIMESTAMPTZ" if pg else "''"
    latest = " UNION ALL ".join(
        f"SELECT CAST({i} AS BIGINT) AS position, "
        f"(SELECT max(started_at) FROM agent_runs WHERE repository = {q(n)}) AS last_run_at, "
        f"(SELECT e.evolution_score FROM agent_runs r JOIN evaluations e ON e.run_id = r.run_id "
        f"WHERE r.repository = {q(n)} AND r.started_at >= COALESCE((SELECT started_at "
        f"FROM agent_runs WHERE repository = {q(n)} ORDER BY started_at DESC LIMIT 1 OFFSET 49), "
        f"{earliest}) AND e.evolution_score IS NOT NULL ORDER BY r.started_at DESC LIMIT 1) "
        f"AS last_score"
        for i, n in enumerate(names))
    if pg:
        secs = "GREATEST(0, floor(EXTRACT(EPOCH FROM (merged_at - created_at))))::BIGINT"
        spans = "string_agg(CAST(secs AS TEXT), ',')"
    else:
        secs = ("max(0, ((CAST(strftime('%s', substr(merged_at, 1, 19)) AS INTEGER) "
                "- CAST(strftime('%s', substr(created_at, 1, 19)) AS INTEGER)) * 1000000 "
                "+ CAST(substr(merged_at, 21, 6) AS INTEGER) "
                "- CAST(substr(created_at, 21, 6) AS INTEGER)) / 1000000)")
        spans = "group_concat(secs, ',')"
    merges = " UNION ALL ".join(
        f"SELECT CAST({i} AS BIGINT) AS position, {spans} FROM (SELECT {secs} AS secs "
        f"FROM pull_requests WHERE repository = {q(n)} AND merged AND merged_at IS NOT NULL "
        f"ORDER BY merged_at DESC LIMIT 100) AS m{i}"
        for i, n in enumerate(names))
    return [
        f"SELECT repository, status, runs, tokens, cost_usd FROM run_counts "
        f"WHERE repository IN ({listed})",
        f"SELECT repository, state, merged, prs FROM pull_request_counts "
        f"WHERE repository IN ({listed})",
        latest,
        merges,
    ]


def repository_page(names):
    return [
        abandon(),
        f"SELECT repository FROM run_counts GROUP BY repository HAVING sum(runs) > 0 "
        f"ORDER BY repository LIMIT {len(names)} OFFSET 0",
        "SELECT CAST(count(*) AS BIGINT) FROM (SELECT repository FROM run_counts "
        "GROUP BY repository HAVING sum(runs) > 0) AS named",
    ] + summaries(names)


def analytics(repo=None):
    """The aggregates: whole days from the daily rollups, the partial first day from its runs."""
    since, until, rolled_from = q(p["since"]), q(p["raw_until"]), q(p["rolled_from"])
    null = "NULL::TEXT" if pg else "NULL"
    raw = (f"r.started_at >= {since} AND r.started_at < {until} AND "
           + (f"r.repository = {q(repo)}" if repo else f"{null} IS NULL"))
    rolled = f"d.day >= {rolled_from} AND " + (f"d.repository = {q(repo)} AND d.repository <> ''"
                                               if repo else f"d.repository = '' AND {null} IS NULL")
    if pg:
        evaluation = ("CROSS JOIN LATERAL (SELECT * FROM evaluations e "
                      "WHERE e.run_id = r.run_id OFFSET 0) e")
        review = ("CROSS JOIN LATERAL (SELECT * FROM code_reviews c "
                  "WHERE c.run_id = r.run_id OFFSET 0) c")
        return [
            f"SELECT day, score_sum / scores::DOUBLE PRECISION, scores::BIGINT FROM ("
            f"SELECT day, sum(score_sum) AS score_sum, sum(scores) AS scores FROM ("
            f"SELECT run_day(r.started_at) AS day, COALESCE(sum(e.evolution_score), 0) AS score_sum, "
            f"count(e.evolution_score) AS scores FROM agent_runs r {evaluation} "
            f"WHERE {raw} GROUP BY day UNION ALL "
            f"SELECT d.day, d.score_sum, d.scores FROM score_days d "
            f"WHERE {rolled} AND d.component = 'evolution') AS parts GROUP BY day) AS days "
            f"WHERE scores > 0 ORDER BY day",
            f"SELECT component, CASE WHEN sum(scores) > 0 "
            f"THEN sum(score_sum) / sum(scores)::DOUBLE PRECISION END, sum(measured)::BIGINT, "
            f"sum(estimated)::BIGINT, sum(unavailable)::BIGINT FROM ("
            f"SELECT c.component, COALESCE(sum(c.score), 0) AS score_sum, count(c.score) AS scores, "
            f"count(*) FILTER (WHERE c.method = 'measured') AS measured, "
            f"count(*) FILTER (WHERE c.method = 'estimated') AS estimated, "
            f"count(*) FILTER (WHERE c.method = 'unavailable') AS unavailable "
            f"FROM agent_runs r {evaluation} CROSS JOIN LATERAL (VALUES "
            f"('code_quality', e.code_quality_score, e.code_quality_method), "
            f"('test_coverage', e.test_coverage_score, e.test_coverage_method), "
            f"('maintainability', e.maintainability_score, e.maintainability_method), "
            f"('readability', e.readability_score, e.readability_method)"
            f") AS c(component, score, method) WHERE {raw} GROUP BY c.component UNION ALL "
            f"SELECT d.component, d.score_sum, d.scores, d.measured, d.estimated, d.unavailable "
            f"FROM score_days d WHERE {rolled} AND d.component <> 'evolution') AS parts "
            f"GROUP BY component",
            f"SELECT category, sum(findings)::BIGINT FROM ("
            f"SELECT COALESCE(f.finding ->> 'category', 'other') AS category, count(*) AS findings "
            f"FROM agent_runs r {review} "
            f"CROSS JOIN LATERAL jsonb_array_elements(c.findings) AS f(finding) "
            f"WHERE {raw} GROUP BY category UNION ALL "
            f"SELECT d.category, d.findings FROM finding_days d WHERE {rolled}) AS parts "
            f"GROUP BY category HAVING sum(findings) > 0 ORDER BY sum(findings) DESC, category",
            f"SELECT date_trunc('week', day::TIMESTAMP)::DATE AS week, sum(finished)::BIGINT, "
            f"sum(succeeded)::BIGINT FROM ("
            f"SELECT run_day(r.started_at) AS day, count(*) AS runs, "
            f"count(*) FILTER (WHERE r.status NOT IN ('running', 'abandoned', 'skipped')) AS finished, "
            f"count(*) FILTER (WHERE r.status = 'succeeded') AS succeeded "
            f"FROM agent_runs r WHERE {raw} GROUP BY day UNION ALL "
            f"SELECT d.day, d.runs, d.finished, d.succeeded FROM run_days d WHERE {rolled}) AS parts "
            f"GROUP BY week HAVING sum(runs) > 0 ORDER BY week",
        ]

    def component(name):
        return (f"SELECT '{name}' AS component, total({name}_score) AS score_sum, "
                f"count({name}_score) AS scores, "
                f"count(*) FILTER (WHERE {name}_method = 'measured') AS measured, "
                f"count(*) FILTER (WHERE {name}_method = 'estimated') AS estimated, "
                f"count(*) FILTER (WHERE {name}_method = 'unavailable') AS unavailable "
                f"FROM window_evaluations")

    return [
        f"SELECT day, score_sum / scores, scores FROM ("
        f"SELECT day, sum(score_sum) AS score_sum, sum(scores) AS scores FROM ("
        f"SELECT date(r.started_at) AS day, total(e.evolution_score) AS score_sum, "
        f"count(e.evolution_score) AS scores "
        f"FROM agent_runs r JOIN evaluations e ON e.run_id = r.run_id WHERE {raw} GROUP BY day "
        f"UNION ALL SELECT d.day, d.score_sum, d.scores FROM score_days d "
        f"WHERE {rolled} AND d.component = 'evolution') GROUP BY day) "
        f"WHERE scores > 0 ORDER BY day",
        "WITH window_evaluations AS MATERIALIZED (SELECT e.code_quality_score, "
        "e.code_quality_method, e.test_coverage_score, e.test_coverage_method, "
        "e.maintainability_score, e.maintainability_method, e.readability_score, "
        "e.readability_method FROM agent_runs r JOIN evaluations e ON e.run_id = r.run_id "
        f"WHERE {raw}) "
        "SELECT component, CASE WHEN sum(scores) > 0 THEN sum(score_sum) / sum(scores) END, "
        "sum(measured), sum(estimated), sum(unavailable) FROM ("
        + " UNION ALL ".join(component(n) for n in
                             ["code_quality", "test_coverage", "maintainability", "readability"])
        + " UNION ALL SELECT d.component, d.score_sum, d.scores, d.measured, d.estimated, "
        f"d.unavailable FROM score_days d WHERE {rolled} AND d.component <> 'evolution'"
        ") GROUP BY component",
        f"SELECT category, sum(findings) FROM ("
        f"SELECT COALESCE(json_extract(f.value, '$.category'), 'other') AS category, "
        f"count(*) AS findings FROM agent_runs r JOIN code_reviews c ON c.run_id = r.run_id, "
        f"json_each(c.findings) AS f WHERE {raw} GROUP BY category UNION ALL "
        f"SELECT d.category, d.findings FROM finding_days d WHERE {rolled}) "
        f"GROUP BY category HAVING sum(findings) > 0 ORDER BY sum(findings) DESC, category",
        f"SELECT date(day, 'weekday 0', '-6 days') AS week, sum(finished), sum(succeeded) FROM ("
        f"SELECT date(r.started_at) AS day, count(*) AS runs, "
        f"count(*) FILTER (WHERE r.status NOT IN ('running', 'abandoned', 'skipped')) AS finished, "
        f"count(*) FILTER (WHERE r.status = 'succeeded') AS succeeded "
        f"FROM agent_runs r WHERE {raw} GROUP BY day UNION ALL "
        f"SELECT d.day, d.runs, d.finished, d.succeeded FROM run_days d WHERE {rolled}) "
        f"GROUP BY week HAVING sum(runs) > 0 ORDER BY week",
    ]


repo = p["repo"]
requests = {
    # `/`: the headline numbers, the median time to merge, the six latest runs.
    "overview": [abandon(), STATS, MEDIAN] + run_list(6),
    # `/timeline`: a page of 25, its count, the repositories for the filter.
    "timeline": run_list(25) + [REPOSITORIES],
    # `/timeline?after=...`: a page 90% of the way down the history, read from its cursor.
    "timeline_deep": run_list(25, cursor=(p["cursor_at"], p["cursor_id"])) + [REPOSITORIES],
    # `/analytics`: the aggregates over 90 days, the 30 latest runs, the repositories.
    "analytics": analytics() + run_list(30) + [REPOSITORIES],
    # `/repositories` (and `/api/data?view=repositories`): the first 50 repositories.
    "repositories": repository_page(p["names"]),
    # `/repositories/{id}`: one repository's numbers, runs, PRs, learnings, score trend.
    "repository": [abandon(repo)] + summaries([repo]) + run_list(20, repo) + [
        "SELECT run_id, repository, forge, number, url, branch, title, state, merged, "
        f"head_commit, created_at, updated_at FROM pull_requests WHERE repository = {q(repo)} "
        "ORDER BY created_at DESC, id DESC LIMIT 20",
        f"SELECT id, content, weight FROM learnings WHERE repository = {q(repo)} "
        "AND retired_at IS NULL ORDER BY weight DESC, id",
    ] + analytics(repo),
    # `/api/data`: the headline numbers and a page of 25.
    "api": [abandon(), STATS] + run_list(25),
}
for name, statements in requests.items():
    with open(f"{out}/{name}_{backend}.sql", "w") as f:
        f.write(";\n".join(statements) + ";\n")
