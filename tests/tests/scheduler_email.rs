#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Email through a real SMTP server on loopback: a person's appointment reminder, and the officers'
//! morning digest (07:30 London on working days only).

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde_json::json;
use vigil_e2e::{TestApp, TestUser, spawn_app};
use vigil_persistence::repositories::jobs;
use vigil_scheduler::transport::testing::{ReceivedEmail, TestSmtpServer};
use vigil_scheduler::transport::{LogSms, SmtpEmail};
use vigil_scheduler::{CronEntry, SchedulerConfig, Worker};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

const FROM: &str = "Vigil <reminders@vigil.example.org>";

fn smtp(server: &TestSmtpServer) -> Arc<SmtpEmail> {
    Arc::new(SmtpEmail::from_url(&SecretString::from(server.url()), FROM).unwrap())
}

/// A worker mailing through `server`, with the morning digest scheduled every day at 07:30 (the digest
/// itself decides whether the day is a working day). Texts go to a log outbox in `outbox`.
fn worker(app: &TestApp, server: &TestSmtpServer, outbox: &tempfile::TempDir) -> Worker {
    let config = SchedulerConfig {
        cron: vec![CronEntry {
            name: "morning_digest".to_owned(),
            expression: "30 7 * * *".to_owned(),
        }],
        ..SchedulerConfig::default()
    };
    app.worker_with(
        "worker-1",
        Arc::new(LogSms::new(outbox.path().to_path_buf())),
        smtp(server),
        &config,
    )
}

async fn received_after(server: &TestSmtpServer, count: usize) -> Vec<ReceivedEmail> {
    server.wait_for(count, StdDuration::from_secs(5)).await
}

/// An officer with one person allocated whose appointment (Monday 23 November, 10:00) has no outcome.
async fn caseload_with_an_overdue_outcome(app: &TestApp) -> TestUser {
    let coordinator = app.user("coordinator", None).await;
    let om = app.user("offender_manager", None).await;
    let person = app
        .person_with(&om, "Kai", "Webb", json!({"crn": "X654321"}))
        .await;
    app.allocate(&coordinator, person, om.id, "offender_manager")
        .await;
    app.book(
        &om,
        person,
        json!({"type": "office_visit", "starts_at": "2026-11-23T10:00:00Z", "duration_minutes": 60}),
    )
    .await;
    om
}

mod scheduler {
    use super::*;

    #[tokio::test]
    async fn a_person_with_email_consent_gets_the_reminder_by_email() {
        let app = spawn_app().await;
        let server = TestSmtpServer::start().await.unwrap();
        let outbox = tempfile::tempdir().unwrap();
        let worker = worker(&app, &server, &outbox);
        let om = app.user("offender_manager", None).await;
        let person = app
            .person_with(
                &om,
                "Kai",
                "Webb",
                json!({"email": "kai.webb@example.org", "email_consent": true}),
            )
            .await;
        app.book(
            &om,
            person,
            json!({"type": "office_visit", "starts_at": "2026-11-26T10:00:00Z", "duration_minutes": 30,
                   "location": "Room 4"}),
        )
        .await;

        app.set_clock(at("2026-11-24T09:59:00Z"));
        worker.run_once().await.unwrap();
        assert!(server.received().is_empty());
        app.set_clock(at("2026-11-24T10:00:00Z"));
        worker.run_once().await.unwrap();
        let received = received_after(&server, 1).await;
        assert_eq!(received.len(), 1);
        let email = &received[0];
        assert_eq!(email.rcpt_to, ["kai.webb@example.org"]);
        assert_eq!(email.mail_from, "reminders@vigil.example.org");
        assert_eq!(
            email.header("Subject").as_deref(),
            Some("Appointment reminder")
        );
        assert!(email.body().contains("Thu 26 Nov at 10:00"), "{email:?}");
        assert!(email.body().contains("Room 4"), "{email:?}");

        let rows = app.notifications_of(person).await;
        let sent_email = rows
            .iter()
            .find(|n| n.channel == "email" && n.status == "sent")
            .expect("the email reminder is recorded as sent");
        let reference = sent_email.provider_ref.clone().unwrap();
        assert_eq!(
            email.header("X-Vigil-Reference").as_deref(),
            Some(reference.as_str())
        );
        // No mobile number: the text was suppressed, and said why.
        let sms = rows
            .iter()
            .find(|n| n.channel == "sms" && n.send_at == sent_email.send_at)
            .unwrap();
        assert_eq!(
            (sms.status.as_str(), sms.reason.as_deref()),
            ("suppressed", Some("no_contact_detail"))
        );

        // Nothing more until the 2-hour reminder.
        worker.run_once().await.unwrap();
        assert_eq!(server.received().len(), 1);
        app.set_clock(at("2026-11-26T08:00:00Z"));
        worker.run_once().await.unwrap();
        assert_eq!(received_after(&server, 2).await.len(), 2);
    }

