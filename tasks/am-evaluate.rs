//! am-evaluate: scores the committed change and writes evaluation.json.

use std::process::ExitCode;

fn main() -> ExitCode {
    automaintainer::contract::main::<automaintainer::phases::evaluate::Evaluate>()
}
