-- The dashboard's aggregates (`/analytics`) without reading the runs: per UTC day a run started
-- on and per repository, the runs, finished and succeeded ones (run_days), each score
-- component's sum, count and methods ('evolution' for the score itself; score_days), and the
-- review findings per category (finding_days). Triggers keep them in the same transaction as
-- every write to agent_runs, evaluations and code_reviews, like run_counts: a run that moves to
-- another day or repository takes its scores and findings along; deleting a run first deletes
-- its evaluation and review (while the run still says where they were counted), then the run.
-- Each day also has a row for the whole fleet, under the repository '' (no identity is empty),
-- so the aggregates over every repository read one row a day, however many repositories there
-- are. A migration that rebuilds one of these tables must recreate the triggers and count
-- again, as this one does below. Rows whose counts fell to zero stay (the reads skip them).
CREATE TABLE run_days (
    day        TEXT NOT NULL,
    repository TEXT NOT NULL,
    runs       INTEGER NOT NULL,
    finished   INTEGER NOT NULL,
    succeeded  INTEGER NOT NULL,
    PRIMARY KEY (day, repository)
) WITHOUT ROWID;
CREATE INDEX run_days_repository ON run_days (repository, day);

CREATE TABLE score_days (
    day         TEXT NOT NULL,
    repository  TEXT NOT NULL,
    component   TEXT NOT NULL,
    score_sum   REAL NOT NULL,
    scores      INTEGER NOT NULL,
    measured    INTEGER NOT NULL,
    estimated   INTEGER NOT NULL,
    unavailable INTEGER NOT NULL,
    PRIMARY KEY (day, repository, component)
) WITHOUT ROWID;
CREATE INDEX score_days_repository ON score_days (repository, day);

CREATE TABLE finding_days (
    day        TEXT NOT NULL,
    repository TEXT NOT NULL,
    category   TEXT NOT NULL,
    findings   INTEGER NOT NULL,
    PRIMARY KEY (day, repository, category)
) WITHOUT ROWID;
CREATE INDEX finding_days_repository ON finding_days (repository, day);

-- An evaluation as one row per component; the evolution score has no method ('').
CREATE VIEW evaluation_components AS
SELECT run_id, 'evolution' AS component, evolution_score AS score, '' AS method FROM evaluations
UNION ALL
SELECT run_id, 'code_quality', code_quality_score, code_quality_method FROM evaluations
UNION ALL
SELECT run_id, 'test_coverage', test_coverage_score, test_coverage_method FROM evaluations
UNION ALL
SELECT run_id, 'maintainability', maintainability_score, maintainability_method FROM evaluations
UNION ALL
SELECT run_id, 'readability', readability_score, readability_method FROM evaluations;

-- The two rows every change is counted under: its repository's (fleet = 0) and the fleet's
-- (fleet = 1, repository '').
CREATE VIEW rollup_levels AS SELECT 0 AS fleet UNION ALL SELECT 1;

-- A review's findings, one row each, with the category the dashboard counts them under.
CREATE VIEW review_findings AS
SELECT c.run_id, COALESCE(json_extract(f.value, '$.category'), 'other') AS category
FROM code_reviews c, json_each(c.findings) AS f;

INSERT INTO run_days (day, repository, runs, finished, succeeded)
SELECT date(started_at), repository, count(*),
       count(*) FILTER (WHERE status NOT IN ('running', 'abandoned', 'skipped')),
       count(*) FILTER (WHERE status = 'succeeded')
FROM agent_runs GROUP BY 1, 2;

INSERT INTO score_days (day, repository, component, score_sum, scores, measured, estimated,
                        unavailable)
SELECT date(r.started_at), r.repository, c.component, total(c.score), count(c.score),
       count(*) FILTER (WHERE c.method = 'measured'),
       count(*) FILTER (WHERE c.method = 'estimated'),
       count(*) FILTER (WHERE c.method = 'unavailable')
FROM evaluation_components c JOIN agent_runs r ON r.run_id = c.run_id
GROUP BY 1, 2, 3;

