-- The model's conversation of a run (transcript.jsonl: prompts, tool calls and results),
-- redacted, capped and deflate-compressed, kept with the run so its page shows it after the
-- run directory is gone.
CREATE TABLE run_transcripts (
    run_id      TEXT PRIMARY KEY REFERENCES agent_runs (run_id) ON DELETE CASCADE,
    -- The JSON lines, deflated; at most the cap before compression, cut at a line end.
    transcript  BLOB NOT NULL,
    -- The whole transcript's size in bytes, before the cap.
    bytes       INTEGER NOT NULL CHECK (bytes >= 0),
    truncated   INTEGER NOT NULL CHECK (truncated IN (0, 1))
);
