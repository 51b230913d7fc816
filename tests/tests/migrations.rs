//! Migrations go up, all the way down, and up again, on whichever engine the suite runs against.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set, Statement};
use vigil_domain::PeopleSearch;
use vigil_e2e::{TestDatabase, monday_morning};
use vigil_persistence::entities::person;
use vigil_persistence::repositories::{PageRequest, people};

/// How many tables (`kind` "table") or indexes ("index") are named `name`.
async fn schema_objects(test_db: &TestDatabase, kind: &str, name: &str) -> i64 {
    let connection = test_db.db.connection();
    let backend = connection.get_database_backend();
    let sql = match (test_db.is_postgres(), kind) {
        (true, "table") => {
            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name = $1"
        }
        (true, _) => "SELECT COUNT(*) AS n FROM pg_indexes WHERE indexname = $1",
        (false, _) => "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = $2 AND name = $1",
    };
    let values: Vec<sea_orm::Value> = if test_db.is_postgres() {
        vec![name.into()]
    } else {
        vec![name.into(), kind.into()]
    };
    let row = connection
        .query_one_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

async fn table_exists(test_db: &TestDatabase, table: &str) -> bool {
    schema_objects(test_db, "table", table).await == 1
}

/// How many indexes named `name` exist.
async fn index_count(test_db: &TestDatabase, name: &str) -> i64 {
    schema_objects(test_db, "index", name).await
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

    // The four newest migrations add indexes, name keys and the caseload facts; the one before them
    // creates the audit log.
    assert!(table_exists(&test_db, "caseload_facts").await);
    test_db.db.migrate_down(Some(5)).await.unwrap();
    assert!(
        !table_exists(&test_db, "audit_events").await
            && !table_exists(&test_db, "caseload_facts").await,
        "the last five migrations were rolled back"
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

/// The given and family names found by a search for `q`.
async fn found(test_db: &TestDatabase, q: &str) -> Vec<(String, String)> {
    let filter = people::PeopleFilter {
        q: PeopleSearch::parse(q).unwrap(),
        ..Default::default()
    };
    people::search(test_db.db.connection(), &filter, PageRequest::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|p| (p.given_name, p.family_name))
        .collect()
}

#[tokio::test]
async fn the_name_keys_of_people_already_on_record_are_filled_in() {
    let test_db = TestDatabase::empty().await;
    let db = test_db.db.connection();
    let all = test_db.db.migration_status().await.unwrap();
    // Up to the migration that adds the name keys, and (later) back down to just before it.
    let before_keys = all
        .iter()
        .position(|m| m.name == "m20261122_000008_people_name_keys")
        .unwrap();
    let from_keys = u32::try_from(all.len() - before_keys).unwrap();
    test_db
        .db
        .migrate_up(Some(u32::try_from(before_keys).unwrap()))
        .await
        .unwrap();
    let now = monday_morning();
    for (given, family) in [("Siân", "O’Brien"), ("J. R.", "Hartley"), ("Ann", "Hart")] {
        person::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            given_name: Set(given.to_owned()),
            family_name: Set(family.to_owned()),
            date_of_birth: Set(NaiveDate::from_ymd_opt(1990, 1, 1).unwrap()),
            language: Set("en".to_owned()),
            sms_consent: Set(false),
            email_consent: Set(false),
            wanted: Set(false),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
    }

    // The trigram indexes of the substring search exist only on PostgreSQL (with pg_trgm).
    let trigram = i64::from(test_db.is_postgres());
    assert_eq!(
        index_count(&test_db, "ix_people_family_name_trgm").await,
        trigram
    );
    test_db.db.migrate_up(None).await.unwrap();
    assert_eq!(index_count(&test_db, "ix_people_family_name_trgm").await, 0);
    assert_eq!(index_count(&test_db, "ix_people_name_keys").await, 1);
    if test_db.is_postgres() {
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT collation_name FROM information_schema.columns \
                 WHERE table_name = 'people' AND column_name = 'family_key'",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            row.try_get::<String>("", "collation_name").unwrap(),
            "C",
            "keys compare byte by byte, as prefix ranges need"
        );
    }
    let pair = |given: &str, family: &str| (given.to_owned(), family.to_owned());
    assert_eq!(found(&test_db, "obri").await, [pair("Siân", "O’Brien")]);
    assert_eq!(
        found(&test_db, "hart").await,
        [pair("Ann", "Hart"), pair("J. R.", "Hartley")]
    );
    assert_eq!(
        found(&test_db, "j r hart").await,
        [pair("J. R.", "Hartley")]
    );

    test_db.db.migrate_down(Some(from_keys)).await.unwrap();
    assert_eq!(people::count(db).await.unwrap(), 3, "people stay");
    assert_eq!(
        index_count(&test_db, "ix_people_family_name_trgm").await,
        trigram
    );
    assert_eq!(index_count(&test_db, "ix_people_name_keys").await, 0);
    test_db.db.migrate_up(None).await.unwrap();
    assert_eq!(found(&test_db, "siân o’b").await, [pair("Siân", "O’Brien")]);
}