INSERT INTO finding_days (day, repository, category, findings)
SELECT date(r.started_at), r.repository, f.category, count(*)
FROM review_findings f JOIN agent_runs r ON r.run_id = f.run_id
GROUP BY 1, 2, 3;

INSERT INTO run_days (day, repository, runs, finished, succeeded)
SELECT day, '', sum(runs), sum(finished), sum(succeeded) FROM run_days GROUP BY day;
INSERT INTO score_days (day, repository, component, score_sum, scores, measured, estimated,
                        unavailable)
SELECT day, '', component, total(score_sum), sum(scores), sum(measured), sum(estimated),
       sum(unavailable)
FROM score_days GROUP BY day, component;
INSERT INTO finding_days (day, repository, category, findings)
SELECT day, '', category, sum(findings) FROM finding_days GROUP BY day, category;

-- Runs: counted under the day they started on.
CREATE TRIGGER run_days_insert AFTER INSERT ON agent_runs BEGIN
    INSERT INTO run_days VALUES (date(new.started_at), new.repository, 1,
        new.status NOT IN ('running', 'abandoned', 'skipped'), new.status = 'succeeded'),
        (date(new.started_at), '', 1,
        new.status NOT IN ('running', 'abandoned', 'skipped'), new.status = 'succeeded')
    ON CONFLICT (day, repository) DO UPDATE SET runs = runs + excluded.runs,
        finished = finished + excluded.finished, succeeded = succeeded + excluded.succeeded;
END;

CREATE TRIGGER run_days_update AFTER UPDATE OF repository, started_at, status ON agent_runs
WHEN old.repository IS NOT new.repository OR date(old.started_at) IS NOT date(new.started_at)
     OR old.status IS NOT new.status
BEGIN
    INSERT INTO run_days VALUES (date(old.started_at), old.repository, -1,
        -(old.status NOT IN ('running', 'abandoned', 'skipped')), -(old.status = 'succeeded')),
        (date(old.started_at), '', -1,
        -(old.status NOT IN ('running', 'abandoned', 'skipped')), -(old.status = 'succeeded'))
    ON CONFLICT (day, repository) DO UPDATE SET runs = runs + excluded.runs,
        finished = finished + excluded.finished, succeeded = succeeded + excluded.succeeded;
    INSERT INTO run_days VALUES (date(new.started_at), new.repository, 1,
        new.status NOT IN ('running', 'abandoned', 'skipped'), new.status = 'succeeded'),
        (date(new.started_at), '', 1,
        new.status NOT IN ('running', 'abandoned', 'skipped'), new.status = 'succeeded')
    ON CONFLICT (day, repository) DO UPDATE SET runs = runs + excluded.runs,
        finished = finished + excluded.finished, succeeded = succeeded + excluded.succeeded;
    -- A run that moved takes its scores and findings along.
    INSERT INTO score_days
    SELECT date(old.started_at),
           CASE l.fleet WHEN 1 THEN '' ELSE old.repository END, c.component, -COALESCE(c.score, 0),
           -(c.score IS NOT NULL), -(c.method = 'measured'), -(c.method = 'estimated'),
           -(c.method = 'unavailable')
    FROM evaluation_components c, rollup_levels l
    WHERE c.run_id = old.run_id AND (old.repository IS NOT new.repository
          OR date(old.started_at) IS NOT date(new.started_at))
    ON CONFLICT (day, repository, component) DO UPDATE SET
        score_sum = score_sum + excluded.score_sum, scores = scores + excluded.scores,
        measured = measured + excluded.measured, estimated = estimated + excluded.estimated,
        unavailable = unavailable + excluded.unavailable;
    INSERT INTO score_days
    SELECT date(new.started_at),
           CASE l.fleet WHEN 1 THEN '' ELSE new.repository END, c.component, COALESCE(c.score, 0),
           c.score IS NOT NULL, c.method = 'measured', c.method = 'estimated',
           c.method = 'unavailable'
    FROM evaluation_components c, rollup_levels l
    WHERE c.run_id = new.run_id AND (old.repository IS NOT new.repository
          OR date(old.started_at) IS NOT date(new.started_at))
    ON CONFLICT (day, repository, component) DO UPDATE SET
        score_sum = score_sum + excluded.score_sum, scores = scores + excluded.scores,
        measured = measured + excluded.measured, estimated = estimated + excluded.estimated,
        unavailable = unavailable + excluded.unavailable;
    INSERT INTO finding_days
    SELECT date(old.started_at),
           CASE l.fleet WHEN 1 THEN '' ELSE old.repository END, f.category, -count(*)
    FROM review_findings f, rollup_levels l
    WHERE f.run_id = old.run_id AND (old.repository IS NOT new.repository
          OR date(old.started_at) IS NOT date(new.started_at))
    GROUP BY l.fleet, f.category
    ON CONFLICT (day, repository, category) DO UPDATE SET findings = findings + excluded.findings;
    INSERT INTO finding_days
    SELECT date(new.started_at),
           CASE l.fleet WHEN 1 THEN '' ELSE new.repository END, f.category, count(*)
    FROM review_findings f, rollup_levels l
    WHERE f.run_id = new.run_id AND (old.repository IS NOT new.repository
          OR date(old.started_at) IS NOT date(new.started_at))
    GROUP BY l.fleet, f.category
    ON CONFLICT (day, repository, category) DO UPDATE SET findings = findings + excluded.findings;
