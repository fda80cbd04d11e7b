//! Following up on the project's own pull requests: the open, actionable review findings and
//! the failing checks of a PR's head (read from GitHub, or on the local forge by running the
//! repository's checks on the branch), the bounded rounds that answer them on the same branch,
//! CodeRabbit's suggestions applied without a model, and the one summary comment per round.

pub mod apply;
pub mod brief;
pub mod checks;
pub mod comment;
pub mod detect;
pub mod findings;
pub mod local;
pub mod publish;
pub mod signature;
pub mod task;
