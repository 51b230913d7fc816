//! The one error type repositories return.

use sea_orm::{DbErr, SqlErr};

#[derive(Debug, thiserror::Error)]
pub enum PersistenceError {
    /// A row that the caller named does not exist (or is not visible to it).
    #[error("{entity} not found")]
    NotFound { entity: &'static str },
    /// The write would break a uniqueness rule or was made against a stale version.
    #[error("{0}")]
    Conflict(String),
    /// Anything else the database said; logged by the caller, never shown to a user.
    #[error("database error: {0}")]
    Database(#[source] DbErr),
}

impl From<DbErr> for PersistenceError {
    fn from(error: DbErr) -> Self {
        match error.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(detail)) => {
                PersistenceError::Conflict(unique_violation_message(&detail))
            }
            _ => match error {
                DbErr::RecordNotFound(_) => PersistenceError::NotFound { entity: "record" },
                other => PersistenceError::Database(other),
            },
        }
    }
}

/// Reduces an engine-specific unique-violation message to the column or constraint it names, so that a
/// conflict can be explained without leaking the SQL.
fn unique_violation_message(detail: &str) -> String {
    // SQLite: "UNIQUE constraint failed: people.pnc_id"; PostgreSQL: "... constraint \"people_pnc_id_key\"".
    let subject = detail
        .rsplit_once("failed: ")
        .map(|(_, columns)| columns.to_owned())
        .or_else(|| detail.split('"').nth(1).map(str::to_owned))
        .unwrap_or_else(|| "a unique value".to_owned());
    format!("duplicate value for {subject}")
}

#[cfg(test)]
mod tests {
    use super::unique_violation_message;

    #[test]
    fn names_the_column_on_sqlite_and_the_constraint_on_postgres() {
        assert_eq!(
            unique_violation_message("UNIQUE constraint failed: people.pnc_id"),
            "duplicate value for people.pnc_id"
        );
        assert_eq!(
            unique_violation_message(
                "duplicate key value violates unique constraint \"people_pnc_id_key\""
            ),
            "duplicate value for people_pnc_id_key"
        );
    }
}