    #[tokio::test]
    async fn the_morning_digest_emails_an_officer_their_overdue_work_on_a_working_day() {
        let app = spawn_app().await;
        let server = TestSmtpServer::start().await.unwrap();
        let outbox = tempfile::tempdir().unwrap();
        let worker = worker(&app, &server, &outbox);
        let om = caseload_with_an_overdue_outcome(&app).await;

        // Tuesday 24 November, 07:29: not yet.
        app.set_clock(at("2026-11-24T07:29:00Z"));
        worker.run_once().await.unwrap();
        assert!(server.received().is_empty());
        app.set_clock(at("2026-11-24T07:30:00Z"));
        assert_eq!(worker.run_once().await.unwrap(), 1);
        let received = received_after(&server, 1).await;
        assert_eq!(
            received.len(),
            1,
            "one digest, to the one officer with work"
        );
        let digest = &received[0];
        assert_eq!(digest.rcpt_to, std::slice::from_ref(&om.email));
        assert_eq!(
            digest.header("Subject").as_deref(),
            Some("Vigil: 1 overdue, 0 due today")
        );
        let body = digest.body();
        assert!(
            body.contains("K. Webb (X654321): record the outcome of the office_visit"),
            "{body}"
        );
        // Once a day.
        worker.run_once().await.unwrap();
        assert_eq!(server.received().len(), 1);
    }

    /// Runs the 07:30 tick of `day` and returns how many emails it sent.
    async fn digest_on(
        app: &TestApp,
        worker: &Worker,
        server: &TestSmtpServer,
        tick: DateTime<Utc>,
    ) -> usize {
        let before = server.received().len();
        app.set_clock(tick);
        assert_eq!(
            worker.run_once().await.unwrap(),
            1,
            "the tick runs at {tick}"
        );
        let ticks = jobs::of_kind(app.db(), "cron:morning_digest")
            .await
            .unwrap();
        let job = ticks.iter().find(|j| j.run_at == tick).unwrap();
        assert_eq!(job.state, "succeeded");
        // The server keeps a message before it answers the final `.`, so the send is complete here.
        server.received().len() - before
    }

    #[tokio::test]
    async fn no_digest_on_a_saturday_or_a_bank_holiday() {
        let app = spawn_app().await;
        let server = TestSmtpServer::start().await.unwrap();
        let outbox = tempfile::tempdir().unwrap();
        let worker = worker(&app, &server, &outbox);
        caseload_with_an_overdue_outcome(&app).await;

        // The work is overdue every day from here; only working days get the email.
        assert_eq!(
            digest_on(&app, &worker, &server, at("2026-11-27T07:30:00Z")).await,
            1,
            "Friday"
        );
        assert_eq!(
            digest_on(&app, &worker, &server, at("2026-11-28T07:30:00Z")).await,
            0,
            "Saturday"
        );
        assert_eq!(
            digest_on(&app, &worker, &server, at("2026-11-29T07:30:00Z")).await,
            0,
            "Sunday"
        );
        assert_eq!(
            digest_on(&app, &worker, &server, at("2026-12-28T07:30:00Z")).await,
            0,
            "Monday 28 December 2026, the Boxing Day substitute bank holiday"
        );
        assert_eq!(
            digest_on(&app, &worker, &server, at("2026-12-29T07:30:00Z")).await,
            1,
            "Tuesday 29 December"
        );
    }

    #[tokio::test]
    async fn the_digest_is_at_07_30_london_time_in_summer() {
        let app = spawn_app().await;
        let server = TestSmtpServer::start().await.unwrap();
        let outbox = tempfile::tempdir().unwrap();
        let worker = worker(&app, &server, &outbox);
        caseload_with_an_overdue_outcome(&app).await;
        // Wednesday 2 June 2027 (BST): 07:30 London is 06:30Z, and nothing runs a minute before.
        app.set_clock(at("2027-06-02T06:29:00Z"));
        assert_eq!(worker.run_once().await.unwrap(), 0);
        let before = server.received().len();
        assert_eq!(
            digest_on(&app, &worker, &server, at("2027-06-02T06:30:00Z")).await,
            1
        );
        assert_eq!(server.received().len(), before + 1);
    }
}
