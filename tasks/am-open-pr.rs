fn main() -> std::process::ExitCode {
    automaintainer::contract::main::<automaintainer::phases::open_pr::OpenPr>()
}
