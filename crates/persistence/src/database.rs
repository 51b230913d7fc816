//! Opening the database (SQLite or PostgreSQL), applying migrations and reporting readiness.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sea_orm::{
    ConnectOptions, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use vigil_migrations::Migrator;

/// Which engine a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    /// Reads the engine from a database URL; anything else is refused with a message naming the schemes.
    pub fn from_url(url: &str) -> Result<Self, DbErr> {
        if url.starts_with("sqlite:") {
            Ok(Engine::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Engine::Postgres)
        } else {
            Err(DbErr::Custom(
                "database.url must start with sqlite:, postgres:// or postgresql://".to_owned(),
            ))
        }
    }
}

/// One migration's name and whether it has been applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationState {
    pub name: String,
    pub applied: bool,
}

/// A connection pool and the operations every process runs at start.
#[derive(Debug, Clone)]
pub struct Database {
    connection: DatabaseConnection,
}

impl Database {
    /// Connects to `url`. A SQLite file's folder is created, the file opened in WAL mode with foreign keys
    /// enforced and a busy timeout so that concurrent writers wait instead of failing.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, DbErr> {
        let engine = Engine::from_url(url)?;
        if engine == Engine::Sqlite {
            create_sqlite_parent_folder(url)?;
        }
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .max_connections(max_connections)
            .min_connections(1)
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(10))
            .sqlx_logging(false)
            // A ping before every checkout is a round trip per query; only check connections that sat idle.
            .test_before_acquire_if_idle_for(Duration::from_secs(30))
            .map_sqlx_sqlite_opts(|options: SqliteConnectOptions| {
                options
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
            });
        let connection = sea_orm::Database::connect(options).await?;
        Ok(Self { connection })
    }

    /// Begins a transaction (see [`begin_write`]).
    pub async fn begin(&self) -> Result<DatabaseTransaction, DbErr> {
        begin_write(&self.connection).await
    }

    pub fn connection(&self) -> &DatabaseConnection {
        &self.connection
    }

    pub fn engine(&self) -> Engine {
        match self.connection.get_database_backend() {
            DbBackend::Postgres => Engine::Postgres,
            _ => Engine::Sqlite,
        }
    }

    /// Applies pending migrations (all of them with `None`).
    pub async fn migrate_up(&self, steps: Option<u32>) -> Result<(), DbErr> {
        Migrator::up(&self.connection, steps).await
    }

    /// Rolls back the last `steps` migrations (all of them with `None`).
    pub async fn migrate_down(&self, steps: Option<u32>) -> Result<(), DbErr> {
        Migrator::down(&self.connection, steps).await
    }

    /// Every known migration and whether it is applied, oldest first.
    pub async fn migration_status(&self) -> Result<Vec<MigrationState>, DbErr> {
        let applied: Vec<String> = Migrator::get_applied_migrations(&self.connection)
            .await?
            .iter()
            .map(|migration| migration.name().to_owned())
            .collect();
        Ok(Migrator::migrations()
            .iter()
            .map(|migration| MigrationState {
                name: migration.name().to_owned(),
                applied: applied.iter().any(|name| name == migration.name()),
            })
            .collect())
    }

    /// Ready means: the database answers, and every migration this build knows is applied.
    pub async fn readiness(&self) -> Result<(), String> {
        self.connection
            .execute_unprepared("SELECT 1")
            .await
            .map_err(|_| "database unreachable".to_owned())?;
        let pending = Migrator::get_pending_migrations(&self.connection)
            .await
            .map_err(|_| "migration state unreadable".to_owned())?;
        if pending.is_empty() {
            Ok(())
        } else {
            Err(format!("{} migration(s) pending", pending.len()))
        }
    }

    pub async fn close(self) -> Result<(), DbErr> {
        self.connection.close().await
    }
}

/// Begins a transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`): a deferred
/// transaction that reads and then writes cannot wait for another writer and fails with "database is
/// locked", whereas an immediate one waits (up to the busy timeout) for the lock. SQLite has one writer at
/// a time anyway; PostgreSQL is unaffected.
pub async fn begin_write(connection: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    match connection.get_database_backend() {
        DbBackend::Sqlite => {
            connection
                .begin_with_options(TransactionOptions {
                    sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                    ..Default::default()
                })
                .await
        }
        _ => connection.begin().await,
    }
}

fn create_sqlite_parent_folder(url: &str) -> Result<(), DbErr> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|error| DbErr::Custom(format!("database.url is not a SQLite URL: {error}")))?;
    if let Some(parent) = Path::new(options.get_filename()).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|error| {
            DbErr::Custom(format!(
                "cannot create the database folder {}: {error}",
                parent.display()
            ))
        })?;
    }
    Ok(())
}
