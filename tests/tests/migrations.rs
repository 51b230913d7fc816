//! Migrations go up, all the way down, and up again, on whichever engine the suite runs against.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set, Statement};
use vigil_domain::PeopleSearch;
use vigil_e2e::{TestDatabase, monday_morning};
use vigil_persistence::entities::{caseload_fact, person};
use vigil_persistence::repositories::{PageRequest, audit, contacts, people};

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

/// A person inserted as a row, with only the columns every migration has had (as a person already on
/// record when a later migration runs).
async fn person_on_record(
    db: &sea_orm::DatabaseConnection,
    given: &str,
    family: &str,
) -> uuid::Uuid {
    let now = monday_morning();
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
    .unwrap()
    .id
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

    // A contact is corrected at most once.
    assert_eq!(index_count(&test_db, "ux_contacts_supersedes_id").await, 1);

    // Back down to just before the migration that creates the audit log (later ones add indexes, name
    // keys and the caseload facts).
    assert!(table_exists(&test_db, "caseload_facts").await);
    let before_audit = status
        .iter()
        .position(|m| m.name == "m20261122_000005_notifications_jobs_audit")
        .unwrap();
    let from_audit = u32::try_from(status.len() - before_audit).unwrap();
    test_db.db.migrate_down(Some(from_audit)).await.unwrap();
    assert!(
        !table_exists(&test_db, "audit_events").await
            && !table_exists(&test_db, "caseload_facts").await,
        "the migrations from the audit log on were rolled back"
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
    for (given, family) in [("Siân", "O’Brien"), ("J. R.", "Hartley"), ("Ann", "Hart")] {
        person_on_record(db, given, family).await;
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

/// A fresh database with every migration before `name` applied, as a database on record when `name` ships.
async fn migrated_up_to_before(name: &str) -> TestDatabase {
    let test_db = TestDatabase::empty().await;
    let all = test_db.db.migration_status().await.unwrap();
    let before = all.iter().position(|m| m.name == name).unwrap();
    test_db
        .db
        .migrate_up(Some(u32::try_from(before).unwrap()))
        .await
        .unwrap();
    test_db
}

/// Rolls back every migration from `name` on (all applied), whatever later ones there are.
async fn migrate_down_through(test_db: &TestDatabase, name: &str) {
    let all = test_db.db.migration_status().await.unwrap();
    let from = all.iter().position(|m| m.name == name).unwrap();
    let steps = u32::try_from(all.len() - from).unwrap();
    test_db.db.migrate_down(Some(steps)).await.unwrap();
}

#[tokio::test]
async fn caseload_facts_stored_as_text_are_cleared_to_be_worked_out_again() {
    let test_db = migrated_up_to_before("m20261122_000010_caseload_facts_integer_times").await;
    let db = test_db.db.connection();
    let person_id = person_on_record(db, "Sam", "Archer").await;
    // Facts as the earlier code stored them, instants as RFC 3339 text.
    caseload_fact::ActiveModel {
        person_id: Set(person_id),
        standards_since: Set(Some("\"2026-11-02T09:00:00Z\"".to_owned())),
        contacts: Set(Some(
            r#"{"last_completed":"2026-11-20T10:00:00Z","recent":[{"at":"2026-11-20T10:00:00Z","type":"telephone"}]}"#
                .to_owned(),
        )),
        appointments: Set(Some("[]".to_owned())),
        enforcement: Set(Some("[]".to_owned())),
        home_visits: Set(Some("[]".to_owned())),
    }
    .insert(db)
    .await
    .unwrap();

    test_db.db.migrate_up(None).await.unwrap();
    let row = caseload_fact::Entity::find_by_id(person_id)
        .one(db)
        .await
        .unwrap()
        .expect("the row stays; only its parts are cleared");
    assert_eq!(
        (
            row.standards_since,
            row.contacts,
            row.appointments,
            row.enforcement,
            row.home_visits
        ),
        (None, None, None, None, None)
    );
}

async fn events_about(
    db: &sea_orm::DatabaseConnection,
    person: uuid::Uuid,
) -> vigil_persistence::repositories::Page<vigil_persistence::entities::audit_event::Model> {
    let filter = audit::AuditFilter {
        person_id: Some(person),
        ..Default::default()
    };
    audit::query(db, &filter, PageRequest::default())
        .await
        .unwrap()
}

#[tokio::test]
async fn audit_events_from_before_list_events_are_still_found_by_person() {
    let test_db = migrated_up_to_before("m20261122_000011_audit_event_people").await;
    let db = test_db.db.connection();
    // One consultation per person, as list reads were recorded before, written with the old columns.
    let person = uuid::Uuid::now_v7();
    let (p1, p2) = if test_db.is_postgres() {
        ("$1", "$2")
    } else {
        ("?", "?")
    };
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        format!(
            "INSERT INTO audit_events (id, occurred_at, action, person_id, entity, purpose) \
             VALUES ({p1}, {p2}, 'consult', {person_param}, 'people_search', 'cohort_management')",
            person_param = if test_db.is_postgres() { "$3" } else { "?" }
        ),
        [
            uuid::Uuid::now_v7().into(),
            monday_morning().into(),
            person.into(),
        ],
    ))
    .await
    .unwrap();

    test_db.db.migrate_up(None).await.unwrap();
    let found = events_about(db, person).await;
    assert_eq!(found.total, 1);
    assert_eq!(found.items[0].person_id, Some(person));
    assert_eq!(found.items[0].people, None);
    assert_eq!(events_about(db, uuid::Uuid::now_v7()).await.total, 0);
    let expected_indexes = i64::from(test_db.is_postgres());
    assert_eq!(
        index_count(&test_db, "ix_audit_events_people").await,
        expected_indexes
    );

    migrate_down_through(&test_db, "m20261122_000011_audit_event_people").await;
    assert_eq!(index_count(&test_db, "ix_audit_events_people").await, 0);
    let old_columns = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT id, person_id FROM audit_events",
        ))
        .await
        .unwrap();
    assert_eq!(old_columns.len(), 1, "down keeps the events");
}

