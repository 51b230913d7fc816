#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Appointments end to end: booking, clashes, after-the-fact records, and the reminders planned with
//! them (exact send times, quiet hours, clock changes, reschedule, cancel, outcome).

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;
use vigil_e2e::{TestApp, spawn_app, spawn_app_with};
use vigil_persistence::entities::{job, notification};
use vigil_persistence::repositories::{jobs, notifications};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn instant(v: &Value) -> DateTime<Utc> {
    v.as_str()
        .unwrap_or_else(|| panic!("not an instant: {v}"))
        .parse()
        .unwrap()
}

fn id_of(v: &Value) -> Uuid {
    v.as_str().unwrap().parse().unwrap()
}

/// The person's notifications for one appointment, by send time then channel.
async fn reminders_of(app: &TestApp, person: Uuid, appointment: Uuid) -> Vec<notification::Model> {
    let mut all: Vec<_> = notifications::for_person(app.db(), person)
        .await
        .unwrap()
        .into_iter()
        .filter(|n| n.appointment_id == Some(appointment))
        .collect();
    all.sort_by(|a, b| (a.send_at, &a.channel).cmp(&(b.send_at, &b.channel)));
    all
}

fn pending(all: &[notification::Model]) -> Vec<&notification::Model> {
    all.iter().filter(|n| n.status == "pending").collect()
}

async fn send_jobs(app: &TestApp) -> Vec<job::Model> {
    jobs::of_kind(app.db(), notifications::SEND_JOB_KIND)
        .await
        .unwrap()
}

/// Every unstarted send job matches exactly one pending notification (same id, run at its send time)
/// and every pending notification has exactly one.
async fn assert_jobs_match_pending(app: &TestApp, pending: &[&notification::Model]) {
    let open: Vec<job::Model> = send_jobs(app)
        .await
        .into_iter()
        .filter(|j| j.state == "available")
        .collect();
    assert_eq!(open.len(), pending.len(), "jobs {open:?} vs {pending:?}");
    for n in pending {
        let matching: Vec<_> = open
            .iter()
            .filter(|j| j.payload["notification_id"] == json!(n.id))
            .collect();
        assert_eq!(matching.len(), 1, "one job for notification {}", n.id);
        assert_eq!(matching[0].run_at, n.send_at);
    }
}

fn send_times(all: &[&notification::Model]) -> Vec<DateTime<Utc>> {
    all.iter().map(|n| n.send_at).collect()
}

/// Named `casework::…` so that `cargo test -p vigil-e2e casework` selects them.
mod casework {
    use super::*;

    #[tokio::test]
    async fn booking_answers_the_appointment_and_lists_it() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;

        let body = app
        .book(
            &om,
            person,
            json!({"type": "office_visit", "starts_at": "2026-11-25T10:00:00Z", "duration_minutes": 45,
                   "location": "  Room 4  "}),
        )
        .await;
        let booked = &body["appointment"];
        assert_eq!(booked["status"], "booked");
        assert_eq!(booked["type"], "office_visit");
        assert_eq!(instant(&booked["starts_at"]), at("2026-11-25T10:00:00Z"));
        assert_eq!(instant(&booked["ends_at"]), at("2026-11-25T10:45:00Z"));
        assert_eq!(booked["duration_minutes"], 45);
        assert_eq!(booked["location"], "Room 4");
        assert_eq!(booked["staff_id"], json!(om.id));
        assert_eq!(booked["remind"], true);
        assert_eq!(booked["version"], 1);
        assert!(body.get("recorded").is_none(), "{body}");

        let (status, list) = app
            .get_json(&format!("/api/v1/people/{person}/appointments"), &om)
            .await;
        assert_eq!(status, 200);
        assert_eq!(list.as_array().unwrap().len(), 1);
        assert_eq!(list[0]["id"], booked["id"]);

