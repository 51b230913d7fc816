#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The reminders planned with appointments: exact send times on every channel, reschedule and cancel,
//! quiet hours, and both clock changes.

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;
use vigil_e2e::appointments::*;
use vigil_e2e::{spawn_app, spawn_app_with};
use vigil_persistence::entities::notification;

/// Named `casework::…` so that `cargo test -p vigil-e2e casework` selects them.
mod casework {
    use super::*;

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
    async fn quiet_hours_move_reminders_to_the_evening_before_and_past_ones_are_recorded_too_late()
    {
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

        // Wednesday 25 Nov 09:00: the 48h reminder would be now (Mon 09:00), which is too late: recorded
        // as suppressed, with no send job, so the person's history says why it never went.
        let body = app
        .book(
            &om,
            person,
            json!({"type": "office_visit", "starts_at": "2026-11-25T09:00:00Z", "duration_minutes": 30}),
        )
        .await;
        let id = id_of(&body["appointment"]["id"]);
        let all = reminders_of(&app, person, id).await;
        let planned = pending(&all);
        assert_eq!(send_times(&planned), [at("2026-11-24T20:59:00Z")]);
        assert_eq!(
            planned[0].idempotency_key,
            format!("{id}:2h:2026-11-25T09:00:00Z:sms")
        );
        let too_late = |all: &[notification::Model]| -> Vec<String> {
            all.iter()
                .filter(|n| n.status == "suppressed" && n.reason.as_deref() == Some("too_late"))
                .map(|n| n.idempotency_key.clone())
                .collect()
        };
        assert_eq!(
            too_late(&all),
            [format!("{id}:48h:2026-11-25T09:00:00Z:sms")]
        );
        assert_eq!(all.len(), 2);

        // An appointment in an hour: both reminders would be in the past; both recorded too late, once
        // however often it is planned.
        let body = app
        .book(
            &om,
            person,
            json!({"type": "telephone", "starts_at": "2026-11-23T10:00:00Z", "duration_minutes": 10}),
        )
        .await;
        let soon = id_of(&body["appointment"]["id"]);
        let all = reminders_of(&app, person, soon).await;
        assert_eq!(
            too_late(&all),
            [
                format!("{soon}:48h:2026-11-23T10:00:00Z:sms"),
                format!("{soon}:2h:2026-11-23T10:00:00Z:sms")
            ]
        );
        assert!(pending(&all).is_empty());
        let (status, moved) = app
            .send_json(
                Method::PATCH,
                &format!("/api/v1/appointments/{soon}"),
                &om,
                json!({"location": "by phone"}),
            )
            .await;
        assert_eq!(status, 200, "{moved}");
        assert_eq!(reminders_of(&app, person, soon).await.len(), 2);
        // Only the planned reminders have send jobs.
        let everything =
            vigil_persistence::repositories::notifications::for_person(app.db(), person)
                .await
                .unwrap();
        assert_jobs_match_pending(&app, &pending(&everything)).await;
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
}
