#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Every reason a planned reminder is not sent: each ends `suppressed` with that reason, and the SMS
//! provider (an HTTP fake of GOV.UK Notify) and the mail transport are never called.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use reqwest::Method;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use serde_json::{Value, json};
use uuid::Uuid;
use vigil_e2e::app::{RecordingEmail, notify_sms};
use vigil_e2e::{TestApp, TestUser, spawn_app};
use vigil_persistence::entities::{appointment, notification};
use vigil_persistence::repositories::people;
use vigil_scheduler::{SchedulerConfig, Worker};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// The appointment every case books, and its 48-hour reminder's send time.
const STARTS_AT: &str = "2026-11-26T10:00:00Z";
const FIRST_SEND: &str = "2026-11-24T10:00:00Z";

/// A provider fake that would accept anything (so that a call would succeed and only the recorded
/// request count can tell).
async fn notify_fake() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": Uuid::new_v4()})))
        .mount(&server)
        .await;
    server
}

struct Setup {
    app: TestApp,
    om: TestUser,
    notify: MockServer,
    email: Arc<RecordingEmail>,
    worker: Worker,
}

async fn setup() -> Setup {
    let app = spawn_app().await;
    let notify = notify_fake().await;
    let email = Arc::new(RecordingEmail::default());
    let worker = app.worker_with(
        "worker-1",
        notify_sms(&notify.uri()),
        email.clone(),
        &SchedulerConfig::default(),
    );
    let om = app.user("offender_manager", None).await;
    Setup {
        app,
        om,
        notify,
        email,
        worker,
    }
}

impl Setup {
    async fn person(&self, extra: Value) -> Uuid {
        self.app.person_with(&self.om, "Kai", "Webb", extra).await
    }

    async fn book(&self, person: Uuid) -> Uuid {
        let body = self
            .app
            .book(
                &self.om,
                person,
                json!({"type": "office_visit", "starts_at": STARTS_AT, "duration_minutes": 30}),
            )
            .await;
        body["appointment"]["id"].as_str().unwrap().parse().unwrap()
    }

    async fn run_at(&self, instant: &str) -> usize {
        self.app.set_clock(at(instant));
        self.worker.run_once().await.unwrap()
    }

    async fn first_reminders(&self, person: Uuid) -> Vec<notification::Model> {
        self.app
            .notifications_of(person)
            .await
            .into_iter()
            .filter(|n| n.send_at == at(FIRST_SEND))
            .collect()
    }

    /// After the worker has run: every one of `rows` is suppressed with `reason`, its send job finished,
    /// and neither provider heard a thing.
    async fn assert_suppressed(&self, rows: &[notification::Model], reason: &str) {
        assert!(!rows.is_empty());
        for row in rows {
            let now = self.app.notification(row.id).await;
            assert_eq!(
                (now.status.as_str(), now.reason.as_deref()),
                ("suppressed", Some(reason)),
                "{} notification",
                now.channel
            );
            assert!(now.provider_ref.is_none() && now.provider_id.is_none());
        }
        assert_eq!(
            self.notify.received_requests().await.unwrap().len(),
            0,
            "no call to the SMS provider"
        );
        assert_eq!(self.email.count(), 0, "no email");
    }

    /// Books, runs the worker at the first send time, and checks the first reminders were suppressed.
    async fn book_and_expect(&self, person: Uuid, reason: &str) -> Vec<notification::Model> {
        self.book(person).await;
        let rows = self.first_reminders(person).await;
        assert_eq!(self.run_at(FIRST_SEND).await, rows.len());
        self.assert_suppressed(&rows, reason).await;
        for row in &rows {
            assert_eq!(self.app.send_job_of(row.id).await.state, "succeeded");
        }
        rows
    }
}

fn textable() -> Value {
    json!({"mobile": "07700 900123", "sms_consent": true})
}

mod scheduler {
    use super::*;

    #[tokio::test]
    async fn suppressed_without_a_mobile_number() {
        let s = setup().await;
        let person = s.person(json!({})).await;
        s.book_and_expect(person, "no_contact_detail").await;
    }

    #[tokio::test]
    async fn suppressed_without_consent_for_the_channel() {
        let s = setup().await;
        let person = s
            .person(json!({"mobile": "07700 900123", "sms_consent": false,
                           "email": "kai@example.org", "email_consent": false}))
            .await;
        let rows = s.book_and_expect(person, "no_consent").await;
        let mut channels: Vec<&str> = rows.iter().map(|n| n.channel.as_str()).collect();
        channels.sort_unstable();
        assert_eq!(channels, ["email", "sms"]);
    }

    #[tokio::test]
    async fn suppressed_after_the_person_opted_out() {
        let s = setup().await;
        let person = s.person(textable()).await;
        people::set_sms_opt_out(s.app.db(), person, Some(s.app.now()))
            .await
            .unwrap();
        s.book_and_expect(person, "opted_out").await;
    }

