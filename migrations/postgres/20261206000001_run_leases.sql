-- Each running run holds a lease: registering it sets `heartbeat_at`, and the phase running it
-- refreshes it in the background. A running run whose heartbeat is older than the lease is
-- abandoned: the next run of its repository, or a dashboard read, marks it.
ALTER TABLE agent_runs ADD COLUMN heartbeat_at TIMESTAMPTZ;
CREATE INDEX agent_runs_running ON agent_runs (repository) WHERE status = 'running';
