#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The caseload's stored facts (`caseload_facts`) against the records they summarise: after every kind of
//! write, the worklist read from the stored facts must equal the worklist worked out from the records
//! alone (the facts deleted, so the read fills them in again). A write path that forgot to refresh its
//! part, or refreshed it wrongly, shows up here as a difference.

use chrono::Duration;
use reqwest::Method;
use sea_orm::{
    ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, Statement, TransactionTrait,
    sea_query::Expr,
};
use serde_json::{Value, json};
use uuid::Uuid;
use vigil_e2e::cohort::later;
use vigil_e2e::{TestApp, TestUser, spawn_app};
use vigil_persistence::caseload::{CaseloadFacts, Part};
use vigil_persistence::entities::caseload_fact;
use vigil_persistence::repositories::contacts;

/// The officer's worklist without the time it was generated (the same clock gives the same answer).
async fn worklist(app: &TestApp, om: &TestUser) -> Value {
    let (status, mut body) = app.get_json("/api/v1/caseload", om).await;
    assert_eq!(status, 200, "{body}");
    body["generated_at"] = Value::Null;
    body
}

/// The worklist from the stored facts equals the one worked out from the records, and reading it with
/// no facts stored stores them again, every part of them.
async fn assert_facts_match_records(app: &TestApp, om: &TestUser, after: &str) {
    let from_facts = worklist(app, om).await;
    app.db()
        .execute_unprepared("DELETE FROM caseload_facts")
        .await
        .unwrap();
    let from_records = worklist(app, om).await;
    assert_eq!(
        from_facts, from_records,
        "after {after}: the stored facts disagree with the records"
    );
    let stored = caseload_fact::Entity::find().all(app.db()).await.unwrap();
    assert_eq!(
        stored.len(),
        from_records["items"].as_array().unwrap().len(),
        "after {after}"
    );
    for row in stored {
        assert!(
            row.standards_since.is_some()
                && row.contacts.is_some()
                && row.appointments.is_some()
                && row.enforcement.is_some()
                && row.home_visits.is_some(),
            "after {after}: a part was not stored: {row:?}"
        );
    }
}

/// The types of the booked appointments in a stored appointments part.
fn stored_appointment_types(stored: Option<&[u8]>) -> Vec<String> {
    let mut facts = CaseloadFacts::default();
    facts
        .decode(Part::Appointments, stored.expect("the part is stored"))
        .expect("the part reads back");
    facts
        .appointments
        .into_iter()
        .map(|a| a.appointment_type)
        .collect()
}

/// A fresh app with an offender manager and the one person allocated to them.
async fn officer_with_one_person(family: &str) -> (TestApp, TestUser, Uuid) {
    let app = spawn_app().await;
    let coordinator = app.user("coordinator", None).await;
    let om = app.user("offender_manager", None).await;
    let person = app.person(&om, "Sam", family).await;
    app.allocate(&coordinator, person, om.id, "offender_manager")
        .await;
    (app, om, person)
}

/// Polls PostgreSQL until some backend is waiting for a lock (bounded: a writer that never waits fails).
async fn wait_for_a_lock_wait(app: &TestApp) {
    for _ in 0..500 {
        let row = app
            .db()
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'",
            ))
            .await
            .unwrap()
            .unwrap();
        if row.try_get::<i64>("", "n").unwrap() > 0 {
            return;
        }
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the second writer never waited for the first");
}

async fn post(app: &TestApp, user: &TestUser, path: &str, body: Value) -> Value {
    let (status, answer) = app.send_json(Method::POST, path, user, body).await;
    assert!(
        status == 200 || status == 201,
        "POST {path}: {status} {answer}"
    );
    answer
}

fn id(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not an id: {v}"))
}

/// Named `casework::…` so that `cargo test -p vigil-e2e casework` selects them.
mod casework {
    use super::*;

