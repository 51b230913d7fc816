//! The `vigil` command line: argument parsing, configuration, logging and the subcommands.

pub mod commands;
pub mod demo;
pub mod environment;
pub mod settings;
pub mod startup;
pub mod telemetry;
pub mod transports;
pub mod workers;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

pub use settings::Settings;

/// Vigil: Integrated Offender Management case tracking.
///
/// Every command reads the same configuration: config/default.toml, then config/<VIGIL_ENV>.toml, then
/// VIGIL_<SECTION>__<KEY> environment variables (e.g. VIGIL_DATABASE__URL).
#[derive(Debug, Parser)]
#[command(name = "vigil", version, about, long_about)]
pub struct Cli {
    /// Folder holding default.toml and <VIGIL_ENV>.toml.
    #[arg(
        long,
        global = true,
        env = "VIGIL_CONFIG_DIR",
        default_value = "config"
    )]
    pub config_dir: PathBuf,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP API and (unless scheduler.enabled is false) the scheduler in one process. Applies
    /// pending migrations first.
    Serve {
        /// Seed a demo partnership into an empty database before serving.
        #[arg(long)]
        demo: bool,
    },
    /// Run the scheduler alone: reminders, planned visits, digests. Run any number against one PostgreSQL.
    Worker,
    /// Database migrations.
    Migrate {
        #[command(subcommand)]
        action: Option<MigrateAction>,
    },
    /// Load data.
    Seed {
        /// Load a believable demo partnership (refused if the database already has people). Prints the demo
        /// logins once.
        #[arg(long, required = true)]
        demo: bool,
    },
    /// Manage staff users.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
}

#[derive(Debug, Clone, Copy, Subcommand)]
pub enum MigrateAction {
    /// Apply pending migrations (the default).
    Up {
        /// Apply only this many.
        #[arg(long)]
        steps: Option<u32>,
    },
    /// Roll back migrations.
    Down {
        /// Roll back this many (default 1).
        #[arg(long, default_value_t = 1)]
        steps: u32,
        /// Roll back every migration (drops all of Vigil's tables).
        #[arg(long, conflicts_with = "steps")]
        all: bool,
    },
    /// List migrations and whether each is applied.
    Status,
}

#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Create a staff user. The password is read from standard input (at least 12 characters).
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin | coordinator | offender_manager | police | partner
        #[arg(long)]
        role: String,
        /// The agency's name (it must exist).
        #[arg(long)]
        agency: Option<String>,
        /// Read the password from standard input (the only way: never on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

/// Runs one command to completion.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(&cli.config_dir)?;
    telemetry::init(&settings.log)?;
    match cli.command {
        Command::Serve { demo } => commands::serve::run(settings, demo).await,
        Command::Worker => commands::worker::run(settings).await,
        Command::Migrate { action } => {
            commands::migrate::run(
                settings,
                action.unwrap_or(MigrateAction::Up { steps: None }),
            )
            .await
        }
        Command::Seed { demo: _ } => commands::seed::run(settings).await,
        Command::User { action } => commands::user::run(settings, action).await,
    }
}