    #[tokio::test]
    async fn suppressed_when_the_number_is_shared_with_someone_else() {
        let s = setup().await;
        let person = s.person(textable()).await;
        let (status, body) = s
            .app
            .send_json(
                Method::POST,
                "/api/v1/people",
                &s.om,
                json!({"given_name": "Sam", "family_name": "Webb", "date_of_birth": "1990-01-01",
                       "mobile": "+44 7700 900123", "sms_consent": true}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        s.book_and_expect(person, "shared_number").await;
    }

    #[tokio::test]
    async fn suppressed_while_the_person_is_wanted() {
        let s = setup().await;
        let person = s.person(textable()).await;
        s.book(person).await;
        let (status, body) = s
            .app
            .send_json(
                Method::PATCH,
                &format!("/api/v1/people/{person}"),
                &s.om,
                json!({"wanted": true}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let rows = s.first_reminders(person).await;
        s.run_at(FIRST_SEND).await;
        s.assert_suppressed(&rows, "wanted").await;
    }

    #[tokio::test]
    async fn suppressed_while_the_person_is_in_custody() {
        let s = setup().await;
        let coordinator = s.app.user("coordinator", None).await;
        let person = s.person(textable()).await;
        s.book(person).await;
        let (status, body) = s
            .app
            .send_json(
                Method::POST,
                &format!("/api/v1/people/{person}/custody"),
                &coordinator,
                json!({"received_at": "2026-11-23T08:00:00Z"}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        let rows = s.first_reminders(person).await;
        s.run_at(FIRST_SEND).await;
        s.assert_suppressed(&rows, "in_custody").await;
    }

    #[tokio::test]
    async fn suppressed_when_the_appointment_was_cancelled_through_the_api() {
        let s = setup().await;
        let person = s.person(textable()).await;
        let appointment = s.book(person).await;
        let rows = s.app.notifications_of(person).await;
        assert_eq!(rows.len(), 2);
        let (status, body) = s
            .app
            .send_json(
                Method::PATCH,
                &format!("/api/v1/appointments/{appointment}"),
                &s.om,
                json!({"status": "cancelled"}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        // Their jobs are gone: nothing is claimed at the send times.
        assert_eq!(s.run_at(FIRST_SEND).await, 0);
        assert_eq!(s.run_at("2026-11-26T08:00:00Z").await, 0);
        s.assert_suppressed(&rows, "appointment_cancelled").await;
    }

    /// The appointment changes under a job that is already due (the change was written without going
    /// through the reminder planner): the sender checks again before it sends.
    async fn appointment_changed_under_the_job(status: &str, reason: &str) {
        let s = setup().await;
        let person = s.person(textable()).await;
        let appointment = s.book(person).await;
        let mut row = appointment::Entity::find_by_id(appointment)
            .one(s.app.db())
            .await
            .unwrap()
            .unwrap()
            .into_active_model();
        row.status = Set(status.to_owned());
        row.update(s.app.db()).await.unwrap();
        let rows = s.first_reminders(person).await;
        assert_eq!(s.run_at(FIRST_SEND).await, 1);
        s.assert_suppressed(&rows, reason).await;
    }

    #[tokio::test]
    async fn suppressed_when_the_appointment_is_cancelled_under_a_due_job() {
        appointment_changed_under_the_job("cancelled", "appointment_cancelled").await;
    }

    #[tokio::test]
    async fn suppressed_when_the_appointment_is_outcomed_under_a_due_job() {
        appointment_changed_under_the_job("outcomed", "appointment_outcomed").await;
    }

    #[tokio::test]
    async fn suppressed_when_the_outcome_is_recorded_before_a_late_worker_runs() {
        let s = setup().await;
        let person = s.person(textable()).await;
        let appointment = s.book(person).await;
        let rows = s.app.notifications_of(person).await;
        // The worker was down; the appointment happened and its outcome was recorded.
        s.app.set_clock(at("2026-11-26T10:40:00Z"));
        let om = s.app.signed_in_again(&s.om).await;
        let (status, body) = s
            .app
            .send_json(
                Method::POST,
                &format!("/api/v1/appointments/{appointment}/outcome"),
                &om,
                json!({"outcome": "attended_complied"}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        s.worker.run_once().await.unwrap();
        s.assert_suppressed(&rows, "appointment_outcomed").await;
    }

    #[tokio::test]
    async fn suppressed_as_too_late_once_the_appointment_has_started() {
        let s = setup().await;
        let person = s.person(textable()).await;
        s.book(person).await;
        let rows = s.app.notifications_of(person).await;
        assert_eq!(rows.len(), 2);
        // The worker was down through both send times and comes back as the appointment starts.
        assert_eq!(s.run_at(STARTS_AT).await, 2);
        s.assert_suppressed(&rows, "too_late").await;
    }
}