    #[tokio::test]
    async fn the_stored_facts_follow_every_kind_of_write() {
        let app = spawn_app().await;
        let mut coordinator = app.user("coordinator", None).await;
        let mut om = app.user("offender_manager", None).await;
        let mut police = app.user("police", None).await;
        let member = app
            .person_with(&om, "Kai", "Rowe", json!({"tier": "A"}))
            .await;
        let other = app.person(&om, "Lee", "Hart").await;
        app.allocate(&coordinator, member, om.id, "offender_manager")
            .await;
        app.allocate(&coordinator, other, om.id, "offender_manager")
            .await;
        assert_facts_match_records(&app, &om, "allocation").await;

        app.adopt(&coordinator, member, "catch_convict", police.id, om.id)
            .await;
        assert_facts_match_records(&app, &om, "adoption").await;

        let contacts = format!("/api/v1/people/{member}/contacts");
        post(&app, &om, &contacts,
            json!({"type": "face_to_face_office", "occurred_at": "2026-11-23T08:30:00Z", "status": "completed"}),
        ).await;
        assert_facts_match_records(&app, &om, "a completed contact").await;

        let absence = post(&app, &om, &contacts,
            json!({"type": "face_to_face_office", "occurred_at": "2026-11-23T08:45:00Z", "status": "attempted",
                   "outcome": "unacceptable_absence"}),
        ).await;
        assert!(absence["enforcement"]["id"].is_string(), "{absence}");
        assert_facts_match_records(&app, &om, "an unacceptable absence (a warning)").await;

        post(&app, &om, &contacts,
            json!({"type": "face_to_face_office", "occurred_at": "2026-11-23T08:45:00Z", "status": "attempted",
                   "outcome": "acceptable_absence", "reason": "medical",
                   "supersedes_id": absence["contact"]["id"]}),
        ).await;
        assert_facts_match_records(&app, &om, "a correction (the warning withdrawn)").await;

        let booked = app
            .book(&om, member,
                json!({"type": "office_visit", "starts_at": "2026-11-25T10:00:00Z", "duration_minutes": 30}),
            )
            .await;
        let appointment = id(&booked["appointment"]["id"]).to_owned();
        app.book(&om, other,
            json!({"type": "office_visit", "starts_at": "2026-11-24T10:00:00Z", "duration_minutes": 30}),
        )
        .await;
        assert_facts_match_records(&app, &om, "bookings").await;

        let (status, body) = app
            .send_json(
                Method::PATCH,
                &format!("/api/v1/appointments/{appointment}"),
                &om,
                json!({"starts_at": "2026-11-26T11:00:00Z"}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert_facts_match_records(&app, &om, "a reschedule").await;

        let visit = post(&app, &police, &format!("/api/v1/people/{member}/home-visits"),
            json!({"window_start": "2026-11-23T10:00:00Z", "window_end": "2026-11-24T18:00:00Z", "announced": false}),
        )
        .await;
        assert_facts_match_records(&app, &om, "a planned home visit").await;

        later(
            &app,
            Duration::hours(2),
            &mut [&mut coordinator, &mut om, &mut police],
        )
        .await;
        post(
            &app,
            &police,
            &format!("/api/v1/home-visits/{}/outcome", id(&visit["id"])),
            json!({"outcome": "not_at_home"}),
        )
        .await;
        assert_facts_match_records(&app, &om, "a visit outcome (a follow-up planned)").await;

        // Four days on, the rescheduled visit has ended without an outcome; record it as a missed one.
        later(
            &app,
            Duration::days(4),
            &mut [&mut coordinator, &mut om, &mut police],
        )
        .await;
        assert_facts_match_records(&app, &om, "the clock moving on").await;
        let outcome = post(
            &app,
            &om,
            &format!("/api/v1/appointments/{appointment}/outcome"),
            json!({"outcome": "unacceptable_absence"}),
        )
        .await;
        let warning = id(&outcome["enforcement"]["id"]).to_owned();
        assert_facts_match_records(&app, &om, "an appointment outcome (a warning)").await;
        post(
            &app,
            &om,
            &format!("/api/v1/enforcement/{warning}/complete"),
            json!({}),
        )
        .await;
        assert_facts_match_records(&app, &om, "the warning completed").await;

        let cancel = app
            .book(&om, member,
                json!({"type": "office_visit", "starts_at": "2026-12-02T10:00:00Z", "duration_minutes": 30}),
            )
            .await;
        let (status, body) = app
            .send_json(
                Method::PATCH,
                &format!("/api/v1/appointments/{}", id(&cancel["appointment"]["id"])),
                &om,
                json!({"status": "cancelled"}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert_facts_match_records(&app, &om, "a cancellation").await;

        post(
            &app,
            &om,
            &format!("/api/v1/people/{member}/custody"),
            json!({"received_at": "2026-11-26T12:00:00Z", "released_at": "2026-11-27T08:00:00Z"}),
        )
        .await;
        assert_facts_match_records(&app, &om, "a release from custody").await;

        post(
            &app,
            &coordinator,
            &format!("/api/v1/people/{member}/membership"),
            json!({"action": "move", "strand": "prevent_deter", "reason": "fewer offences"}),
        )
        .await;
        assert_facts_match_records(&app, &om, "a move between strands").await;

        later(
            &app,
            Duration::days(200),
            &mut [&mut coordinator, &mut om, &mut police],
        )
        .await;
        assert_facts_match_records(&app, &om, "200 days without a contact").await;
    }

    /// Contacts logged at once for the same person: each transaction refreshes the person's facts after
    /// the other's commit, so none is lost (on PostgreSQL the facts row is locked before the records are
    /// read again).
    #[tokio::test]
    async fn contacts_logged_at_the_same_time_are_all_in_the_facts() {
        let (app, om, person) = officer_with_one_person("Idle").await;
        assert_facts_match_records(&app, &om, "allocation").await;

        let path = format!("/api/v1/people/{person}/contacts");
        let logs = (0..8).map(|minute| {
            let (app, om, path) = (&app, &om, &path);
            async move {
                post(
                    app,
                    om,
                    path,
                    json!({"type": "telephone", "status": "completed",
                           "occurred_at": format!("2026-11-23T08:{:02}:00Z", 10 + minute)}),
                )
                .await
            }
        });
        futures::future::join_all(logs).await;

        let list = worklist(&app, &om).await;
        assert_eq!(list["items"][0]["last_contact"], "2026-11-23T08:17:00Z");
        assert_facts_match_records(&app, &om, "eight contacts at once").await;
        assert_eq!(
            caseload_fact::Entity::find().count(app.db()).await.unwrap(),
            1
        );
    }

    /// The same race made certain: a transaction that logged a contact holds the person's facts until it
    /// commits; a second one logging an earlier contact waits for it (on PostgreSQL the test checks that it
    /// is waiting on a lock), then adds its contact to the first one's, not to what it read before (which
    /// would lose the first, later, contact).
    #[tokio::test]
    async fn a_second_writer_waits_for_the_first_and_keeps_its_contact() {
        let (app, om, person) = officer_with_one_person("Wren").await;
        worklist(&app, &om).await;
        let contact = |minute: u32| contacts::NewContact {
            person_id: person,
            staff_id: Some(om.id),
            contact_type: "telephone".to_owned(),
            occurred_at: app.now() - Duration::minutes(i64::from(minute)),
            status: "completed".to_owned(),
            ..Default::default()
        };

        let first = app.db().begin().await.unwrap();
        contacts::create(&first, contact(20), app.now())
            .await
            .unwrap();
        let second = {
            let db = app.db().clone();
            let (new, now) = (contact(30), app.now());
            tokio::spawn(async move {
                let txn = db.begin().await.unwrap();
                contacts::create(&txn, new, now).await.unwrap();
                txn.commit().await.unwrap();
            })
        };
        if app.database.is_postgres() {
            wait_for_a_lock_wait(&app).await;
        }
        first.commit().await.unwrap();
        second.await.unwrap();

        let list = worklist(&app, &om).await;
        assert_eq!(
            list["items"][0]["last_contact"],
            json!(app.now() - Duration::minutes(20))
        );
        assert_facts_match_records(&app, &om, "two writers, one after the other").await;
    }

    /// People with no facts stored yet (on record before the facts table, or loaded in bulk) get theirs
    /// worked out on the first read, and the read after that uses them.
    #[tokio::test]
    async fn missing_facts_are_filled_in_on_the_first_read() {
        let (app, om, person) = officer_with_one_person("Fenn").await;
        app.book(&om, person,
            json!({"type": "office_visit", "starts_at": "2026-11-24T10:00:00Z", "duration_minutes": 30}),
        )
        .await;
        app.db()
            .execute_unprepared("DELETE FROM caseload_facts")
            .await
            .unwrap();
        assert_eq!(
            caseload_fact::Entity::find().count(app.db()).await.unwrap(),
            0
        );

        let list = worklist(&app, &om).await;
        assert_eq!(list["items"][0]["next_appointment"]["type"], "office_visit");
        let stored = caseload_fact::Entity::find_by_id(person)
            .one(app.db())
            .await
            .unwrap()
            .expect("facts stored on the first read");
        assert_eq!(
            stored_appointment_types(stored.appointments.as_deref()),
            ["office_visit"]
        );
        assert_eq!(worklist(&app, &om).await, list);
    }

    /// A stored part that cannot be read (damaged, or left in a form from before a change) is worked out
    /// from the records for that read and stored in its place, so that later reads do not work it out again.
    #[tokio::test]
    async fn an_unreadable_part_is_worked_out_again_and_replaced() {
        let (app, om, person) = officer_with_one_person("Gale").await;
        app.book(&om, person,
            json!({"type": "office_visit", "starts_at": "2026-11-24T10:00:00Z", "duration_minutes": 30}),
        )
        .await;
        let list = worklist(&app, &om).await;
        // The JSON text stored before the binary form, say.
        caseload_fact::Entity::update_many()
            .col_expr(
                caseload_fact::Column::Appointments,
                Expr::value(br#"[{"id":"x","type":"office_visit"}]"#.to_vec()),
            )
            .exec(app.db())
            .await
            .unwrap();

        assert_eq!(worklist(&app, &om).await, list);
        let stored = caseload_fact::Entity::find_by_id(person)
            .one(app.db())
            .await
            .unwrap()
            .expect("facts stored");
        assert_eq!(
            stored_appointment_types(stored.appointments.as_deref()),
            ["office_visit"],
            "the part stored again"
        );
    }
}
