//! `am-cleanup`: see [`automaintainer::phases::cleanup`].

fn main() -> std::process::ExitCode {
    automaintainer::contract::main::<automaintainer::phases::cleanup::Cleanup>()
}
