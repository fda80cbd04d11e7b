//! am-implement: carry out the task on a work branch, verified by the checks.

use std::process::ExitCode;

fn main() -> ExitCode {
    automaintainer::contract::main::<automaintainer::phases::implement::Implement>()
}
