//! am-persist: records a run's artifacts in the memory store (see `phases::persist`).

fn main() -> std::process::ExitCode {
    automaintainer::contract::main::<automaintainer::phases::persist::Persist>()
}
