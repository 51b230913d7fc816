//! The `vigil` command. Start-up wiring only: each subcommand lives in `vigil_cli::commands`.

use clap::Parser;
use vigil_cli::Cli;

// Serving a request makes many small allocations (rows, JSON), and glibc's allocator spent a quarter of
// the server's CPU on them under load (bench/RESULTS.md); mimalloc does the same work faster.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match vigil_cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("vigil: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
