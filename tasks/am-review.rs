fn main() -> std::process::ExitCode {
    automaintainer::contract::main::<automaintainer::phases::review::ReviewPhase>()
}
