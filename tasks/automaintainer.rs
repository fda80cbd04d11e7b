//! `automaintainer`: run, dashboard, migrate, schemas, kestra.

fn main() -> std::process::ExitCode {
    automaintainer::cli::main()
}
