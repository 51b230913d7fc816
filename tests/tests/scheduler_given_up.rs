#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A reminder whose send job ends without sending it (its attempts used up, a permanent error of the job's
//! own, or a worker that stopped during the final attempt) must not stay `pending` with no reason: it is
//! marked failed (or `unknown`, if it may have gone) as the job ends, and officers see why.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use vigil_e2e::app::{DiesAfterSending, RecordingEmail, notify_sms};
use vigil_e2e::scheduling::{FIRST_SEND, booked_first_reminder};
use vigil_e2e::{TestApp, TestUser, spawn_app};
use vigil_persistence::entities::{appointment, job, notification};
use vigil_scheduler::transport::SmsTransport;
use vigil_scheduler::{SchedulerConfig, Worker, queue};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

const SMS_PATH: &str = "/v2/notifications/sms";

fn worker_named(app: &TestApp, id: &str, sms: Arc<dyn SmsTransport>) -> Worker {
    let email = Arc::new(RecordingEmail::default());
    app.worker_with(id, sms, email, &SchedulerConfig::default())
}

/// A Notify fake answering every text with `response`.
async fn notify_answering(response: ResponseTemplate) -> MockServer {
    let notify = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(SMS_PATH))
        .respond_with(response)
        .mount(&notify)
        .await;
    notify
}

/// The message as `GET /people/{id}/notifications` shows it to the officer.
async fn shown_to(app: &TestApp, om: &TestUser, message: &notification::Model) -> Value {
    let om = app.signed_in_again(om).await;
    let (status, listed) = app
        .get_json(
            &format!(
                "/api/v1/people/{}/notifications",
                message.person_id.unwrap()
            ),
            &om,
        )
        .await;
    assert_eq!(status, 200);
    listed
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == json!(message.id))
        .unwrap()
        .clone()
}

/// Makes the next claim of the message's send job its last attempt.
async fn on_its_last_attempt(app: &TestApp, message: &notification::Model) {
    let send_job = app.send_job_of(message.id).await;
    job::Entity::update_many()
        .col_expr(
            job::Column::Attempts,
            Expr::value(send_job.max_attempts - 1),
        )
        .filter(job::Column::Id.eq(send_job.id))
        .exec(app.db())
        .await
        .unwrap();
}

mod scheduler {
    use super::*;

    #[tokio::test]
    async fn a_reminder_whose_attempts_run_out_is_failed_with_the_reason() {
        let app = spawn_app().await;
        // A wrong API key: every attempt fails the same way, each one counted.
        let notify = notify_answering(ResponseTemplate::new(403)).await;
        let worker = worker_named(&app, "worker-1", notify_sms(&notify.uri()));
        let (om, message) = booked_first_reminder(&app).await;

        app.set_clock(at(FIRST_SEND));
        for _ in 0..20 {
            assert_eq!(worker.run_once().await.unwrap(), 1);
            let send_job = app.send_job_of(message.id).await;
            if send_job.state != "available" {
                break;
            }
            app.set_clock(send_job.run_at);
        }
        let send_job = app.send_job_of(message.id).await;
        assert_eq!(
            (send_job.state.as_str(), send_job.attempts),
            ("discarded", send_job.max_attempts)
        );
        let row = app.notification(message.id).await;
        assert_eq!(row.status, "failed", "{row:?}");
        let reason = row.reason.clone().unwrap();
        assert!(reason.contains("5 attempts"), "{reason}");
        assert!(reason.contains("API key"), "{reason}");
        let shown = shown_to(&app, &om, &message).await;
        assert_eq!(
            (shown["status"].clone(), shown["reason"].clone()),
            (json!("failed"), json!(reason))
        );
    }

    #[tokio::test]
    async fn a_reminder_whose_job_fails_for_good_is_failed_at_once() {
        let app = spawn_app().await;
        let notify = notify_answering(ResponseTemplate::new(201)).await;
        let worker = worker_named(&app, "worker-1", notify_sms(&notify.uri()));
        let (om, message) = booked_first_reminder(&app).await;
        // An appointment type this version does not know (written by a newer one, say).
        appointment::Entity::update_many()
            .col_expr(appointment::Column::AppointmentType, Expr::value("seance"))
            .filter(appointment::Column::Id.eq(message.appointment_id.unwrap()))
            .exec(app.db())
            .await
            .unwrap();

        app.set_clock(at(FIRST_SEND));
        assert_eq!(worker.run_once().await.unwrap(), 1);
        assert_eq!(app.send_job_of(message.id).await.state, "discarded");
        let row = app.notification(message.id).await;
        assert_eq!(
            (row.status.as_str(), row.reason.as_deref()),
            ("failed", Some("not sent: appointment of an unknown type"))
        );
        assert_eq!(shown_to(&app, &om, &message).await["status"], "failed");
        assert!(notify.received_requests().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_reminder_whose_worker_stopped_during_the_final_attempt_is_failed() {
        let app = spawn_app().await;
        let notify = notify_answering(ResponseTemplate::new(201)).await;
        let (_, message) = booked_first_reminder(&app).await;
        on_its_last_attempt(&app, &message).await;

        // A worker claims the job for its last attempt and stops before sending anything.
        app.set_clock(at(FIRST_SEND));
        let lease = StdDuration::from_secs(60);
        let claimed = queue::claim(app.db(), "stopped", 10, lease, app.now())
            .await
            .unwrap();
        assert_eq!(claimed.len(), 1);
        app.advance(Duration::seconds(61));
        let rescuer = worker_named(&app, "rescuer", notify_sms(&notify.uri()));
        assert_eq!(rescuer.run_once().await.unwrap(), 0, "not run again");

        assert_eq!(app.send_job_of(message.id).await.state, "discarded");
        let row = app.notification(message.id).await;
        assert_eq!(row.status, "failed", "{row:?}");
        assert!(
            row.reason.as_deref().unwrap().contains("final attempt"),
            "{row:?}"
        );
        assert!(notify.received_requests().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_reminder_whose_worker_died_mid_send_on_the_final_attempt_is_unknown() {
        let app = spawn_app().await;
        let notify = notify_answering(
            ResponseTemplate::new(201).set_body_json(json!({"id": "n-1", "reference": null})),
        )
        .await;
        let (_, message) = booked_first_reminder(&app).await;
        on_its_last_attempt(&app, &message).await;

        // The provider took the message, then the worker died before recording it.
        let sent = Arc::new(tokio::sync::Notify::new());
        let dying = worker_named(
            &app,
            "dies",
            Arc::new(DiesAfterSending {
                inner: notify_sms(&notify.uri()),
                sent: sent.clone(),
            }),
        );
        app.set_clock(at(FIRST_SEND));
        let arrived = sent.notified();
        let poll = tokio::spawn(async move { dying.run_once().await });
        tokio::time::timeout(StdDuration::from_secs(10), arrived)
            .await
            .expect("the provider was called");
        poll.abort();
        let _ = poll.await;
        let lease_end = app.send_job_of(message.id).await.lease_expires_at.unwrap();

        app.set_clock(lease_end);
        let rescuer = worker_named(&app, "rescuer", notify_sms(&notify.uri()));
        assert_eq!(rescuer.run_once().await.unwrap(), 0);
        let row = app.notification(message.id).await;
        assert_eq!(row.status, "unknown", "it may have gone: {row:?}");
        assert!(row.reason.is_some(), "{row:?}");
        assert_eq!(notify.received_requests().await.unwrap().len(), 1);
    }
}
