//! Follow-up rounds on the project's own pull requests, against the GitHub stub (reviews,
//! review comments, issue comments, check runs, statuses, permissions, comments posted) with
//! the branch on a real bare remote, on both store backends: the feedback found at setup, the
//! round carried out offline on top of a maintainer's commit, one comment, the round recorded,
//! the round limit, and what is no feedback (a reader's review, a command to the bot).

mod github;
mod local;
mod rounds;
