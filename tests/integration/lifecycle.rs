//! A pull request through its life, with real git remotes and both store backends: the branch
//! held with a lease (a maintainer's commits survive, an idle run pushes nothing, a moved base
//! rebases the same PR), the lifecycle sync at setup (merged, closed, superseded), a normal
//! checkout as the local forge, a dangling remote HEAD, one identity per repository.

mod backoff;
mod lease;
mod setup;
