//! The task-binary contract shared by every `am-*` binary (DESIGN.md, "The task-binary contract").

mod durations;
mod input;
mod logging;
mod protocol;
mod runner;

pub use durations::{clamped_secs, MAX_WAIT_SECS};
pub use input::{parse_input, read_input, InputError, InputSource, Validate};
pub use logging::{init as init_logging, LogFormat};
pub use protocol::{Captured, Metric, MetricKind, Protocol};
pub use runner::{
    execute, main, report, schema_of, Task, TaskEnv, EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK,
};
