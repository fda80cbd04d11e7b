//! am-select: choose the one task of the run.

use std::process::ExitCode;

fn main() -> ExitCode {
    automaintainer::contract::main::<automaintainer::phases::select::Select>()
}
