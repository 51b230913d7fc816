//! The one error type repositories return.

use sea_orm::{DbErr, RuntimeErr, SqlErr};

#[derive(Debug, thiserror::Error)]
pub enum PersistenceError {
    /// A row that the caller named does not exist (or is not visible to it).
    #[error("{entity} not found")]
    NotFound { entity: &'static str },
    /// The write would break a uniqueness rule or was made against a stale version.
    #[error("{0}")]
    Conflict(String),
    /// The transaction lost a race with another (a deadlock or serialisation failure on PostgreSQL, the
    /// database still busy after the busy timeout on SQLite) and was rolled back: nothing was written, and
    /// the request may be sent again. The database's own error is kept for the log.
    #[error("lost a race with another transaction: {0}")]
    LostRace(#[source] DbErr),
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
            _ if sqlstate(&error).as_deref().is_some_and(lost_a_race) => {
                PersistenceError::LostRace(error)
            }
            _ => match error {
                DbErr::RecordNotFound(_) => PersistenceError::NotFound { entity: "record" },
                other => PersistenceError::Database(other),
            },
        }
    }
}

/// The code the database gave with an error, if it gave one (SQLSTATE on PostgreSQL, the extended result
/// code on SQLite).
fn sqlstate(error: &DbErr) -> Option<String> {
    let (DbErr::Exec(RuntimeErr::SqlxError(error)) | DbErr::Query(RuntimeErr::SqlxError(error))) =
        error
    else {
        return None;
    };
    let sea_orm::sqlx::Error::Database(error) = error.as_ref() else {
        return None;
    };
    error.code().map(|code| code.into_owned())
}

/// Whether a code says the statement lost a race with another transaction rather than failed: a deadlock
/// or a serialisation failure on PostgreSQL, a database still busy after the busy timeout on SQLite. Lock
/// order (the person's row first) should make a deadlock impossible; should one still happen, the request
/// is refused as a conflict (and logged as a warning, to show the lock-order fault), not a 500.
/// SQLITE_LOCKED is not here: it is a connection conflicting with itself, a fault.
fn lost_a_race(code: &str) -> bool {
    const POSTGRES: [&str; 2] = ["40P01", "40001"];
    // SQLITE_BUSY and its extended forms (BUSY_RECOVERY, BUSY_SNAPSHOT, BUSY_TIMEOUT).
    const SQLITE: [&str; 4] = ["5", "261", "517", "773"];
    POSTGRES.contains(&code) || SQLITE.contains(&code)
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
    use super::{lost_a_race, unique_violation_message};

    #[test]
    fn deadlocks_and_busy_databases_are_races_and_other_codes_are_not() {
        for code in ["40P01", "40001", "5", "517"] {
            assert!(lost_a_race(code), "{code}");
        }
        for code in ["23505", "42P01", "1", "2067", "6", "262"] {
            assert!(!lost_a_race(code), "{code}");
        }
    }

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
