-- Each run's phases with their timings: a row opens when a phase starts (set_phase) and closes
-- when the next phase starts, the run closes (succeeded) or the run fails (failed).
CREATE TABLE run_phases (
    run_id      TEXT NOT NULL REFERENCES agent_runs (run_id) ON DELETE CASCADE,
    phase       TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    status      TEXT NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'succeeded', 'failed')),
    PRIMARY KEY (run_id, phase)
);
-- At most one open phase per run, found without reading the closed ones.
CREATE INDEX run_phases_open ON run_phases (run_id) WHERE finished_at IS NULL;
