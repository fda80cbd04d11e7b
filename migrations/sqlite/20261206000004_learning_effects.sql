-- Learnings that say what they change (an action and its target) and cite their evidence, and
-- that age: when a run last used them, and when (and why) they were retired. Retired learnings
-- stay for the record but are never retrieved.
ALTER TABLE learnings ADD COLUMN effect_action TEXT CHECK (effect_action IN
    ('avoid_rule', 'avoid_tool', 'avoid_path', 'avoid_kind', 'prefer_kind', 'instruct'));
ALTER TABLE learnings ADD COLUMN effect_target TEXT;
-- A JSON array of evidence: run, PR, finding (rule, category, file), outcome.
ALTER TABLE learnings ADD COLUMN evidence TEXT NOT NULL DEFAULT '[]';
ALTER TABLE learnings ADD COLUMN last_used_at TEXT;
ALTER TABLE learnings ADD COLUMN retired_at TEXT;
ALTER TABLE learnings ADD COLUMN retired_reason TEXT;
CREATE INDEX learnings_active ON learnings (repository) WHERE retired_at IS NULL;

-- The template learnings drawn from a low component score alone cited nothing and changed
-- nothing; they are retired, not deleted.
UPDATE learnings
SET retired_at = strftime('%Y-%m-%dT%H:%M:%S.000000Z', 'now'),
    retired_reason = 'a template learning from a score alone, without evidence'
WHERE source = 'evaluation' AND retired_at IS NULL;
