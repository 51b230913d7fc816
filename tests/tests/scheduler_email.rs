#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Email through a real SMTP server on loopback: a person's appointment reminder, and the officers'
//! morning digest (07:30 London on working days only): the 07:30 tick plans one job per officer, and the
//! next poll sends each officer's email, so a failed send is retried for that officer alone.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use secrecy::SecretString;
use serde_json::json;
use vigil_e2e::{TestApp, TestUser, spawn_app};
use vigil_persistence::entities::job;
use vigil_persistence::repositories::{jobs, staff};
use vigil_scheduler::planners::digest_officer;
use vigil_scheduler::transport::testing::{ReceivedEmail, SmtpReplies, TestSmtpServer};
use vigil_scheduler::transport::{
    Accepted, EmailTransport, LogSms, OutgoingEmail, SmtpEmail, TransportError,
};
use vigil_scheduler::{CronEntry, NewJob, SchedulerConfig, Worker};

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
    worker_mailing(app, smtp(server), outbox)
}

/// [`worker`], mailing through `email`.
fn worker_mailing(
    app: &TestApp,
    email: Arc<dyn EmailTransport>,
    outbox: &tempfile::TempDir,
) -> Worker {
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
        email,
        &config,
    )
}

async fn received_after(server: &TestSmtpServer, count: usize) -> Vec<ReceivedEmail> {
    server.wait_for(count, StdDuration::from_secs(5)).await
}

/// An officer with one person allocated whose appointment (Monday 23 November, 10:00) has no outcome.
async fn caseload_with_an_overdue_outcome(app: &TestApp) -> TestUser {
    let coordinator = app.user("coordinator", None).await;
    overdue_caseload(app, &coordinator, "X654321").await
}

/// An offender manager with one person (case reference `crn`) whose appointment has no outcome.
async fn overdue_caseload(app: &TestApp, coordinator: &TestUser, crn: &str) -> TestUser {
    let om = app.user("offender_manager", None).await;
    let person = app
        .person_with(&om, "Kai", "Webb", json!({ "crn": crn }))
        .await;
    app.allocate(coordinator, person, om.id, "offender_manager")
        .await;
    app.book(
        &om,
        person,
        json!({"type": "office_visit", "starts_at": "2026-11-23T10:00:00Z", "duration_minutes": 60}),
    )
    .await;
    om
}

/// Two offender managers with overdue work, and their coordinator (who has none).
async fn two_officers_with_work(app: &TestApp) -> (TestUser, TestUser) {
    let coordinator = app.user("coordinator", None).await;
    (
        overdue_caseload(app, &coordinator, "X654321").await,
        overdue_caseload(app, &coordinator, "X765432").await,
    )
}

/// The per-officer digest jobs planned so far.
async fn officer_jobs(app: &TestApp) -> Vec<job::Model> {
    jobs::of_kind(app.db(), digest_officer::KIND).await.unwrap()
}

/// The per-officer digest job of `officer`; there must be exactly one.
async fn officer_job(app: &TestApp, officer: &TestUser) -> job::Model {
    let mut mine: Vec<job::Model> = officer_jobs(app)
        .await
        .into_iter()
        .filter(|job| job.payload["staff_id"] == json!(officer.id))
        .collect();
    assert_eq!(mine.len(), 1, "one digest job for {}", officer.email);
    mine.remove(0)
}

/// How many of the emails the server accepted went to `address`.
fn sent_to(server: &TestSmtpServer, address: &str) -> usize {
    server
        .received()
        .iter()
        .filter(|email| email.rcpt_to.iter().any(|to| to == address))
        .count()
}

/// Runs the 07:30 `tick` (a poll that only plans) and asserts the planner succeeded and sent nothing;
/// returns the officer jobs it planned.
async fn plan_digest(
    app: &TestApp,
    worker: &Worker,
    server: &TestSmtpServer,
    tick: DateTime<Utc>,
) -> usize {
    let before_jobs = officer_jobs(app).await.len();
    let before_emails = server.received().len();
    app.set_clock(tick);
    assert_eq!(
        worker.run_once().await.unwrap(),
        1,
        "the tick runs at {tick}"
    );
    let ticks = jobs::of_kind(app.db(), "cron:morning_digest")
        .await
        .unwrap();
    let tick_job = ticks.iter().find(|j| j.run_at == tick).unwrap();
    assert_eq!(tick_job.state, "succeeded");
    assert_eq!(
        server.received().len(),
        before_emails,
        "planning sends nothing"
    );
    officer_jobs(app).await.len() - before_jobs
}

/// An email transport that passes every email to `inner`, except that the first `failures` sends to
/// `address` fail as a mail server answering "try again later" would.
#[derive(Debug)]
struct FailsFirstSendsTo {
    inner: Arc<dyn EmailTransport>,
    address: String,
    failures: AtomicUsize,
}

