//! Migrations go up, all the way down, and up again, on whichever engine the suite runs against.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set, Statement};
use vigil_domain::PeopleSearch;
use vigil_e2e::{TestDatabase, monday_morning};
use vigil_persistence::entities::{caseload_fact, contact, person};
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
    // The worklist's allocation reads have their own index.
    assert_eq!(index_count(&test_db, "ix_allocations_held").await, 1);

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

/// The `n`th bound parameter in raw SQL for this engine.
fn placeholder(db: &sea_orm::DatabaseConnection, n: usize) -> String {
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        format!("${n}")
    } else {
        "?".to_owned()
    }
}

/// The parts of one person's facts row, read as text (the form before `m20261123_000013`); `None` if
/// there is no row.
async fn facts_as_text(
    db: &sea_orm::DatabaseConnection,
    person_id: uuid::Uuid,
) -> Option<[Option<String>; 5]> {
    let parameter = placeholder(db, 1);
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            format!(
                "SELECT standards_since, contacts, appointments, enforcement, home_visits \
                 FROM caseload_facts WHERE person_id = {parameter}"
            ),
            [person_id.into()],
        ))
        .await
        .unwrap()?;
    let part = |name: &str| row.try_get::<Option<String>>("", name).unwrap();
    Some([
        part("standards_since"),
        part("contacts"),
        part("appointments"),
        part("enforcement"),
        part("home_visits"),
    ])
}

/// Stores one person's facts as JSON text, as the code before `m20261123_000013` did.
async fn facts_stored_as_text(
    db: &sea_orm::DatabaseConnection,
    person_id: uuid::Uuid,
    contacts: &str,
) {
    let (p1, p2) = (placeholder(db, 1), placeholder(db, 2));
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        format!(
            "INSERT INTO caseload_facts \
             (person_id, standards_since, contacts, appointments, enforcement, home_visits) \
             VALUES ({p1}, '1774745999999999', {p2}, '[]', '[]', '[]')"
        ),
        [person_id.into(), contacts.into()],
    ))
    .await
    .unwrap();
}

/// A database migrated up to before `migration`, with one person whose facts are stored as text, their
/// contacts part `contacts`.
async fn text_facts_before(migration: &str, contacts: &str) -> (TestDatabase, uuid::Uuid) {
    let test_db = migrated_up_to_before(migration).await;
    let person_id = person_on_record(test_db.db.connection(), "Sam", "Archer").await;
    facts_stored_as_text(test_db.db.connection(), person_id, contacts).await;
    (test_db, person_id)
}

#[tokio::test]
async fn caseload_facts_stored_as_text_are_cleared_to_be_worked_out_again() {
    // Facts as the earlier code stored them, instants as RFC 3339 text.
    let (test_db, person_id) = text_facts_before(
        "m20261122_000010_caseload_facts_integer_times",
        r#"{"last_completed":"2026-11-20T10:00:00Z","recent":[{"at":"2026-11-20T10:00:00Z","type":"telephone"}]}"#,
    )
    .await;
    let db = test_db.db.connection();

    test_db.db.migrate_up(Some(1)).await.unwrap();
    assert_eq!(
        facts_as_text(db, person_id).await,
        Some([None, None, None, None, None]),
        "the row stays; only its parts are cleared"
    );
}

/// The binary form's migration starts the facts afresh (they are a copy of the records), and going
/// down makes the text table again, empty, for the older code to fill.
#[tokio::test]
async fn caseload_facts_stored_as_json_give_way_to_the_binary_form() {
    let (test_db, person_id) = text_facts_before(
        "m20261123_000013_caseload_facts_binary",
        r#"{"last_completed":1792891800000001,"recent":[{"at":1792891800000001,"type":"telephone"}]}"#,
    )
    .await;
    let db = test_db.db.connection();
    assert!(facts_as_text(db, person_id).await.is_some());

    test_db.db.migrate_up(None).await.unwrap();
    assert_eq!(caseload_fact::Entity::find().all(db).await.unwrap(), []);
    // The binary form is stored and read back byte for byte on both engines.
    let binary = vec![0_u8, 1, 0x80, 0xff];
    let row = caseload_fact::ActiveModel {
        person_id: Set(person_id),
        contacts: Set(Some(binary.clone())),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    assert_eq!(row.contacts, Some(binary.clone()));
    let read = caseload_fact::Entity::find_by_id(person_id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((read.contacts, read.appointments), (Some(binary), None));

    migrate_down_through(&test_db, "m20261123_000013_caseload_facts_binary").await;
    assert_eq!(
        facts_as_text(db, person_id).await,
        None,
        "made again, empty"
    );
    facts_stored_as_text(db, person_id, "{}").await;
    test_db.db.migrate_up(None).await.unwrap();
    assert_eq!(caseload_fact::Entity::find().all(db).await.unwrap(), []);
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
    let (p1, p2) = (placeholder(db, 1), placeholder(db, 2));
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        format!(
            "INSERT INTO audit_events (id, occurred_at, action, person_id, entity, purpose) \
             VALUES ({p1}, {p2}, 'consult', {person_param}, 'people_search', 'cohort_management')",
            person_param = placeholder(db, 3)
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
    // Each written a minute after the one before (the order the chain follows). Inserted as rows: the
    // repository also keeps the caseload facts, whose stored form is a later migration's.
    let contact = |supersedes_id, minutes| contact::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        person_id: Set(person),
        staff_id: Set(None),
        contact_type: Set("telephone".to_owned()),
        occurred_at: Set(now),
        status: Set("completed".to_owned()),
        outcome: Set(None),
        notes: Set(None),
        sensitive: Set(false),
        appointment_id: Set(None),
        home_visit_id: Set(None),
        supersedes_id: Set(supersedes_id),
        created_at: Set(now + chrono::Duration::minutes(minutes)),
    };
    let original = contact(None, 0).insert(db).await.unwrap();
    let first = contact(Some(original.id), 1).insert(db).await.unwrap();
    let second = contact(Some(original.id), 2).insert(db).await.unwrap();

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
