-- The repository pages' median time to merge reads a repository's latest merges, newest first:
-- from an index that holds what it reads (when each was opened and merged), so no table row is
-- visited. Only merged pull requests are indexed; `merged` is a column as well so SQLite sees
-- the index covers the query's filter too.
CREATE INDEX pull_requests_repository_merges
    ON pull_requests (repository, merged_at, created_at, merged)
    WHERE merged AND merged_at IS NOT NULL;
DROP INDEX pull_requests_repository_merged_at;
