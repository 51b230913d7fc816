//! The `vigil` command. Start-up wiring only: each subcommand lives in `vigil_cli::commands`.

use clap::Parser;
use vigil_cli::Cli;

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