END;

-- A deleted run's evaluation and review go first, while the run says where they were counted
-- (the cascade would delete them after the run).
CREATE TRIGGER run_days_delete_details BEFORE DELETE ON agent_runs BEGIN
    DELETE FROM evaluations WHERE run_id = old.run_id;
    DELETE FROM code_reviews WHERE run_id = old.run_id;
END;

CREATE TRIGGER run_days_delete AFTER DELETE ON agent_runs BEGIN
    INSERT INTO run_days VALUES (date(old.started_at), old.repository, -1,
        -(old.status NOT IN ('running', 'abandoned', 'skipped')), -(old.status = 'succeeded')),
        (date(old.started_at), '', -1,
        -(old.status NOT IN ('running', 'abandoned', 'skipped')), -(old.status = 'succeeded'))
    ON CONFLICT (day, repository) DO UPDATE SET runs = runs + excluded.runs,
        finished = finished + excluded.finished, succeeded = succeeded + excluded.succeeded;
END;

-- Evaluations: the stored one is taken out before a change and the new one counted after, both
-- under their run's day and repository.
CREATE TRIGGER score_days_insert AFTER INSERT ON evaluations BEGIN
    INSERT INTO score_days
    SELECT date(r.started_at),
           CASE l.fleet WHEN 1 THEN '' ELSE r.repository END, c.component, COALESCE(c.score, 0),
           c.score IS NOT NULL, c.method = 'measured', c.method = 'estimated',
           c.method = 'unavailable'
    FROM agent_runs r JOIN evaluation_components c ON c.run_id = r.run_id, rollup_levels l
    WHERE r.run_id = new.run_id
    ON CONFLICT (day, repository, component) DO UPDATE SET
        score_sum = score_sum + excluded.score_sum, scores = scores + excluded.scores,
        measured = measured + excluded.measured, estimated = estimated + excluded.estimated,
        unavailable = unavailable + excluded.unavailable;
END;

CREATE TRIGGER score_days_update_before BEFORE UPDATE ON evaluations BEGIN
    INSERT INTO score_days
    SELECT date(r.started_at),
           CASE l.fleet WHEN 1 THEN '' ELSE r.repository END, c.component, -COALESCE(c.score, 0),
           -(c.score IS NOT NULL), -(c.method = 'measured'), -(c.method = 'estimated'),
           -(c.method = 'unavailable')
    FROM agent_runs r JOIN evaluation_components c ON c.run_id = r.run_id, rollup_levels l
    WHERE r.run_id = old.run_id
    ON CONFLICT (day, repository, component) DO UPDATE SET
        score_sum = score_sum + excluded.score_sum, scores = scores + excluded.scores,
        measured = measured + excluded.measured, estimated = estimated + excluded.estimated,
        unavailable = unavailable + excluded.unavailable;
