//! `automaintainer doctor`: what this machine can do. Each tool the project can use (found on
//! `PATH`, its version asked in parallel), the store, the model settings and, when asked, a model
//! call and the GitHub token's scopes; what each is for and what is lost without it; and whether
//! the embedded defaults (`automaintainer run` on the bundled example) can run.

mod checks;
mod github_check;
mod model_check;
mod model_tools_check;
mod report;
mod store_check;
mod tools;

pub use checks::{diagnose, DoctorOptions};
pub use report::{Check, Level, Report, Section};
pub use tools::{Tool, TOOLS};
