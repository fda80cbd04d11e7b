//! Orchestration: the Kestra flows as typed structs, their check against the binaries' schemas,
//! the expressions they use, running a flow outside Kestra (in one process, or command by
//! command), the Kestra lines (1.3 and 2.x) and their flow sets, and the Kestra API client.

pub mod deploy;
pub mod example_repo;
pub mod expressions;
pub mod flow;
pub mod flow_check;
pub mod in_process;
pub mod kestra_client;
pub mod kestra_line;
pub mod local_run;
pub mod many_runs;
pub mod pipeline;
pub mod shell;
mod subflow_check;
