//! One fresh, migrated database per test (feature `test-support`).

#![allow(clippy::expect_used)]

use crate::Database;
use sea_orm::{ConnectionTrait, Database as SeaDatabase};
use tempfile::TempDir;
use uuid::Uuid;

/// The environment variable naming a PostgreSQL server to test against (its maintenance database URL).
pub const POSTGRES_URL_VARIABLE: &str = "VIGIL_TEST_DATABASE_URL";

/// A database that exists for one test. SQLite files live in a temporary folder removed on drop;
/// PostgreSQL databases are created with a unique name on the configured server.
pub struct TestDatabase {
    pub db: Database,
    pub url: String,
    _folder: Option<TempDir>,
}

impl TestDatabase {
    /// A fresh database with every migration applied.
    pub async fn migrated() -> Self {
        let test_db = Self::empty().await;
        test_db.db.migrate_up(None).await.expect("migrations apply");
        test_db
    }

    /// A fresh database with no tables.
    pub async fn empty() -> Self {
        match std::env::var(POSTGRES_URL_VARIABLE) {
            Ok(server_url) if !server_url.is_empty() => Self::postgres(&server_url).await,
            _ => Self::sqlite().await,
        }
    }

    async fn sqlite() -> Self {
        let folder = tempfile::tempdir().expect("temporary folder");
        let url = format!(
            "sqlite://{}?mode=rwc",
            folder.path().join("vigil-test.db").display()
        );
        let db = Database::connect(&url, 5).await.expect("open SQLite");
        Self {
            db,
            url,
            _folder: Some(folder),
        }
    }

    async fn postgres(server_url: &str) -> Self {
        let name = format!("vigil_test_{}", Uuid::new_v4().simple());
        let admin = SeaDatabase::connect(server_url)
            .await
            .expect("connect to the PostgreSQL test server");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create the test database");
        admin.close().await.ok();
        let url = replace_database_name(server_url, &name);
        let db = Database::connect(&url, 5).await.expect("open PostgreSQL");
        Self {
            db,
            url,
            _folder: None,
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.url.starts_with("postgres")
    }
}

/// `postgres://user@host:port/postgres?x=y` with its database name replaced.
fn replace_database_name(server_url: &str, name: &str) -> String {
    let (base, query) = match server_url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (server_url, None),
    };
    let without_name = match base.rfind('/') {
        Some(slash) if slash > "postgres://".len() => &base[..slash],
        _ => base,
    };
    match query {
        Some(query) => format!("{without_name}/{name}?{query}"),
        None => format!("{without_name}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::replace_database_name;

    #[test]
    fn swaps_only_the_database_name() {
        assert_eq!(
            replace_database_name("postgres://pg@127.0.0.1:5433/postgres", "t1"),
            "postgres://pg@127.0.0.1:5433/t1"
        );
        assert_eq!(
            replace_database_name("postgres://pg@h:1/postgres?sslmode=disable", "t2"),
            "postgres://pg@h:1/t2?sslmode=disable"
        );
    }
}