        // The range is [from, to) on the start.
        let (status, list) = app
        .get_json(
            &format!(
                "/api/v1/people/{person}/appointments?from=2026-11-25T10:00:01Z&to=2026-12-01T00:00:00Z"
            ),
            &om,
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(list, json!([]));

        // Bad fields are listed.
        let (status, problem) = app
            .send_json(
                Method::POST,
                &format!("/api/v1/people/{person}/appointments"),
                &om,
                json!({"type": "picnic", "starts_at": "soon", "duration_minutes": 2}),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        let mut fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        fields.sort_unstable();
        assert_eq!(fields, ["duration_minutes", "starts_at", "type"]);
    }

    #[tokio::test]
    async fn clashes_with_the_person_or_the_staff_member_are_refused_but_back_to_back_is_fine() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let other_om = app.user("offender_manager", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        let second = app.person(&om, "Erin", "Cole").await;
        let path = |p: Uuid| format!("/api/v1/people/{p}/appointments");

        let first = app
        .book(
            &om,
            person,
            json!({"type": "office_visit", "starts_at": "2026-11-25T10:00:00Z", "duration_minutes": 60}),
        )
        .await;
        let first_id = first["appointment"]["id"].as_str().unwrap().to_owned();

        // The same person with another officer, overlapping.
        let (status, problem) = app
        .send_json(
            Method::POST,
            &path(person),
            &om,
            json!({"type": "drug_test", "starts_at": "2026-11-25T10:30:00Z", "duration_minutes": 15,
                   "staff_id": other_om.id}),
        )
        .await;
        assert_eq!(status, 409, "{problem}");
        assert_eq!(problem["code"], "conflict");
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains(&first_id), "{detail}");
        assert!(detail.contains("this person"), "{detail}");

        // The same officer with a different person, overlapping.
        let (status, problem) = app
        .send_json(
            Method::POST,
            &path(second),
            &om,
            json!({"type": "office_visit", "starts_at": "2026-11-25T09:30:00Z", "duration_minutes": 31}),
        )
        .await;
        assert_eq!(status, 409, "{problem}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains(&first_id), "{detail}");
        assert!(detail.contains("member of staff"), "{detail}");

        // Back to back on either side is not a clash: 09:00–10:00 and 11:00–11:30.
        app.book(
        &om,
        second,
        json!({"type": "office_visit", "starts_at": "2026-11-25T09:00:00Z", "duration_minutes": 60}),
    )
    .await;
        app.book(
        &om,
        person,
        json!({"type": "telephone", "starts_at": "2026-11-25T11:00:00Z", "duration_minutes": 30}),
    )
    .await;

        // A cancelled appointment no longer blocks its slot.
        let (status, _) = app
            .send_json(
                Method::PATCH,
                &format!("/api/v1/appointments/{first_id}"),
                &om,
                json!({"status": "cancelled"}),
            )
            .await;
        assert_eq!(status, 200);
        app.book(
        &om,
        second,
        json!({"type": "office_visit", "starts_at": "2026-11-25T10:15:00Z", "duration_minutes": 30}),
    )
    .await;

        // Rescheduling into a clash is refused too.
        let moved = app
        .book(
            &om,
            person,
            json!({"type": "video", "starts_at": "2026-11-26T10:00:00Z", "duration_minutes": 30}),
        )
        .await;
        let (status, problem) = app
            .send_json(
                Method::PATCH,
                &format!(
                    "/api/v1/appointments/{}",
                    moved["appointment"]["id"].as_str().unwrap()
                ),
                &om,
                json!({"starts_at": "2026-11-25T11:15:00Z"}),
            )
            .await;
        assert_eq!(status, 409, "{problem}");

        // Handing it to an officer who is busy then is refused as that officer's clash.
        let busy = app
            .book(
                &other_om,
                second,
                json!({"type": "office_visit", "starts_at": "2026-11-26T10:15:00Z", "duration_minutes": 30}),
            )
            .await;
        let (status, problem) = app
            .send_json(
                Method::PATCH,
                &format!(
                    "/api/v1/appointments/{}",
                    moved["appointment"]["id"].as_str().unwrap()
                ),
                &om,
                json!({"staff_id": other_om.id}),
            )
            .await;
        assert_eq!(status, 409, "{problem}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.contains(busy["appointment"]["id"].as_str().unwrap()),
            "{detail}"
        );
        assert!(detail.contains("member of staff"), "{detail}");
        // Shortening it to end when the other begins is fine.
        let (status, changed) = app
            .send_json(
                Method::PATCH,
                &format!(
                    "/api/v1/appointments/{}",
                    moved["appointment"]["id"].as_str().unwrap()
                ),
                &om,
                json!({"staff_id": other_om.id, "duration_minutes": 15}),
            )
            .await;
        assert_eq!(status, 200, "{changed}");
        assert_eq!(changed["staff_id"], json!(other_om.id));
        assert_eq!(instant(&changed["ends_at"]), at("2026-11-26T10:15:00Z"));
    }

    #[tokio::test]
    async fn a_past_start_needs_an_outcome_and_then_records_a_contact() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        let path = format!("/api/v1/people/{person}/appointments");

        let (status, problem) = app
        .send_json(
            Method::POST,
            &path,
            &om,
            json!({"type": "office_visit", "starts_at": "2026-11-20T10:00:00Z", "duration_minutes": 30}),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "starts_at");

        // An outcome for a future appointment is refused.
        let (status, problem) = app
        .send_json(
            Method::POST,
            &path,
            &om,
            json!({"type": "office_visit", "starts_at": "2026-11-30T10:00:00Z", "duration_minutes": 30,
                   "outcome": "attended_complied"}),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "outcome");

        let body = app
        .book(
            &om,
            person,
            json!({"type": "office_visit", "starts_at": "2026-11-20T10:00:00Z", "duration_minutes": 30,
                   "outcome": "attended_complied", "notes": "seen, all fine"}),
        )
        .await;
        let appointment = &body["appointment"];
        assert_eq!(appointment["status"], "outcomed");
        assert_eq!(appointment["outcome"], "attended_complied");
        assert_eq!(appointment["remind"], false);
        let contact = &body["recorded"]["contact"];
        assert_eq!(contact["type"], "face_to_face_office");
        assert_eq!(contact["status"], "completed");
        assert_eq!(contact["outcome"], "attended_complied");
        assert_eq!(contact["notes"], "seen, all fine");
        assert_eq!(contact["appointment_id"], appointment["id"]);
        assert_eq!(contact["staff_id"], json!(om.id));
        assert_eq!(instant(&contact["occurred_at"]), at("2026-11-20T10:00:00Z"));
        assert_eq!(body["recorded"]["enforcement"], Value::Null);

        let (status, contacts) = app
            .get_json(&format!("/api/v1/people/{person}/contacts"), &om)
            .await;
        assert_eq!(status, 200);
        assert_eq!(contacts.as_array().unwrap().len(), 1);
        assert_eq!(contacts[0]["id"], contact["id"]);
        // Nothing to remind anyone of.
        assert!(
            notifications::for_person(app.db(), person)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(send_jobs(&app).await.is_empty());
    }

    #[tokio::test]
    async fn booking_plans_exact_reminders_on_every_channel() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let sms_only = app.person(&om, "Dylan", "Hart").await;
        let with_email = app
            .person_with(
                &om,
                "Erin",
                "Cole",
                json!({"email": "erin.cole@example.org"}),
            )
            .await;

        let body = app
        .book(
            &om,
            sms_only,
            json!({"type": "office_visit", "starts_at": "2026-11-25T10:00:00Z", "duration_minutes": 30}),
        )
        .await;
        let id = id_of(&body["appointment"]["id"]);
        let all = reminders_of(&app, sms_only, id).await;
        assert_eq!(all.len(), 2, "{all:?}");
        assert_eq!(
            send_times(&pending(&all)),
            [at("2026-11-23T10:00:00Z"), at("2026-11-25T08:00:00Z")]
        );
        assert!(all.iter().all(|n| n.channel == "sms"));
        assert!(all.iter().all(|n| n.template == "appointment_reminder"));
        assert_eq!(
            all[0].idempotency_key,
            format!("{id}:48h:2026-11-25T10:00:00Z:sms")
        );
        assert_eq!(
            all[1].idempotency_key,
            format!("{id}:2h:2026-11-25T10:00:00Z:sms")
        );

        // With an email address: sms and email for each offset. A job interview gets 24h as well.
        let body = app
        .book(
            &om,
            with_email,
            json!({"type": "job_interview", "starts_at": "2026-11-27T14:00:00Z", "duration_minutes": 60,
}),
        )
        .await;
        let interview = id_of(&body["appointment"]["id"]);
        let all = reminders_of(&app, with_email, interview).await;
        let got: Vec<(DateTime<Utc>, &str)> = all
            .iter()
            .map(|n| (n.send_at, n.channel.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (at("2026-11-25T14:00:00Z"), "email"),
                (at("2026-11-25T14:00:00Z"), "sms"),
                (at("2026-11-26T14:00:00Z"), "email"),
                (at("2026-11-26T14:00:00Z"), "sms"),
                (at("2026-11-27T12:00:00Z"), "email"),
                (at("2026-11-27T12:00:00Z"), "sms"),
            ]
        );
        assert!(
        all.iter()
            .any(|n| n.idempotency_key == format!("{interview}:24h:2026-11-27T14:00:00Z:email"))
    );

        // One job per pending notification, across both appointments.
        let both: Vec<notification::Model> = reminders_of(&app, sms_only, id)
            .await
            .into_iter()
            .chain(all)
            .collect();
        assert_jobs_match_pending(&app, &pending(&both)).await;

        // Reminders are not asked for: none planned.
        let body = app
        .book(
            &om,
            sms_only,
            json!({"type": "telephone", "starts_at": "2026-11-30T10:00:00Z", "duration_minutes": 15,
                   "remind": false}),
        )
        .await;
        assert!(
            reminders_of(&app, sms_only, id_of(&body["appointment"]["id"]))
                .await
                .is_empty()
        );

        // The person's notification list shows them, newest send time first.
        let (status, list) = app
            .get_json(&format!("/api/v1/people/{sms_only}/notifications"), &om)
            .await;
        assert_eq!(status, 200);
        let times: Vec<DateTime<Utc>> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|n| instant(&n["send_at"]))
            .collect();
        assert_eq!(
            times,
            [at("2026-11-25T08:00:00Z"), at("2026-11-23T10:00:00Z")]
        );
        assert_eq!(list[0]["status"], "pending");
    }

    #[tokio::test]
    async fn reschedule_replans_once_reschedule_back_revives_and_cancel_suppresses() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        let body = app
        .book(
            &om,
            person,
            json!({"type": "office_visit", "starts_at": "2026-11-25T10:00:00Z", "duration_minutes": 30}),
        )
        .await;
        let id = id_of(&body["appointment"]["id"]);
        let path = format!("/api/v1/appointments/{id}");
        let original = reminders_of(&app, person, id).await;
        let original_ids: Vec<Uuid> = original.iter().map(|n| n.id).collect();

        // Planning again for an unchanged start (a location change) creates nothing new.
        let (status, changed) = app
            .send_json(Method::PATCH, &path, &om, json!({"location": "Room 9"}))
            .await;
        assert_eq!(status, 200, "{changed}");
        assert_eq!(changed["location"], "Room 9");
        assert_eq!(changed["version"], 2);
        let again = reminders_of(&app, person, id).await;
        assert_eq!(again, original);
        assert_eq!(send_jobs(&app).await.len(), 2);

        // A stale version is refused.
        let (status, _) = app
            .send_json(
                Method::PATCH,
                &path,
                &om,
                json!({"starts_at": "2026-11-26T14:00:00Z", "version": 1}),
            )
            .await;
        assert_eq!(status, 409);

        // Reschedule: the old two are suppressed, exactly the new two are pending, jobs follow 1:1.
        let (status, moved) = app
            .send_json(
                Method::PATCH,
                &path,
                &om,
                json!({"starts_at": "2026-11-26T14:00:00Z", "version": 2}),
            )
            .await;
        assert_eq!(status, 200, "{moved}");
        assert_eq!(instant(&moved["starts_at"]), at("2026-11-26T14:00:00Z"));
        assert_eq!(instant(&moved["ends_at"]), at("2026-11-26T14:30:00Z"));
        let all = reminders_of(&app, person, id).await;
        assert_eq!(all.len(), 4, "{all:?}");
        for old in all.iter().filter(|n| original_ids.contains(&n.id)) {
            assert_eq!(old.status, "suppressed");
            assert_eq!(old.reason.as_deref(), Some("appointment_rescheduled"));
        }
        let now_pending = pending(&all);
        assert_eq!(
            send_times(&now_pending),
            [at("2026-11-24T14:00:00Z"), at("2026-11-26T12:00:00Z")]
        );
        assert!(now_pending.iter().all(|n| !original_ids.contains(&n.id)));
        assert_jobs_match_pending(&app, &now_pending).await;
        assert_eq!(send_jobs(&app).await.len(), 2);

        // Reschedule back: the original rows come back to life; no new rows.
        let (status, _) = app
            .send_json(
                Method::PATCH,
                &path,
                &om,
                json!({"starts_at": "2026-11-25T10:00:00Z"}),
            )
            .await;
        assert_eq!(status, 200);
        let all = reminders_of(&app, person, id).await;
        assert_eq!(all.len(), 4);
        let revived = pending(&all);
        let revived_ids: Vec<Uuid> = revived.iter().map(|n| n.id).collect();
        assert_eq!(revived_ids, original_ids);
        assert!(revived.iter().all(|n| n.reason.is_none()));
        assert_eq!(
            send_times(&revived),
            [at("2026-11-23T10:00:00Z"), at("2026-11-25T08:00:00Z")]
        );
        let withdrawn: Vec<_> = all.iter().filter(|n| n.status == "suppressed").collect();
        assert_eq!(withdrawn.len(), 2);
        assert!(
            withdrawn
                .iter()
                .all(|n| n.reason.as_deref() == Some("appointment_rescheduled"))
        );
        assert_jobs_match_pending(&app, &revived).await;

        // Cancel: everything is suppressed, the pending ones with appointment_cancelled; no send jobs left.
        let (status, cancelled) = app
            .send_json(Method::PATCH, &path, &om, json!({"status": "cancelled"}))
            .await;
        assert_eq!(status, 200, "{cancelled}");
        assert_eq!(cancelled["status"], "cancelled");
        let all = reminders_of(&app, person, id).await;
        assert!(all.iter().all(|n| n.status == "suppressed"), "{all:?}");
        let reasons: Vec<(Uuid, Option<&str>)> =
            all.iter().map(|n| (n.id, n.reason.as_deref())).collect();
        for (nid, reason) in reasons {
            let expected = if original_ids.contains(&nid) {
                "appointment_cancelled"
            } else {
                "appointment_rescheduled"
            };
            assert_eq!(reason, Some(expected));
        }
        assert!(
            send_jobs(&app).await.iter().all(|j| j.state != "available"),
            "no unstarted send jobs"
        );
        assert!(send_jobs(&app).await.is_empty());

        // A cancelled appointment cannot be moved or outcomed.
        let (status, _) = app
            .send_json(
                Method::PATCH,
                &path,
                &om,
                json!({"starts_at": "2026-11-27T10:00:00Z"}),
            )
            .await;
        assert_eq!(status, 409);
        let (status, _) = app
            .send_json(Method::PATCH, &path, &om, json!({"status": "outcomed"}))
            .await;
        assert_eq!(status, 422);
    }

    #[tokio::test]
    async fn quiet_hours_move_reminders_to_the_evening_before_and_past_ones_are_dropped() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;

        // Thursday 26 Nov 09:00 London (GMT): 48h = Tue 24 09:00; 2h = 07:00 Thu, quiet, so 20:59 Wed.
        let body = app
        .book(
            &om,
            person,
            json!({"type": "office_visit", "starts_at": "2026-11-26T09:00:00Z", "duration_minutes": 30}),
        )
        .await;
        let all = reminders_of(&app, person, id_of(&body["appointment"]["id"])).await;
        assert_eq!(
            send_times(&pending(&all)),
            [at("2026-11-24T09:00:00Z"), at("2026-11-25T20:59:00Z")]
        );

        // Wednesday 25 Nov 09:00: the 48h reminder would be now (Mon 09:00), which is too late: dropped.
        let body = app
        .book(
            &om,
            person,
            json!({"type": "office_visit", "starts_at": "2026-11-25T09:00:00Z", "duration_minutes": 30}),
        )
        .await;
        let id = id_of(&body["appointment"]["id"]);
        let all = reminders_of(&app, person, id).await;
        assert_eq!(send_times(&pending(&all)), [at("2026-11-24T20:59:00Z")]);
        assert_eq!(
            all[0].idempotency_key,
            format!("{id}:2h:2026-11-25T09:00:00Z:sms")
        );

        // An appointment in an hour: the 2h reminder would be in the past; none at all.
        let body = app
        .book(
            &om,
            person,
            json!({"type": "telephone", "starts_at": "2026-11-23T10:00:00Z", "duration_minutes": 10}),
        )
        .await;
        assert!(
            reminders_of(&app, person, id_of(&body["appointment"]["id"]))
                .await
                .is_empty()
        );
    }

    #[tokio::test]
    async fn reminders_across_the_march_clock_change() {
        // Thursday 26 March 2026, GMT; clocks go forward at 01:00Z on Sunday 29 March.
        let app = spawn_app_with(at("2026-03-26T09:00:00Z")).await;
        let om = app.user("offender_manager", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        // 09:00 BST on Monday 30 March = 08:00Z.
        let body = app
        .book(
            &om,
            person,
            json!({"type": "office_visit", "starts_at": "2026-03-30T09:00:00+01:00", "duration_minutes": 30}),
        )
        .await;
        assert_eq!(
            instant(&body["appointment"]["starts_at"]),
            at("2026-03-30T08:00:00Z")
        );
        let id = id_of(&body["appointment"]["id"]);
        let all = reminders_of(&app, person, id).await;
        // 48h of elapsed time: 08:00Z Saturday (08:00 GMT, not quiet). 2h: 06:00Z = 07:00 BST, quiet, so
        // 20:59 BST on Sunday = 19:59Z.
        assert_eq!(
            send_times(&pending(&all)),
            [at("2026-03-28T08:00:00Z"), at("2026-03-29T19:59:00Z")]
        );
        assert_eq!(
            all[0].idempotency_key,
            format!("{id}:48h:2026-03-30T08:00:00Z:sms")
        );
    }

    #[tokio::test]
    async fn reminders_across_the_october_clock_change() {
        // Thursday 22 October 2026, BST; clocks go back at 01:00Z on Sunday 25 October.
        let app = spawn_app_with(at("2026-10-22T09:00:00Z")).await;
        let om = app.user("offender_manager", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        // 09:00 GMT on Monday 26 October.
        let body = app
        .book(
            &om,
            person,
            json!({"type": "office_visit", "starts_at": "2026-10-26T09:00:00Z", "duration_minutes": 30}),
        )
        .await;
        let all = reminders_of(&app, person, id_of(&body["appointment"]["id"])).await;
        // 48h: 09:00Z Saturday = 10:00 BST. 2h: 07:00 GMT Monday, quiet, so 20:59 GMT on Sunday = 20:59Z.
        assert_eq!(
            send_times(&pending(&all)),
            [at("2026-10-24T09:00:00Z"), at("2026-10-25T20:59:00Z")]
        );
        // A 48h reminder that lands in the night before the change: Tuesday 27 Oct 07:30 GMT → Sunday 25
        // 07:30 GMT, quiet, so 20:59 on Saturday 24, still BST = 19:59Z.
        let body = app
        .book(
            &om,
            person,
            json!({"type": "telephone", "starts_at": "2026-10-27T07:30:00Z", "duration_minutes": 15}),
        )
        .await;
        let all = reminders_of(&app, person, id_of(&body["appointment"]["id"])).await;
        assert_eq!(
            send_times(&pending(&all)),
            [at("2026-10-24T19:59:00Z"), at("2026-10-26T20:59:00Z")]
        );
    }

    #[tokio::test]
    async fn outcome_closes_the_appointment_and_withdraws_its_reminders() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let police = app.user("police", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        let body = app
        .book(
            &om,
            person,
            json!({"type": "office_visit", "starts_at": "2026-11-25T10:00:00Z", "duration_minutes": 30}),
        )
        .await;
        let id = id_of(&body["appointment"]["id"]);
        let path = format!("/api/v1/appointments/{id}/outcome");

        // Before the start: refused.
        let (status, problem) = app
            .send_json(
                Method::POST,
                &path,
                &om,
                json!({"outcome": "attended_complied"}),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "outcome");

        app.clock.set(at("2026-11-25T09:59:00Z"));
        let om = app.signed_in_again(&om).await;
        let police = app.signed_in_again(&police).await;
        // Still before the start at 09:59; at 10:05 it has started.
        let (status, _) = app
            .send_json(
                Method::POST,
                &path,
                &om,
                json!({"outcome": "attended_complied"}),
            )
            .await;
        assert_eq!(status, 422);
        app.clock.set(at("2026-11-25T10:05:00Z"));

        // Police may not record appointment outcomes.
        let (status, _) = app
            .send_json(
                Method::POST,
                &path,
                &police,
                json!({"outcome": "attended_complied"}),
            )
            .await;
        assert_eq!(status, 403);

        // An acceptable absence without a reason names the reason.
        let (status, problem) = app
            .send_json(
                Method::POST,
                &path,
                &om,
                json!({"outcome": "acceptable_absence"}),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "reason");
        // Home-visit-only outcomes are refused for an office visit.
        let (status, problem) = app
            .send_json(Method::POST, &path, &om, json!({"outcome": "not_at_home"}))
            .await;
        assert_eq!(status, 422, "{problem}");

        let (status, result) = app
            .send_json(
                Method::POST,
                &path,
                &om,
                json!({"outcome": "attended_complied", "notes": "on time"}),
            )
            .await;
        assert_eq!(status, 200, "{result}");
        assert_eq!(result["contact"]["status"], "completed");
        assert_eq!(result["contact"]["outcome"], "attended_complied");
        assert_eq!(
            instant(&result["contact"]["occurred_at"]),
            at("2026-11-25T10:00:00Z")
        );
        assert_eq!(result["enforcement"], Value::Null);

        let all = reminders_of(&app, person, id).await;
        assert_eq!(all.len(), 2);
        assert!(all.iter().all(
            |n| n.status == "suppressed" && n.reason.as_deref() == Some("appointment_outcomed")
        ));
        assert!(send_jobs(&app).await.is_empty());

        let (_, list) = app
            .get_json(&format!("/api/v1/people/{person}/appointments"), &om)
            .await;
        assert_eq!(list[0]["status"], "outcomed");
        assert_eq!(list[0]["outcome"], "attended_complied");

        // Twice: conflict.
        let (status, problem) = app
            .send_json(
                Method::POST,
                &path,
                &om,
                json!({"outcome": "failed_to_attend"}),
            )
            .await;
        assert_eq!(status, 409, "{problem}");
        // An unknown appointment: 404.
        let (status, _) = app
            .send_json(
                Method::POST,
                &format!("/api/v1/appointments/{}/outcome", Uuid::new_v4()),
                &om,
                json!({"outcome": "attended_complied"}),
            )
            .await;
        assert_eq!(status, 404);
    }
}
