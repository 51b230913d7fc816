#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A reminder withdrawn (its appointment rescheduled or cancelled) while its send is under way, or in
//! doubt after a provider's 5xx. It may already have gone, so it cannot simply be suppressed; but if it
//! turns out not to have gone it must not be sent afterwards, with a time the person no longer needs.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;
use vigil_e2e::app::{GatedSms, notify_sms};
use vigil_e2e::scheduling::{FIRST_SEND, SMS_PATH, booked_first_reminder, notify_failing_once};
use vigil_e2e::{TestApp, TestUser, spawn_app};
use vigil_persistence::entities::{job, notification};
use vigil_scheduler::Worker;
use vigil_scheduler::transport::TransportError;
use wiremock::MockServer;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

async fn sms_posts(notify: &MockServer) -> usize {
    notify
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path() == SMS_PATH)
        .count()
}

/// Changes the reminder's appointment through the API.
async fn change_appointment(
    app: &TestApp,
    om: &TestUser,
    message: &notification::Model,
    change: serde_json::Value,
) {
    let id: Uuid = message.appointment_id.unwrap();
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &format!("/api/v1/appointments/{id}"),
            om,
            change,
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

async fn reschedule(app: &TestApp, om: &TestUser, message: &notification::Model, starts_at: &str) {
    change_appointment(app, om, message, json!({"starts_at": starts_at})).await;
}

/// The app on the day of a reminder's send, with the officer who booked it signed in again (the
/// booking's token has expired by then).
async fn on_the_day_of_the_first_reminder(app: &TestApp) -> (TestUser, notification::Model) {
    let (om, message) = booked_first_reminder(app).await;
    app.set_clock(at(FIRST_SEND));
    (app.signed_in_again(&om).await, message)
}

/// A reminder whose first send, through a Notify fake, was answered `first_answer`: the app, the fake,
/// the worker, the officer and the message.
async fn first_send_answered(
    first_answer: u16,
) -> (TestApp, MockServer, Worker, TestUser, notification::Model) {
    let app = spawn_app().await;
    let notify = notify_failing_once(first_answer).await;
    let worker = app.sms_worker(notify_sms(&notify.uri()));
    let (om, message) = on_the_day_of_the_first_reminder(&app).await;
    worker.run_once().await.unwrap();
    (app, notify, worker, om, message)
}

#[tokio::test]
async fn a_reminder_rescheduled_away_while_in_doubt_is_suppressed_not_sent_late() {
    let (app, notify, worker, om, message) = first_send_answered(503).await;
    assert_eq!(app.notification(message.id).await.status, "sending");

    // In the retry window the appointment moves: the message may have gone, so it stays `sending`,
    // marked with why it is no longer wanted.
    reschedule(&app, &om, &message, "2026-11-27T10:00:00Z").await;
    let marked = app.notification(message.id).await;
    assert_eq!(
        (marked.status.as_str(), marked.reason.as_deref()),
        ("sending", Some("appointment_rescheduled"))
    );

    // The retry asks Notify, which never got it: suppressed, not sent with the old time.
    app.set_clock(app.send_job_of(message.id).await.run_at);
    worker.run_once().await.unwrap();
    let row = app.notification(message.id).await;
    assert_eq!(
        (row.status.as_str(), row.reason.as_deref()),
        ("suppressed", Some("appointment_rescheduled"))
    );
    assert_eq!(sms_posts(&notify).await, 1, "only the attempt that failed");
    assert_eq!(app.send_job_of(message.id).await.state, "succeeded");
    let planned_for_new_time = app
        .notifications_of(message.person_id.unwrap())
        .await
        .into_iter()
        .filter(|n| n.status == "pending" && n.channel == "sms")
        .count();
    assert!(planned_for_new_time > 0, "the new time's reminders stand");
}

#[tokio::test]
async fn a_reminder_rescheduled_back_while_in_doubt_is_sent_after_all() {
    let (app, notify, worker, om, message) = first_send_answered(503).await;

    reschedule(&app, &om, &message, "2026-11-27T10:00:00Z").await;
    reschedule(&app, &om, &message, "2026-11-26T10:00:00Z").await;
    let wanted_again = app.notification(message.id).await;
    assert_eq!(
        (wanted_again.status.as_str(), wanted_again.reason.as_deref()),
        ("sending", None)
    );

    app.set_clock(app.send_job_of(message.id).await.run_at);
    worker.run_once().await.unwrap();
    let row = app.notification(message.id).await;
    assert_eq!(row.status, "sent");
    assert_eq!(sms_posts(&notify).await, 2, "sent again after the lookup");
}

/// The withdrawal comes while the provider is still answering, and the answer is "not taken" (here a
/// rate limit): the message is suppressed, not put back to be sent later.
#[tokio::test]
async fn a_reminder_cancelled_while_its_send_is_not_taken_is_suppressed_not_retried() {
    let app = spawn_app().await;
    let arrived = Arc::new(tokio::sync::Notify::new());
    let release = Arc::new(tokio::sync::Notify::new());
    let gated = GatedSms {
        answer: Err(TransportError::RateLimited {
            retry_after: StdDuration::from_secs(30),
        }),
        arrived: arrived.clone(),
        release: release.clone(),
    };
    let worker = app.sms_worker(Arc::new(gated));
    let (om, message) = on_the_day_of_the_first_reminder(&app).await;

    let sending = tokio::spawn(async move { worker.run_once().await });
    arrived.notified().await;
    assert_eq!(app.notification(message.id).await.status, "sending");
    change_appointment(&app, &om, &message, json!({"status": "cancelled"})).await;
    release.notify_one();
    sending.await.unwrap().unwrap();

    let row = app.notification(message.id).await;
    assert_eq!(
        (row.status.as_str(), row.reason.as_deref()),
        ("suppressed", Some("appointment_cancelled"))
    );
    assert_eq!(app.send_job_of(message.id).await.state, "succeeded");
}

/// A change that leaves the start alone (a new room) withdraws nothing, not even a reminder whose time
/// has come and whose send is waiting: after a rate limit (`pending`) or a 5xx (`sending`).
#[tokio::test]
async fn a_new_location_leaves_a_waiting_reminder_to_be_sent() {
    for (first_answer, waiting_as) in [(429, "pending"), (503, "sending")] {
        let (app, notify, worker, om, message) = first_send_answered(first_answer).await;
        assert_eq!(app.notification(message.id).await.status, waiting_as);

        change_appointment(&app, &om, &message, json!({"location": "Room 9"})).await;
        let row = app.notification(message.id).await;
        assert_eq!(
            (row.status.as_str(), row.reason.as_deref()),
            (waiting_as, None),
            "after a {first_answer}"
        );

        app.set_clock(app.send_job_of(message.id).await.run_at);
        worker.run_once().await.unwrap();
        assert_eq!(
            app.notification(message.id).await.status,
            "sent",
            "after a {first_answer}"
        );
        assert_eq!(sms_posts(&notify).await, 2, "after a {first_answer}");
    }
}

/// A reminder withdrawn just after a worker had claimed its job (the worker then finds it suppressed and
/// ends the job; with clocks a little apart the API can still see its send time ahead) and then wanted
/// again: the revived message gets its job back, rather than waiting for ever.
#[tokio::test]
async fn a_revived_reminder_whose_job_had_ended_is_sent() {
    let app = spawn_app().await;
    let notify = notify_failing_once(503).await;
    let worker = app.sms_worker(notify_sms(&notify.uri()));
    let (om, message) = booked_first_reminder(&app).await;
    // As the race leaves it: withdrawn by a reschedule, and its job ended.
    notification::Entity::update_many()
        .col_expr(notification::Column::Status, "suppressed".into())
        .col_expr(
            notification::Column::Reason,
            Some("appointment_rescheduled").into(),
        )
        .filter(notification::Column::Id.eq(message.id))
        .exec(app.db())
        .await
        .unwrap();
    job::Entity::update_many()
        .col_expr(job::Column::State, "succeeded".into())
        .filter(job::Column::Id.eq(app.send_job_of(message.id).await.id))
        .exec(app.db())
        .await
        .unwrap();

    // Planned again for the same start (the appointment back as it was; here, a new room).
    change_appointment(&app, &om, &message, json!({"location": "Room 9"})).await;
    assert_eq!(app.notification(message.id).await.status, "pending");
    let job = app.send_job_of(message.id).await;
    assert_eq!(
        (job.state.as_str(), job.run_at),
        ("available", at(FIRST_SEND))
    );

    app.set_clock(at(FIRST_SEND));
    // The fake's first answer is a 503; the retry sends it.
    worker.run_once().await.unwrap();
    app.set_clock(app.send_job_of(message.id).await.run_at);
    worker.run_once().await.unwrap();
    assert_eq!(app.notification(message.id).await.status, "sent");
}
