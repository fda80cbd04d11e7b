-- Reviews of earlier pull requests that requested changes, recorded when their request was
-- applied to the learnings: each review is applied once, however often am-reflect reads it.
CREATE TABLE pull_request_reviews (
    repository TEXT NOT NULL,
    branch     TEXT NOT NULL,
    review_id  INTEGER NOT NULL,
    reviewer   TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (repository, branch, review_id),
    FOREIGN KEY (repository, branch) REFERENCES pull_requests (repository, branch)
        ON DELETE CASCADE
);
