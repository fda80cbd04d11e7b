-- What a run changed, kept with the run so its page and `automaintainer show` work after the run
-- directory is gone: the unified diff (redacted, capped, deflate-compressed) and its commits.
CREATE TABLE run_changes (
    run_id      TEXT PRIMARY KEY REFERENCES agent_runs (run_id) ON DELETE CASCADE,
    base_commit TEXT NOT NULL,
    head_commit TEXT NOT NULL,
    -- The diff's text, deflated; at most the cap before compression.
    diff        BLOB NOT NULL,
    -- The whole diff's size in bytes, before the cap.
    diff_bytes  INTEGER NOT NULL CHECK (diff_bytes >= 0),
    truncated   INTEGER NOT NULL CHECK (truncated IN (0, 1)),
    commits     TEXT NOT NULL CHECK (json_valid(commits))
);

-- Every run that created or updated a pull request (pull_requests.run_id keeps only the last).
CREATE TABLE pull_request_runs (
    pull_request_id INTEGER NOT NULL REFERENCES pull_requests (id) ON DELETE CASCADE,
    run_id          TEXT NOT NULL,
    recorded_at     TEXT NOT NULL,
    PRIMARY KEY (pull_request_id, run_id)
);
CREATE INDEX pull_request_runs_run ON pull_request_runs (run_id);

-- The runs already recorded: the last one of each pull request is all that was kept.
INSERT INTO pull_request_runs (pull_request_id, run_id, recorded_at)
SELECT id, run_id, updated_at FROM pull_requests;
