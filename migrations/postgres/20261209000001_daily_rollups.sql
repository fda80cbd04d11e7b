-- The dashboard's aggregates (`/analytics`) without reading the runs: per UTC day a run started
-- on and per repository, the runs, finished and succeeded ones (run_days), each score
-- component's sum, count and methods ('evolution' for the score itself; score_days), and the
-- review findings per category (finding_days). Statement triggers keep them in the same
-- transaction as every write to agent_runs, evaluations and code_reviews, like run_counts
-- (INSERT ... ON CONFLICT DO UPDATE, each statement's rows in key order): a run that moves to
-- another day or repository takes its scores and findings along; deleting a run first deletes
-- its evaluation and review (a row trigger, while the run still says where they were counted;
-- the cascade would delete them after the run). Each day also has a row for the whole fleet,
-- under the repository '' (no identity is empty), so the aggregates over every repository read
-- one row a day, however many repositories there are. Rows whose counts fell to zero stay (the
-- reads skip them).
CREATE TABLE run_days (
    day        DATE NOT NULL,
    repository TEXT NOT NULL,
    runs       BIGINT NOT NULL,
    finished   BIGINT NOT NULL,
    succeeded  BIGINT NOT NULL,
    PRIMARY KEY (day, repository)
);
CREATE INDEX run_days_repository ON run_days (repository, day);

CREATE TABLE score_days (
    day         DATE NOT NULL,
    repository  TEXT NOT NULL,
    component   TEXT NOT NULL,
    score_sum   DOUBLE PRECISION NOT NULL,
    scores      BIGINT NOT NULL,
    measured    BIGINT NOT NULL,
    estimated   BIGINT NOT NULL,
    unavailable BIGINT NOT NULL,
    PRIMARY KEY (day, repository, component)
);
CREATE INDEX score_days_repository ON score_days (repository, day);

CREATE TABLE finding_days (
    day        DATE NOT NULL,
    repository TEXT NOT NULL,
    category   TEXT NOT NULL,
    findings   BIGINT NOT NULL,
    PRIMARY KEY (day, repository, category)
);
CREATE INDEX finding_days_repository ON finding_days (repository, day);

-- The UTC day a run started on.
CREATE FUNCTION run_day(started_at TIMESTAMPTZ) RETURNS DATE
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT (started_at AT TIME ZONE 'UTC')::DATE $$;

INSERT INTO run_days (day, repository, runs, finished, succeeded)
SELECT run_day(started_at), repository, count(*),
       count(*) FILTER (WHERE status NOT IN ('running', 'abandoned', 'skipped')),
       count(*) FILTER (WHERE status = 'succeeded')
FROM agent_runs GROUP BY 1, 2;

INSERT INTO score_days (day, repository, component, score_sum, scores, measured, estimated,
                        unavailable)
SELECT run_day(r.started_at), r.repository, c.component, COALESCE(sum(c.score), 0),
       count(c.score), count(*) FILTER (WHERE c.method = 'measured'),
       count(*) FILTER (WHERE c.method = 'estimated'),
       count(*) FILTER (WHERE c.method = 'unavailable')
FROM evaluations e JOIN agent_runs r ON r.run_id = e.run_id
CROSS JOIN LATERAL (VALUES
    ('evolution', e.evolution_score, ''),
    ('code_quality', e.code_quality_score, e.code_quality_method),
    ('test_coverage', e.test_coverage_score, e.test_coverage_method),
    ('maintainability', e.maintainability_score, e.maintainability_method),
    ('readability', e.readability_score, e.readability_method)
) AS c(component, score, method)
GROUP BY 1, 2, 3;

INSERT INTO finding_days (day, repository, category, findings)
SELECT run_day(r.started_at), r.repository, COALESCE(f.finding ->> 'category', 'other'), count(*)
FROM code_reviews c JOIN agent_runs r ON r.run_id = c.run_id
CROSS JOIN LATERAL jsonb_array_elements(c.findings) AS f(finding)
GROUP BY 1, 2, 3;

INSERT INTO run_days (day, repository, runs, finished, succeeded)
SELECT day, '', sum(runs), sum(finished), sum(succeeded) FROM run_days GROUP BY day;
INSERT INTO score_days (day, repository, component, score_sum, scores, measured, estimated,
                        unavailable)
SELECT day, '', component, sum(score_sum), sum(scores), sum(measured), sum(estimated),
       sum(unavailable)
FROM score_days GROUP BY day, component;
INSERT INTO finding_days (day, repository, category, findings)
SELECT day, '', category, sum(findings) FROM finding_days GROUP BY day, category;

-- Runs: counted under the day they started on. A run that moved (another repository or day)
-- takes its evaluation's and review's counts along.
CREATE FUNCTION run_days_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO run_days (day, repository, runs, finished, succeeded)
        SELECT day, k.repository, sum(runs), sum(finished), sum(succeeded)
        FROM (SELECT run_day(started_at) AS day, repository, 1 AS runs, CASE WHEN status NOT IN ('running', 'abandoned', 'skipped') THEN 1 ELSE 0 END AS finished, CASE WHEN status = 'succeeded' THEN 1 ELSE 0 END AS succeeded FROM new_rows) AS d
        CROSS JOIN LATERAL (VALUES (d.repository), ('')) AS k(repository)
        GROUP BY day, k.repository
        HAVING sum(runs) <> 0 OR sum(finished) <> 0 OR sum(succeeded) <> 0
        ORDER BY day, k.repository
        ON CONFLICT (day, repository) DO UPDATE SET runs = run_days.runs + EXCLUDED.runs,
            finished = run_days.finished + EXCLUDED.finished,
            succeeded = run_days.succeeded + EXCLUDED.succeeded;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO run_days (day, repository, runs, finished, succeeded)
        SELECT day, k.repository, sum(runs), sum(finished), sum(succeeded)
        FROM (SELECT run_day(started_at) AS day, repository, 1 AS runs, CASE WHEN status NOT IN ('running', 'abandoned', 'skipped') THEN 1 ELSE 0 END AS finished, CASE WHEN status = 'succeeded' THEN 1 ELSE 0 END AS succeeded FROM new_rows
            UNION ALL
            SELECT run_day(started_at) AS day, repository, -1 AS runs, CASE WHEN status NOT IN ('running', 'abandoned', 'skipped') THEN -1 ELSE 0 END AS finished, CASE WHEN status = 'succeeded' THEN -1 ELSE 0 END AS succeeded FROM old_rows) AS d
        CROSS JOIN LATERAL (VALUES (d.repository), ('')) AS k(repository)
        GROUP BY day, k.repository
        HAVING sum(runs) <> 0 OR sum(finished) <> 0 OR sum(succeeded) <> 0
        ORDER BY day, k.repository
        ON CONFLICT (day, repository) DO UPDATE SET runs = run_days.runs + EXCLUDED.runs,
            finished = run_days.finished + EXCLUDED.finished,
            succeeded = run_days.succeeded + EXCLUDED.succeeded;
        INSERT INTO score_days (day, repository, component, score_sum, scores, measured,
                                estimated, unavailable)
        SELECT day, k.repository, component, sum(score_sum), sum(scores), sum(measured),
               sum(estimated), sum(unavailable)
        FROM (SELECT run_day(r.started_at) AS day, r.repository, c.component, -COALESCE(c.score, 0) AS score_sum, CASE WHEN c.score IS NOT NULL THEN -1 ELSE 0 END AS scores, CASE WHEN c.method = 'measured' THEN -1 ELSE 0 END AS measured, CASE WHEN c.method = 'estimated' THEN -1 ELSE 0 END AS estimated, CASE WHEN c.method = 'unavailable' THEN -1 ELSE 0 END AS unavailable
            FROM old_rows r JOIN new_rows n ON n.run_id = r.run_id AND (n.repository <> r.repository OR run_day(n.started_at) <> run_day(r.started_at)) JOIN evaluations e ON e.run_id = r.run_id
            CROSS JOIN LATERAL (VALUES
                ('evolution', e.evolution_score, ''),
                ('code_quality', e.code_quality_score, e.code_quality_method),
                ('test_coverage', e.test_coverage_score, e.test_coverage_method),
                ('maintainability', e.maintainability_score, e.maintainability_method),
                ('readability', e.readability_score, e.readability_method)
            ) AS c(component, score, method)
            UNION ALL
            SELECT run_day(r.started_at) AS day, r.repository, c.component, COALESCE(c.score, 0) AS score_sum, CASE WHEN c.score IS NOT NULL THEN 1 ELSE 0 END AS scores, CASE WHEN c.method = 'measured' THEN 1 ELSE 0 END AS measured, CASE WHEN c.method = 'estimated' THEN 1 ELSE 0 END AS estimated, CASE WHEN c.method = 'unavailable' THEN 1 ELSE 0 END AS unavailable
            FROM new_rows r JOIN old_rows o ON o.run_id = r.run_id AND (o.repository <> r.repository OR run_day(o.started_at) <> run_day(r.started_at)) JOIN evaluations e ON e.run_id = r.run_id
            CROSS JOIN LATERAL (VALUES
                ('evolution', e.evolution_score, ''),
                ('code_quality', e.code_quality_score, e.code_quality_method),
                ('test_coverage', e.test_coverage_score, e.test_coverage_method),
                ('maintainability', e.maintainability_score, e.maintainability_method),
                ('readability', e.readability_score, e.readability_method)
            ) AS c(component, score, method)) AS d
        CROSS JOIN LATERAL (VALUES (d.repository), ('')) AS k(repository)
        GROUP BY day, k.repository, component
        HAVING sum(score_sum) <> 0 OR sum(scores) <> 0 OR sum(measured) <> 0
            OR sum(estimated) <> 0 OR sum(unavailable) <> 0
        ORDER BY day, k.repository, component
        ON CONFLICT (day, repository, component) DO UPDATE SET
            score_sum = score_days.score_sum + EXCLUDED.score_sum,
            scores = score_days.scores + EXCLUDED.scores,
            measured = score_days.measured + EXCLUDED.measured,
            estimated = score_days.estimated + EXCLUDED.estimated,
            unavailable = score_days.unavailable + EXCLUDED.unavailable;
        INSERT INTO finding_days (day, repository, category, findings)
        SELECT day, k.repository, category, sum(findings)
        FROM (SELECT run_day(r.started_at) AS day, r.repository, COALESCE(f.finding ->> 'category', 'other') AS category, -1 AS findings
            FROM old_rows r JOIN new_rows n ON n.run_id = r.run_id AND (n.repository <> r.repository OR run_day(n.started_at) <> run_day(r.started_at)) JOIN code_reviews c ON c.run_id = r.run_id
            CROSS JOIN LATERAL jsonb_array_elements(c.findings) AS f(finding)
            UNION ALL
            SELECT run_day(r.started_at) AS day, r.repository, COALESCE(f.finding ->> 'category', 'other') AS category, 1 AS findings
            FROM new_rows r JOIN old_rows o ON o.run_id = r.run_id AND (o.repository <> r.repository OR run_day(o.started_at) <> run_day(r.started_at)) JOIN code_reviews c ON c.run_id = r.run_id
            CROSS JOIN LATERAL jsonb_array_elements(c.findings) AS f(finding)) AS d
        CROSS JOIN LATERAL (VALUES (d.repository), ('')) AS k(repository)
        GROUP BY day, k.repository, category HAVING sum(findings) <> 0
        ORDER BY day, k.repository, category
        ON CONFLICT (day, repository, category) DO UPDATE SET
            findings = finding_days.findings + EXCLUDED.findings;
    ELSE
        INSERT INTO run_days (day, repository, runs, finished, succeeded)
        SELECT day, k.repository, sum(runs), sum(finished), sum(succeeded)
        FROM (SELECT run_day(started_at) AS day, repository, -1 AS runs, CASE WHEN status NOT IN ('running', 'abandoned', 'skipped') THEN -1 ELSE 0 END AS finished, CASE WHEN status = 'succeeded' THEN -1 ELSE 0 END AS succeeded FROM old_rows) AS d
        CROSS JOIN LATERAL (VALUES (d.repository), ('')) AS k(repository)
        GROUP BY day, k.repository
        HAVING sum(runs) <> 0 OR sum(finished) <> 0 OR sum(succeeded) <> 0
        ORDER BY day, k.repository
        ON CONFLICT (day, repository) DO UPDATE SET runs = run_days.runs + EXCLUDED.runs,
            finished = run_days.finished + EXCLUDED.finished,
            succeeded = run_days.succeeded + EXCLUDED.succeeded;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER run_days_insert AFTER INSERT ON agent_runs
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION run_days_apply();
CREATE TRIGGER run_days_update AFTER UPDATE ON agent_runs
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION run_days_apply();
CREATE TRIGGER run_days_delete AFTER DELETE ON agent_runs
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION run_days_apply();

-- A deleted run's evaluation and review go first, while the run says where they were counted.
CREATE FUNCTION run_days_delete_details() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM evaluations WHERE run_id = OLD.run_id;
    DELETE FROM code_reviews WHERE run_id = OLD.run_id;
    RETURN OLD;
END $$;

CREATE TRIGGER run_days_delete_details BEFORE DELETE ON agent_runs
    FOR EACH ROW EXECUTE FUNCTION run_days_delete_details();

-- Evaluations: counted under their run's day and repository.
CREATE FUNCTION score_days_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO score_days (day, repository, component, score_sum, scores, measured,
                                estimated, unavailable)
        SELECT day, k.repository, component, sum(score_sum), sum(scores), sum(measured),
               sum(estimated), sum(unavailable)
        FROM (SELECT run_day(r.started_at) AS day, r.repository, c.component, COALESCE(c.score, 0) AS score_sum, CASE WHEN c.score IS NOT NULL THEN 1 ELSE 0 END AS scores, CASE WHEN c.method = 'measured' THEN 1 ELSE 0 END AS measured, CASE WHEN c.method = 'estimated' THEN 1 ELSE 0 END AS estimated, CASE WHEN c.method = 'unavailable' THEN 1 ELSE 0 END AS unavailable
            FROM new_rows e JOIN agent_runs r ON r.run_id = e.run_id
            CROSS JOIN LATERAL (VALUES
                ('evolution', e.evolution_score, ''),
                ('code_quality', e.code_quality_score, e.code_quality_method),
                ('test_coverage', e.test_coverage_score, e.test_coverage_method),
                ('maintainability', e.maintainability_score, e.maintainability_method),
                ('readability', e.readability_score, e.readability_method)
            ) AS c(component, score, method)) AS d
        CROSS JOIN LATERAL (VALUES (d.repository), ('')) AS k(repository)
        GROUP BY day, k.repository, component
        HAVING sum(score_sum) <> 0 OR sum(scores) <> 0 OR sum(measured) <> 0
            OR sum(estimated) <> 0 OR sum(unavailable) <> 0
        ORDER BY day, k.repository, component
        ON CONFLICT (day, repository, component) DO UPDATE SET
            score_sum = score_days.score_sum + EXCLUDED.score_sum,
            scores = score_days.scores + EXCLUDED.scores,
            measured = score_days.measured + EXCLUDED.measured,
            estimated = score_days.estimated + EXCLUDED.estimated,
            unavailable = score_days.unavailable + EXCLUDED.unavailable;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO score_days (day, repository, component, score_sum, scores, measured,
                                estimated, unavailable)
        SELECT day, k.repository, component, sum(score_sum), sum(scores), sum(measured),
               sum(estimated), sum(unavailable)
        FROM (SELECT run_day(r.started_at) AS day, r.repository, c.component, COALESCE(c.score, 0) AS score_sum, CASE WHEN c.score IS NOT NULL THEN 1 ELSE 0 END AS scores, CASE WHEN c.method = 'measured' THEN 1 ELSE 0 END AS measured, CASE WHEN c.method = 'estimated' THEN 1 ELSE 0 END AS estimated, CASE WHEN c.method = 'unavailable' THEN 1 ELSE 0 END AS unavailable
            FROM new_rows e JOIN agent_runs r ON r.run_id = e.run_id
            CROSS JOIN LATERAL (VALUES
                ('evolution', e.evolution_score, ''),
                ('code_quality', e.code_quality_score, e.code_quality_method),
                ('test_coverage', e.test_coverage_score, e.test_coverage_method),
                ('maintainability', e.maintainability_score, e.maintainability_method),
                ('readability', e.readability_score, e.readability_method)
            ) AS c(component, score, method)
            UNION ALL
            SELECT run_day(r.started_at) AS day, r.repository, c.component, -COALESCE(c.score, 0) AS score_sum, CASE WHEN c.score IS NOT NULL THEN -1 ELSE 0 END AS scores, CASE WHEN c.method = 'measured' THEN -1 ELSE 0 END AS measured, CASE WHEN c.method = 'estimated' THEN -1 ELSE 0 END AS estimated, CASE WHEN c.method = 'unavailable' THEN -1 ELSE 0 END AS unavailable
            FROM old_rows e JOIN agent_runs r ON r.run_id = e.run_id
            CROSS JOIN LATERAL (VALUES
                ('evolution', e.evolution_score, ''),
                ('code_quality', e.code_quality_score, e.code_quality_method),
                ('test_coverage', e.test_coverage_score, e.test_coverage_method),
                ('maintainability', e.maintainability_score, e.maintainability_method),
                ('readability', e.readability_score, e.readability_method)
            ) AS c(component, score, method)) AS d
        CROSS JOIN LATERAL (VALUES (d.repository), ('')) AS k(repository)
        GROUP BY day, k.repository, component
        HAVING sum(score_sum) <> 0 OR sum(scores) <> 0 OR sum(measured) <> 0
            OR sum(estimated) <> 0 OR sum(unavailable) <> 0
        ORDER BY day, k.repository, component
        ON CONFLICT (day, repository, component) DO UPDATE SET
            score_sum = score_days.score_sum + EXCLUDED.score_sum,
            scores = score_days.scores + EXCLUDED.scores,
            measured = score_days.measured + EXCLUDED.measured,
            estimated = score_days.estimated + EXCLUDED.estimated,
            unavailable = score_days.unavailable + EXCLUDED.unavailable;
    ELSE
        INSERT INTO score_days (day, repository, component, score_sum, scores, measured,
                                estimated, unavailable)
        SELECT day, k.repository, component, sum(score_sum), sum(scores), sum(measured),
               sum(estimated), sum(unavailable)
        FROM (SELECT run_day(r.started_at) AS day, r.repository, c.component, -COALESCE(c.score, 0) AS score_sum, CASE WHEN c.score IS NOT NULL THEN -1 ELSE 0 END AS scores, CASE WHEN c.method = 'measured' THEN -1 ELSE 0 END AS measured, CASE WHEN c.method = 'estimated' THEN -1 ELSE 0 END AS estimated, CASE WHEN c.method = 'unavailable' THEN -1 ELSE 0 END AS unavailable
            FROM old_rows e JOIN agent_runs r ON r.run_id = e.run_id
            CROSS JOIN LATERAL (VALUES
                ('evolution', e.evolution_score, ''),
                ('code_quality', e.code_quality_score, e.code_quality_method),
                ('test_coverage', e.test_coverage_score, e.test_coverage_method),
                ('maintainability', e.maintainability_score, e.maintainability_method),
                ('readability', e.readability_score, e.readability_method)
            ) AS c(component, score, method)) AS d
        CROSS JOIN LATERAL (VALUES (d.repository), ('')) AS k(repository)
        GROUP BY day, k.repository, component
        HAVING sum(score_sum) <> 0 OR sum(scores) <> 0 OR sum(measured) <> 0
            OR sum(estimated) <> 0 OR sum(unavailable) <> 0
        ORDER BY day, k.repository, component
        ON CONFLICT (day, repository, component) DO UPDATE SET
            score_sum = score_days.score_sum + EXCLUDED.score_sum,
            scores = score_days.scores + EXCLUDED.scores,
            measured = score_days.measured + EXCLUDED.measured,
            estimated = score_days.estimated + EXCLUDED.estimated,
            unavailable = score_days.unavailable + EXCLUDED.unavailable;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER score_days_insert AFTER INSERT ON evaluations
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION score_days_apply();
CREATE TRIGGER score_days_update AFTER UPDATE ON evaluations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION score_days_apply();
CREATE TRIGGER score_days_delete AFTER DELETE ON evaluations
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION score_days_apply();

-- Reviews: their findings, likewise.
CREATE FUNCTION finding_days_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO finding_days (day, repository, category, findings)
        SELECT day, k.repository, category, sum(findings)
        FROM (SELECT run_day(r.started_at) AS day, r.repository, COALESCE(f.finding ->> 'category', 'other') AS category, 1 AS findings
            FROM new_rows c JOIN agent_runs r ON r.run_id = c.run_id
            CROSS JOIN LATERAL jsonb_array_elements(c.findings) AS f(finding)) AS d
        CROSS JOIN LATERAL (VALUES (d.repository), ('')) AS k(repository)
        GROUP BY day, k.repository, category HAVING sum(findings) <> 0
        ORDER BY day, k.repository, category
        ON CONFLICT (day, repository, category) DO UPDATE SET
            findings = finding_days.findings + EXCLUDED.findings;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO finding_days (day, repository, category, findings)
        SELECT day, k.repository, category, sum(findings)
        FROM (SELECT run_day(r.started_at) AS day, r.repository, COALESCE(f.finding ->> 'category', 'other') AS category, 1 AS findings
            FROM new_rows c JOIN agent_runs r ON r.run_id = c.run_id
            CROSS JOIN LATERAL jsonb_array_elements(c.findings) AS f(finding)
            UNION ALL
            SELECT run_day(r.started_at) AS day, r.repository, COALESCE(f.finding ->> 'category', 'other') AS category, -1 AS findings
            FROM old_rows c JOIN agent_runs r ON r.run_id = c.run_id
            CROSS JOIN LATERAL jsonb_array_elements(c.findings) AS f(finding)) AS d
        CROSS JOIN LATERAL (VALUES (d.repository), ('')) AS k(repository)
        GROUP BY day, k.repository, category HAVING sum(findings) <> 0
        ORDER BY day, k.repository, category
        ON CONFLICT (day, repository, category) DO UPDATE SET
            findings = finding_days.findings + EXCLUDED.findings;
    ELSE
        INSERT INTO finding_days (day, repository, category, findings)
        SELECT day, k.repository, category, sum(findings)
        FROM (SELECT run_day(r.started_at) AS day, r.repository, COALESCE(f.finding ->> 'category', 'other') AS category, -1 AS findings
            FROM old_rows c JOIN agent_runs r ON r.run_id = c.run_id
            CROSS JOIN LATERAL jsonb_array_elements(c.findings) AS f(finding)) AS d
        CROSS JOIN LATERAL (VALUES (d.repository), ('')) AS k(repository)
        GROUP BY day, k.repository, category HAVING sum(findings) <> 0
        ORDER BY day, k.repository, category
        ON CONFLICT (day, repository, category) DO UPDATE SET
            findings = finding_days.findings + EXCLUDED.findings;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER finding_days_insert AFTER INSERT ON code_reviews
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION finding_days_apply();
CREATE TRIGGER finding_days_update AFTER UPDATE ON code_reviews
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION finding_days_apply();
CREATE TRIGGER finding_days_delete AFTER DELETE ON code_reviews
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION finding_days_apply();
