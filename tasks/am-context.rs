//! `am-context`: see [`automaintainer::phases::context`].

fn main() -> std::process::ExitCode {
    automaintainer::contract::main::<automaintainer::phases::context::ContextPhase>()
}
