//! The forge port: pull requests on GitHub or on a local bare remote.

pub mod branch_update;
mod error;
pub mod github;
mod kind;
pub mod local;
pub mod pr_text;
pub mod request;
pub mod sync;

pub use error::ForgeError;
pub use kind::ForgeKind;
pub use pr_text::{compose, PrText};
pub use request::{Plan, PrOutcome, PrRequest};