END;

CREATE TRIGGER score_days_update_after AFTER UPDATE ON evaluations BEGIN
    INSERT INTO score_days
    SELECT date(r.started_at),
           CASE l.fleet WHEN 1 THEN '' ELSE r.repository END, c.component, COALESCE(c.score, 0),
           c.score IS NOT NULL, c.method = 'measured', c.method = 'estimated',
           c.method = 'unavailable'
    FROM agent_runs r JOIN evaluation_components c ON c.run_id = r.run_id, rollup_levels l
    WHERE r.run_id = new.run_id
    ON CONFLICT (day, repository, component) DO UPDATE SET
        score_sum = score_sum + excluded.score_sum, scores = scores + excluded.scores,
        measured = measured + excluded.measured, estimated = estimated + excluded.estimated,
        unavailable = unavailable + excluded.unavailable;
END;

CREATE TRIGGER score_days_delete BEFORE DELETE ON evaluations BEGIN
    INSERT INTO score_days
    SELECT date(r.started_at),
           CASE l.fleet WHEN 1 THEN '' ELSE r.repository END, c.component, -COALESCE(c.score, 0),
           -(c.score IS NOT NULL), -(c.method = 'measured'), -(c.method = 'estimated'),
           -(c.method = 'unavailable')
    FROM agent_runs r JOIN evaluation_components c ON c.run_id = r.run_id, rollup_levels l
    WHERE r.run_id = old.run_id
    ON CONFLICT (day, repository, component) DO UPDATE SET
        score_sum = score_sum + excluded.score_sum, scores = scores + excluded.scores,
        measured = measured + excluded.measured, estimated = estimated + excluded.estimated,
        unavailable = unavailable + excluded.unavailable;
END;

-- Reviews: likewise for their findings.
CREATE TRIGGER finding_days_insert AFTER INSERT ON code_reviews BEGIN
    INSERT INTO finding_days
    SELECT date(r.started_at),
           CASE l.fleet WHEN 1 THEN '' ELSE r.repository END, f.category, count(*)
    FROM agent_runs r JOIN review_findings f ON f.run_id = r.run_id, rollup_levels l
    WHERE r.run_id = new.run_id
    GROUP BY l.fleet, f.category
    ON CONFLICT (day, repository, category) DO UPDATE SET findings = findings + excluded.findings;
END;

CREATE TRIGGER finding_days_update_before BEFORE UPDATE OF run_id, findings ON code_reviews BEGIN
    INSERT INTO finding_days
    SELECT date(r.started_at),
           CASE l.fleet WHEN 1 THEN '' ELSE r.repository END, f.category, -count(*)
    FROM agent_runs r JOIN review_findings f ON f.run_id = r.run_id, rollup_levels l
    WHERE r.run_id = old.run_id
    GROUP BY l.fleet, f.category
    ON CONFLICT (day, repository, category) DO UPDATE SET findings = findings + excluded.findings;
END;

CREATE TRIGGER finding_days_update_after AFTER UPDATE OF run_id, findings ON code_reviews BEGIN
    INSERT INTO finding_days
    SELECT date(r.started_at),
           CASE l.fleet WHEN 1 THEN '' ELSE r.repository END, f.category, count(*)
    FROM agent_runs r JOIN review_findings f ON f.run_id = r.run_id, rollup_levels l
    WHERE r.run_id = new.run_id
    GROUP BY l.fleet, f.category
    ON CONFLICT (day, repository, category) DO UPDATE SET findings = findings + excluded.findings;
END;

CREATE TRIGGER finding_days_delete BEFORE DELETE ON code_reviews BEGIN
    INSERT INTO finding_days
    SELECT date(r.started_at),
           CASE l.fleet WHEN 1 THEN '' ELSE r.repository END, f.category, -count(*)
    FROM agent_runs r JOIN review_findings f ON f.run_id = r.run_id, rollup_levels l
    WHERE r.run_id = old.run_id
    GROUP BY l.fleet, f.category
    ON CONFLICT (day, repository, category) DO UPDATE SET findings = findings + excluded.findings;
END;
