#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Appointment reminders end to end: booked through the API, sent by a worker through GOV.UK Notify (an
//! HTTP fake), at the planned instant in local time, across quiet hours and the clock changes; a reschedule
//! sends only the new reminders and a cancellation sends nothing.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;
use vigil_e2e::app::{
    NOTIFY_SECRET, NOTIFY_SERVICE_ID, NOTIFY_TEMPLATE_ID, RecordingEmail, notify_sms,
};
use vigil_e2e::{TestApp, TestUser, spawn_app, spawn_app_with};
use vigil_scheduler::{SchedulerConfig, Worker};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// A Notify fake that accepts every text, answering a fresh id for each.
async fn notify_fake() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/notifications/sms"))
        .respond_with(|_: &Request| {
            ResponseTemplate::new(201).set_body_json(json!({
                "id": Uuid::new_v4(), "reference": null,
                "content": {"body": "…", "from_number": "GOVUK"}
            }))
        })
        .mount(&server)
        .await;
    server
}

fn worker(app: &TestApp, notify: &MockServer) -> Worker {
    app.worker_with(
        "worker-1",
        notify_sms(&notify.uri()),
        Arc::new(RecordingEmail::default()),
        &SchedulerConfig::default(),
    )
}

async fn sms_posts(notify: &MockServer) -> Vec<Value> {
    notify
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path() == "/v2/notifications/sms")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

/// A person who can be texted, created as `om`.
async fn textable(app: &TestApp, om: &TestUser) -> Uuid {
    app.person_with(
        om,
        "Dylan",
        "Hart",
        json!({"mobile": "07700 900123", "sms_consent": true, "crn": "X123456"}),
    )
    .await
}

async fn book(app: &TestApp, om: &TestUser, person: Uuid, starts_at: &str) -> Uuid {
    let body = app
        .book(
            om,
            person,
            json!({"type": "office_visit", "starts_at": starts_at, "duration_minutes": 45,
                   "location": "Probation office, Room 4"}),
        )
        .await;
    body["appointment"]["id"].as_str().unwrap().parse().unwrap()
}

#[derive(Debug, Deserialize)]
struct Claims {
    iss: String,
    iat: i64,
}

fn claims_of(request: &Request) -> Claims {
    let header = request
        .headers
        .get("authorization")
        .expect("an Authorization header")
        .to_str()
        .unwrap();
    let token = header.strip_prefix("Bearer ").expect("a bearer token");
    let mut validation = Validation::new(Algorithm::HS256);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    jsonwebtoken::decode::<Claims>(
        token,
        &DecodingKey::from_secret(NOTIFY_SECRET.as_bytes()),
        &validation,
    )
    .expect("a token signed with the key's secret")
    .claims
}

/// Runs the worker at `instant` and returns how many jobs it claimed.
async fn run_at(app: &TestApp, worker: &Worker, instant: DateTime<Utc>) -> usize {
    app.set_clock(instant);
    worker.run_once().await.unwrap()
}

mod scheduler {
    use super::*;

    #[tokio::test]
    async fn the_48_hour_reminder_goes_once_through_notify_with_a_signed_token() {
        let app = spawn_app().await; // Monday 23 November 2026, 09:00 GMT
        let notify = notify_fake().await;
        let worker = worker(&app, &notify);
        let om = app.user("offender_manager", None).await;
        let person = textable(&app, &om).await;
        let appointment = book(&app, &om, person, "2026-11-26T10:00:00Z").await;

        // Nothing is due before the send time.
        assert_eq!(run_at(&app, &worker, at("2026-11-24T09:59:59Z")).await, 0);
        assert!(sms_posts(&notify).await.is_empty());

        assert_eq!(run_at(&app, &worker, at("2026-11-24T10:00:00Z")).await, 1);
        let requests = notify.received_requests().await.unwrap();
        assert_eq!(requests.len(), 1, "exactly one request to Notify");
        let request = &requests[0];
        assert_eq!(request.method.as_str(), "POST");
        assert_eq!(request.url.path(), "/v2/notifications/sms");
        let claims = claims_of(request);
        assert_eq!(claims.iss, NOTIFY_SERVICE_ID);
        // Notify checks the token against its own (real) clock, so it is issued at the real time.
        let real_now = Utc::now().timestamp();
        assert!(
            (real_now - claims.iat).abs() <= 5,
            "iat {} vs {real_now}",
            claims.iat
        );

        let body: Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(body["phone_number"], "+447700900123");
        assert_eq!(body["template_id"], NOTIFY_TEMPLATE_ID);
        let text = body["personalisation"]["body"].as_str().unwrap();
        assert!(text.contains("Thu 26 Nov at 10:00"), "{text}");
        assert!(text.contains("Room 4"), "{text}");

        let sent: Vec<_> = app
            .notifications_of(person)
            .await
            .into_iter()
            .filter(|n| n.appointment_id == Some(appointment) && n.status == "sent")
            .collect();
        assert_eq!(sent.len(), 1, "{sent:?}");
        let sent = &sent[0];
        assert_eq!(sent.send_at, at("2026-11-24T10:00:00Z"));
        assert!(sent.provider_id.is_some());
        let reference = sent.provider_ref.clone().unwrap();
        assert_eq!(body["reference"], reference.as_str());
        // Opaque: neither the person's name nor their case number.
        for personal in ["Dylan", "Hart", "X123456", &person.to_string()] {
            assert!(
                !reference.to_lowercase().contains(&personal.to_lowercase()),
                "{reference}"
            );
        }
        let send_job = app.send_job_of(sent.id).await;
        assert_eq!(send_job.state, "succeeded");

        // A second poll sends nothing more.
        assert_eq!(worker.run_once().await.unwrap(), 0);
        assert_eq!(notify.received_requests().await.unwrap().len(), 1);

        // The API shows it sent; the 2-hour reminder is still pending.
        let om = app.signed_in_again(&om).await;
        let (status, listed) = app
            .get_json(&format!("/api/v1/people/{person}/notifications"), &om)
            .await;
        assert_eq!(status, 200);
        let statuses: Vec<&str> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses.iter().filter(|s| **s == "sent").count(), 1);
        assert_eq!(statuses.iter().filter(|s| **s == "pending").count(), 1);