type SendFuture<'a> = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<Accepted, TransportError>> + Send + 'a>,
>;

impl EmailTransport for FailsFirstSendsTo {
    fn send<'life0, 'life1, 'async_trait>(
        &'life0 self,
        email: &'life1 OutgoingEmail,
    ) -> SendFuture<'async_trait>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        Self: 'async_trait,
    {
        Box::pin(async move {
            let fail = email.to == self.address
                && self
                    .failures
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok();
            if fail {
                return Err(TransportError::NotAccepted(
                    "the mail server asked us to try later (SMTP 451)".to_owned(),
                ));
            }
            self.inner.send(email).await
        })
    }
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
        // 07:30: the tick plans a digest for each officer (the coordinator and the offender manager) ...
        assert_eq!(
            plan_digest(&app, &worker, &server, at("2026-11-24T07:30:00Z")).await,
            2
        );
        // ... and the next poll sends them: the coordinator has nothing to report.
        assert_eq!(worker.run_once().await.unwrap(), 2);
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
        assert_eq!(
            digest.header("X-Vigil-Reference"),
            Some(format!("digest-20261124-{}", om.id.simple()))
        );
        // Once a day.
        assert_eq!(worker.run_once().await.unwrap(), 0);
        assert_eq!(server.received().len(), 1);
    }

    /// Runs the 07:30 `tick` and the poll after it; returns how many officers were planned and how many
    /// emails were sent.
    async fn digest_on(
        app: &TestApp,
        worker: &Worker,
        server: &TestSmtpServer,
        tick: DateTime<Utc>,
    ) -> (usize, usize) {
        let before = server.received().len();
        let planned = plan_digest(app, worker, server, tick).await;
        assert_eq!(
            worker.run_once().await.unwrap(),
            planned,
            "the poll after the tick runs the officers' jobs"
        );
        // The server keeps a message before it answers the final `.`, so the send is complete here.
        (planned, server.received().len() - before)
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
            (2, 1),
            "Friday"
        );
        assert_eq!(
            digest_on(&app, &worker, &server, at("2026-11-28T07:30:00Z")).await,
            (0, 0),
            "Saturday"
        );
        assert_eq!(
            digest_on(&app, &worker, &server, at("2026-11-29T07:30:00Z")).await,
            (0, 0),
            "Sunday"
        );
        assert_eq!(
            digest_on(&app, &worker, &server, at("2026-12-28T07:30:00Z")).await,
            (0, 0),
            "Monday 28 December 2026, the Boxing Day substitute bank holiday"
        );
        assert_eq!(
            digest_on(&app, &worker, &server, at("2026-12-29T07:30:00Z")).await,
            (2, 1),
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
            (2, 1)
        );
        assert_eq!(server.received().len(), before + 1);
    }

    #[tokio::test]
    async fn a_failed_send_is_retried_for_that_officer_alone() {
        let app = spawn_app().await;
        let server = TestSmtpServer::start().await.unwrap();
        let outbox = tempfile::tempdir().unwrap();
        let (first, second) = two_officers_with_work(&app).await;
        let email = Arc::new(FailsFirstSendsTo {
            inner: smtp(&server),
            address: second.email.clone(),
            failures: AtomicUsize::new(1),
        });
        let worker = worker_mailing(&app, email, &outbox);

        let tick = at("2026-11-24T07:30:00Z");
        assert_eq!(plan_digest(&app, &worker, &server, tick).await, 3);
        // The three officers' jobs run; the second officer's send fails and only their job waits to retry.
        assert_eq!(worker.run_once().await.unwrap(), 3);
        assert_eq!(sent_to(&server, &first.email), 1);
        assert_eq!(sent_to(&server, &second.email), 0);
        assert_eq!(officer_job(&app, &first).await.state, "succeeded");
        let retrying = officer_job(&app, &second).await;
        assert_eq!(
            (retrying.state.as_str(), retrying.attempts),
            ("available", 1)
        );
        assert!(retrying.run_at > tick, "{retrying:?}");
        assert!(
            retrying
                .last_error
                .as_deref()
                .unwrap_or_default()
                .contains("SMTP 451"),
            "{retrying:?}"
        );
        // Nothing runs before the backoff is over.
        assert_eq!(worker.run_once().await.unwrap(), 0);

        app.set_clock(retrying.run_at);
        assert_eq!(
            worker.run_once().await.unwrap(),
            1,
            "only the second officer's job"
        );
        assert_eq!(sent_to(&server, &second.email), 1);
        assert_eq!(officer_job(&app, &second).await.state, "succeeded");
        assert_eq!(
            sent_to(&server, &first.email),
            1,
            "the first officer is not mailed again"
        );
        app.advance(Duration::hours(1));
        assert_eq!(worker.run_once().await.unwrap(), 0);
        assert_eq!(server.received().len(), 2);
    }

    #[tokio::test]
    async fn planning_the_same_day_twice_plans_each_officer_once() {
        let app = spawn_app().await;
        let server = TestSmtpServer::start().await.unwrap();
        let outbox = tempfile::tempdir().unwrap();
        let worker = worker(&app, &server, &outbox);
        let (first, second) = two_officers_with_work(&app).await;

        let tick = at("2026-11-24T07:30:00Z");
        assert_eq!(plan_digest(&app, &worker, &server, tick).await, 3);
        // The same tick planned again (as a planner re-run after its jobs were committed would).
        let again = NewJob::new(
            "cron:morning_digest",
            json!({"schedule": "morning_digest", "tick": "2026-11-24T07:30:00Z"}),
            tick,
        )
        .with_unique_key("cron:morning_digest:planned-again");
        jobs::enqueue(app.db(), again, tick).await.unwrap();
        // The second planner and the three officers' jobs run together: the planner adds nothing.
        assert_eq!(worker.run_once().await.unwrap(), 4);
        assert_eq!(officer_jobs(&app).await.len(), 3, "one job per officer");
        let planners = jobs::of_kind(app.db(), "cron:morning_digest")
            .await
            .unwrap();
        assert!(
            planners.iter().all(|j| j.state == "succeeded"),
            "{planners:?}"
        );
        assert_eq!(worker.run_once().await.unwrap(), 0);
        assert_eq!(sent_to(&server, &first.email), 1);
        assert_eq!(sent_to(&server, &second.email), 1);
        assert_eq!(server.received().len(), 2);
    }

    #[tokio::test]
    async fn an_address_the_mail_server_refuses_fails_that_digest_for_good() {
        let app = spawn_app().await;
        let replies = SmtpReplies::default().rcpt("550 5.1.1 No such user");
        let server = TestSmtpServer::start_with(replies).await.unwrap();
        let outbox = tempfile::tempdir().unwrap();
        let worker = worker(&app, &server, &outbox);
        let om = caseload_with_an_overdue_outcome(&app).await;

        let tick = at("2026-11-24T07:30:00Z");
        assert_eq!(plan_digest(&app, &worker, &server, tick).await, 2);
        assert_eq!(worker.run_once().await.unwrap(), 2);
        let refused = officer_job(&app, &om).await;
        assert_eq!(refused.state, "discarded");
        assert_eq!(
            refused.last_error.as_deref(),
            Some("the mail server refused the email address (SMTP 550)")
        );
        app.advance(Duration::hours(1));
        assert_eq!(worker.run_once().await.unwrap(), 0, "not tried again");
    }

    #[tokio::test]
    async fn an_officer_deactivated_after_planning_gets_no_digest() {
        let app = spawn_app().await;
        let server = TestSmtpServer::start().await.unwrap();
        let outbox = tempfile::tempdir().unwrap();
        let worker = worker(&app, &server, &outbox);
        let (staying, leaving) = two_officers_with_work(&app).await;

        let tick = at("2026-11-24T07:30:00Z");
        assert_eq!(plan_digest(&app, &worker, &server, tick).await, 3);
        staff::update(app.db(), leaving.id, None, Some(false), tick)
            .await
            .unwrap();
        assert_eq!(worker.run_once().await.unwrap(), 3);
        assert_eq!(sent_to(&server, &staying.email), 1);
        assert_eq!(sent_to(&server, &leaving.email), 0);
        assert_eq!(officer_job(&app, &leaving).await.state, "succeeded");
    }

    #[tokio::test]
    async fn a_digest_that_runs_after_its_day_is_over_is_skipped() {
        let app = spawn_app().await;
        let server = TestSmtpServer::start().await.unwrap();
        let outbox = tempfile::tempdir().unwrap();
        let worker = worker(&app, &server, &outbox);
        let om = caseload_with_an_overdue_outcome(&app).await;

        assert_eq!(
            plan_digest(&app, &worker, &server, at("2026-11-24T07:30:00Z")).await,
            2
        );
        // The workers were down until just after midnight: Tuesday's list is not sent on Wednesday ...
        app.set_clock(at("2026-11-25T00:00:30Z"));
        assert_eq!(worker.run_once().await.unwrap(), 2);
        assert!(server.received().is_empty());
        assert_eq!(officer_job(&app, &om).await.state, "succeeded");
        // ... Wednesday's own digest says the same and more.
        assert_eq!(
            digest_on(&app, &worker, &server, at("2026-11-25T07:30:00Z")).await,
            (2, 1)
        );
        assert_eq!(sent_to(&server, &om.email), 1);
    }
}
