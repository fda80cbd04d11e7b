//! am-reflect: learns from the run and from earlier pull requests' outcomes.

use std::process::ExitCode;

fn main() -> ExitCode {
    automaintainer::contract::main::<automaintainer::phases::reflect::Reflect>()
}