/// Two corrections stored for one contact (the race before migration 000012) are chained, oldest first,
/// so that the unique index can be made and every record is kept.
#[tokio::test]
async fn corrections_stored_twice_are_chained_before_the_unique_index() {
    let test_db = migrated_up_to_before("m20261122_000012_contacts_one_correction").await;
    let db = test_db.db.connection();
    let person = person_on_record(db, "Ann", "Walker").await;
    let now = monday_morning();
    // Each written a minute after the one before (the order the chain follows).
    let contact = |supersedes_id, minutes| {
        let new = contacts::NewContact {
            person_id: person,
            contact_type: "telephone".to_owned(),
            occurred_at: now,
            status: "completed".to_owned(),
            supersedes_id,
            ..Default::default()
        };
        (new, now + chrono::Duration::minutes(minutes))
    };
    let (original, at) = contact(None, 0);
    let original = contacts::create(db, original, at).await.unwrap();
    let (first, at) = contact(Some(original.id), 1);
    let first = contacts::create(db, first, at).await.unwrap();
    let (second, at) = contact(Some(original.id), 2);
    let second = contacts::create(db, second, at).await.unwrap();

    test_db.db.migrate_up(None).await.unwrap();
    assert_eq!(index_count(&test_db, "ux_contacts_supersedes_id").await, 1);
    let after = |id| contacts::find(db, id);
    assert_eq!(
        after(first.id).await.unwrap().unwrap().supersedes_id,
        Some(original.id)
    );
    assert_eq!(
        after(second.id).await.unwrap().unwrap().supersedes_id,
        Some(first.id)
    );
    assert_eq!(
        contacts::for_person(db, person, true).await.unwrap().len(),
        3,
        "every record kept"
    );
}