        // The 2-hour reminder follows at 08:00.
        assert_eq!(run_at(&app, &worker, at("2026-11-26T08:00:00Z")).await, 1);
        assert_eq!(sms_posts(&notify).await.len(), 2);
    }

    #[tokio::test]
    async fn a_reminder_due_in_quiet_hours_goes_at_20_59_the_evening_before() {
        let app = spawn_app().await;
        let notify = notify_fake().await;
        let worker = worker(&app, &notify);
        let om = app.user("offender_manager", None).await;
        let person = textable(&app, &om).await;
        // 09:00 on Thursday: the 2-hour reminder would be 07:00, inside 21:00-08:00.
        book(&app, &om, person, "2026-11-26T09:00:00Z").await;
        let planned: Vec<DateTime<Utc>> = app
            .notifications_of(person)
            .await
            .iter()
            .map(|n| n.send_at)
            .collect();
        assert_eq!(
            planned,
            [at("2026-11-24T09:00:00Z"), at("2026-11-25T20:59:00Z")]
        );

        run_at(&app, &worker, at("2026-11-24T09:00:00Z")).await;
        assert_eq!(sms_posts(&notify).await.len(), 1);
        assert_eq!(run_at(&app, &worker, at("2026-11-25T20:58:59Z")).await, 0);
        assert_eq!(run_at(&app, &worker, at("2026-11-25T20:59:00Z")).await, 1);
        let posts = sms_posts(&notify).await;
        assert_eq!(posts.len(), 2);
        let text = posts[1]["personalisation"]["body"].as_str().unwrap();
        assert!(text.contains("Thu 26 Nov at 09:00"), "{text}");
        // Nothing is left to go in the night.
        assert_eq!(run_at(&app, &worker, at("2026-11-26T07:00:00Z")).await, 0);
        assert_eq!(sms_posts(&notify).await.len(), 2);
    }

    /// Books a 10:00 London appointment and checks each reminder goes at exactly its UTC instant with the
    /// local time in the text.
    async fn reminders_across_a_clock_change(
        start_clock: &str,
        starts_at: &str,
        send_times: [&str; 2],
        local_words: &str,
    ) {
        let app = spawn_app_with(at(start_clock)).await;
        let notify = notify_fake().await;
        let worker = worker(&app, &notify);
        let om = app.user("offender_manager", None).await;
        let person = textable(&app, &om).await;
        book(&app, &om, person, starts_at).await;
        for (sent_before, send_time) in send_times.into_iter().enumerate() {
            let send_time = at(send_time);
            assert_eq!(
                run_at(&app, &worker, send_time - Duration::seconds(1)).await,
                0,
                "nothing before {send_time}"
            );
            assert_eq!(sms_posts(&notify).await.len(), sent_before);
            assert_eq!(
                run_at(&app, &worker, send_time).await,
                1,
                "a reminder at {send_time}"
            );
            let posts = sms_posts(&notify).await;
            assert_eq!(posts.len(), sent_before + 1);
            let text = posts[sent_before]["personalisation"]["body"]
                .as_str()
                .unwrap();
            assert!(text.contains(local_words), "{text}");
        }
        let sent: Vec<DateTime<Utc>> = app
            .notifications_of(person)
            .await
            .iter()
            .filter(|n| n.status == "sent")
            .map(|n| n.send_at)
            .collect();
        assert_eq!(sent, send_times.map(at));
    }

    #[tokio::test]
    async fn reminders_around_the_autumn_clock_change_count_real_hours_and_show_local_time() {
        // Sunday 25 October 2026, 10:00 GMT (the clocks went back at 02:00 BST that morning). 48 hours
        // earlier is 10:00Z on Friday (11:00 BST); 2 hours earlier is 08:00 GMT.
        reminders_across_a_clock_change(
            "2026-10-20T09:00:00Z",
            "2026-10-25T10:00:00Z",
            ["2026-10-23T10:00:00Z", "2026-10-25T08:00:00Z"],
            "Sun 25 Oct at 10:00",
        )
        .await;
    }

    #[tokio::test]
    async fn reminders_around_the_spring_clock_change_count_real_hours_and_show_local_time() {
        // Sunday 29 March 2026, 10:00 BST = 09:00Z (the clocks went forward at 01:00 GMT). 48 hours
        // earlier is 09:00 GMT on Friday; 2 hours earlier is 07:00Z = 08:00 BST, just out of quiet hours.
        reminders_across_a_clock_change(
            "2026-03-23T09:00:00Z",
            "2026-03-29T09:00:00Z",
            ["2026-03-27T09:00:00Z", "2026-03-29T07:00:00Z"],
            "Sun 29 Mar at 10:00",
        )
        .await;
    }

    #[tokio::test]
    async fn a_reschedule_before_the_send_sends_only_the_new_reminders() {
        let app = spawn_app().await;
        let notify = notify_fake().await;
        let worker = worker(&app, &notify);
        let om = app.user("offender_manager", None).await;
        let person = textable(&app, &om).await;
        let appointment = book(&app, &om, person, "2026-11-25T10:00:00Z").await;
        let (status, body) = app
            .send_json(
                Method::PATCH,
                &format!("/api/v1/appointments/{appointment}"),
                &om,
                json!({"starts_at": "2026-11-27T14:00:00Z"}),
            )
            .await;
        assert_eq!(status, 200, "{body}");

        // The old send times pass without a text.
        for old in ["2026-11-23T10:00:00Z", "2026-11-25T08:00:00Z"] {
            assert_eq!(run_at(&app, &worker, at(old)).await, 0, "{old}");
        }
        assert!(sms_posts(&notify).await.is_empty());
        // The new ones go.
        for new in ["2026-11-25T14:00:00Z", "2026-11-27T12:00:00Z"] {
            assert_eq!(run_at(&app, &worker, at(new)).await, 1, "{new}");
        }
        let posts = sms_posts(&notify).await;
        assert_eq!(posts.len(), 2);
        for post in &posts {
            let text = post["personalisation"]["body"].as_str().unwrap();
            assert!(text.contains("Fri 27 Nov at 14:00"), "{text}");
        }
        let all = app.notifications_of(person).await;
        let statuses: Vec<(&str, Option<&str>)> = all
            .iter()
            .map(|n| (n.status.as_str(), n.reason.as_deref()))
            .collect();
        assert_eq!(
            statuses,
            [
                ("suppressed", Some("appointment_rescheduled")),
                ("suppressed", Some("appointment_rescheduled")),
                ("sent", None),
                ("sent", None),
            ]
        );
    }

    #[tokio::test]
    async fn a_cancelled_appointment_sends_nothing() {
        let app = spawn_app().await;
        let notify = notify_fake().await;
        let worker = worker(&app, &notify);
        let om = app.user("offender_manager", None).await;
        let person = textable(&app, &om).await;
        let appointment = book(&app, &om, person, "2026-11-25T10:00:00Z").await;
        let (status, body) = app
            .send_json(
                Method::PATCH,
                &format!("/api/v1/appointments/{appointment}"),
                &om,
                json!({"status": "cancelled"}),
            )
            .await;
        assert_eq!(status, 200, "{body}");

        for instant in [
            "2026-11-23T10:00:00Z",
            "2026-11-25T08:00:00Z",
            "2026-11-26T10:00:00Z",
        ] {
            run_at(&app, &worker, at(instant)).await;
        }
        assert!(notify.received_requests().await.unwrap().is_empty());
        let all = app.notifications_of(person).await;
        assert_eq!(all.len(), 2);
        for n in &all {
            assert_eq!(n.status, "suppressed");
            assert_eq!(n.reason.as_deref(), Some("appointment_cancelled"));
        }
    }
}
