-- What the model calls cost, per repository and UTC day, across every run that shares this
-- store: the fleet's daily budget is checked against the day's total before each call, and each
-- call adds to its row in one statement (INSERT ... ON CONFLICT DO UPDATE SET x = x + excluded.x),
-- so two processes adding at once never lose an increment.
CREATE TABLE llm_spend (
    repository TEXT NOT NULL,
    -- The UTC day, `YYYY-MM-DD` (sorts as text on both backends).
    day TEXT NOT NULL,
    calls INTEGER NOT NULL DEFAULT 0,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    cost_usd REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (repository, day)
);
CREATE INDEX llm_spend_day ON llm_spend (day);
