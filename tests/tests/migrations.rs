//! Migrations go up, all the way down, and up again, on whichever engine the suite runs against.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use sea_orm::{ConnectionTrait, Statement};
use vigil_e2e::TestDatabase;

async fn table_exists(test_db: &TestDatabase, table: &str) -> bool {
    let connection = test_db.db.connection();
    let backend = connection.get_database_backend();
    let sql = if test_db.is_postgres() {
        "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name = $1"
    } else {
        "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = $1"
    };
    let row = connection
        .query_one_raw(Statement::from_sql_and_values(backend, sql, [table.into()]))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap() == 1
}

#[tokio::test]
async fn migrations_go_up_down_and_up_again() {
    let test_db = TestDatabase::empty().await;
    let status = test_db.db.migration_status().await.unwrap();
    assert!(status.len() >= 5);
    assert!(status.iter().all(|migration| !migration.applied));
    assert!(
        test_db.db.readiness().await.is_err(),
        "not ready before migrating"
    );

    test_db.db.migrate_up(None).await.unwrap();
    assert!(
        test_db
            .db
            .migration_status()
            .await
            .unwrap()
            .iter()
            .all(|m| m.applied)
    );
    assert!(test_db.db.readiness().await.is_ok());
    for table in [
        "people",
        "memberships",
        "appointments",
        "contacts",
        "jobs",
        "audit_events",
    ] {
        assert!(
            table_exists(&test_db, table).await,
            "{table} exists after up"
        );
    }

    // The two newest migrations only add indexes; the one before them creates the audit log.
    test_db.db.migrate_down(Some(3)).await.unwrap();
    assert!(
        !table_exists(&test_db, "audit_events").await,
        "the last three migrations were rolled back"
    );
    assert!(
        table_exists(&test_db, "people").await,
        "earlier migrations stay"
    );
    assert!(
        test_db.db.readiness().await.is_err(),
        "not ready with a migration pending"
    );

    test_db.db.migrate_down(None).await.unwrap();
    for table in ["people", "staff", "agencies", "appointments"] {
        assert!(
            !table_exists(&test_db, table).await,
            "{table} dropped by down"
        );
    }

    test_db.db.migrate_up(None).await.unwrap();
    assert!(table_exists(&test_db, "audit_events").await);
    assert!(test_db.db.readiness().await.is_ok());
}
