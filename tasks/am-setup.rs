//! `am-setup`: see [`automaintainer::phases::setup`].

fn main() -> std::process::ExitCode {
    automaintainer::contract::main::<automaintainer::phases::setup::Setup>()
}
