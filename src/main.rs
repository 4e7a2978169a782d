//! Thin entry point: all behaviour lives in the library so tests can call it.

// Allocation-heavy paths (big configs, `path --stdin` over millions of
// users) run markedly faster on mimalloc than on glibc malloc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // Small pages until a command that wants huge ones says so (memory.rs).
    obox_cli::memory::huge_pages(false);
    obox_cli::install_panic_hook();
    obox_cli::run(std::env::args_os()).into()
}
