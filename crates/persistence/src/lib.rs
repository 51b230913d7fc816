//! Vigil's persistence: sea-orm entities, repositories, transactions and the audit log.
//!
//! The same code runs on SQLite (the embedded default) and PostgreSQL (production). Repositories take any
//! `ConnectionTrait`, so a caller composes several writes (the change, its audit event, its jobs) inside one
//! transaction it owns.

pub mod caseload;
pub mod database;
pub mod entities;
pub mod error;
pub mod person_summary;
pub mod repositories;
#[cfg(feature = "test-support")]
pub mod testing;

pub use database::{Database, Engine, MigrationState, begin_write};
pub use error::PersistenceError;
pub use person_summary::PersonSummary;
pub use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, TransactionTrait};
