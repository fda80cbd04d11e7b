-- The repository pages' median time to merge reads a repository's latest merges, newest first:
-- from an index that holds what it reads (when each was opened and merged), so an index-only
-- scan serves it. Only merged pull requests are indexed.
CREATE INDEX pull_requests_repository_merges
    ON pull_requests (repository, merged_at, created_at)
    WHERE merged AND merged_at IS NOT NULL;
DROP INDEX pull_requests_repository_merged_at;
