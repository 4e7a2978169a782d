//! Thin entry point: all behaviour lives in the library so tests can call it.
fn main() -> std::process::ExitCode {
    obox_cli::run(std::env::args_os()).into()
}
