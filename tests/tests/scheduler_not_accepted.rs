#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A brief failure of the mail server or the SMS provider must not lose a reminder. When the provider
//! certainly did not take the message (the connection was refused, TLS failed, the mail server said
//! "try later"), the message goes back to `pending` and the retry sends it. Only when it may have gone
//! (the connection dropped after the message was handed over) is it left for a lookup, or `unknown`,
//! rather than risk sending it twice.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde_json::json;
use tokio::io::AsyncReadExt;
use vigil_e2e::app::RecordingEmail;
use vigil_e2e::scheduling::FIRST_SEND;
use vigil_e2e::{TestApp, spawn_app};
use vigil_persistence::entities::notification;
use vigil_scheduler::transport::testing::{SmtpReplies, TestSmtpServer};
use vigil_scheduler::transport::{EmailTransport, LogSms, SmsTransport, SmtpEmail, TwilioSms};
use vigil_scheduler::{SchedulerConfig, Worker};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// The 48-hour reminder of an appointment on Thursday 26 November at 10:00.
const FROM: &str = "Vigil <reminders@vigil.example.org>";
const TWILIO_SID: &str = "AC0123456789abcdef0123456789abcdef";

/// A loopback port nothing listens on: connecting to it is refused.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    listener.local_addr().unwrap().port()
}

fn smtp(url: String) -> Arc<dyn EmailTransport> {
    Arc::new(SmtpEmail::from_url(&SecretString::from(url), FROM).unwrap())
}

fn twilio(base_url: &str) -> Arc<dyn SmsTransport> {
    Arc::new(
        TwilioSms::new(
            base_url,
            TWILIO_SID.to_owned(),
            SecretString::from("twilio-auth-token-for-tests".to_owned()),
            "+447700900999".to_owned(),
            StdDuration::from_secs(5),
        )
        .unwrap(),
    )
}

/// A worker mailing through `email`; texts go to a log outbox.
fn mailing(app: &TestApp, email: Arc<dyn EmailTransport>, outbox: &tempfile::TempDir) -> Worker {
    let sms = Arc::new(LogSms::new(outbox.path().to_path_buf()));
    app.worker_with("worker-1", sms, email, &SchedulerConfig::default())
}

/// A worker texting through `sms`.
fn texting(app: &TestApp, sms: Arc<dyn SmsTransport>) -> Worker {
    let email = Arc::new(RecordingEmail::default());
    app.worker_with("worker-1", sms, email, &SchedulerConfig::default())
}

/// A person reached by `contact` (`email` or `mobile`) with an appointment on Thursday at 10:00;
/// returns the reminder due on Tuesday at 10:00 on that channel.
async fn reminder_by(app: &TestApp, channel: &str) -> notification::Model {
    let om = app.user("offender_manager", None).await;
    let details = if channel == "email" {
        json!({"email": "kai.webb@example.org", "email_consent": true})
    } else {
        json!({"mobile": "07700 900123", "sms_consent": true})
    };
    let person = app.person_with(&om, "Kai", "Webb", details).await;
    app.book(
        &om,
        person,
        json!({"type": "office_visit", "starts_at": "2026-11-26T10:00:00Z", "duration_minutes": 30}),
    )
    .await;
    app.notifications_of(person)
        .await
        .into_iter()
        .find(|n| n.send_at == at(FIRST_SEND) && n.channel == channel)
        .unwrap()
}

/// Runs the first attempt with `down` and asserts the message is back to `pending`, to be sent on the
/// retry; then runs the retry with `up` and asserts it was sent.
async fn first_fails_then_sent(
    app: &TestApp,
    message: &notification::Model,
    down: Worker,
    up: Worker,
) {
    app.set_clock(at(FIRST_SEND));
    // The reminder, and for an email its twin text (suppressed: no mobile).
    assert!(down.run_once().await.unwrap() >= 1);
    let row = app.notification(message.id).await;
    assert_eq!(
        (row.status.as_str(), row.reason.as_deref()),
        ("pending", None),
        "known not to have gone, so to be sent again: {row:?}"
    );
    let job = app.send_job_of(message.id).await;
    assert_eq!(job.state, "available");
    assert!(job.run_at > at(FIRST_SEND), "{job:?}");

    app.set_clock(job.run_at);
    assert_eq!(up.run_once().await.unwrap(), 1);
    let row = app.notification(message.id).await;
    assert_eq!(row.status, "sent", "not lost: {row:?}");
    assert_eq!(app.send_job_of(message.id).await.state, "succeeded");
}

async fn email_refused_then_sent(replies: SmtpReplies) {
    let app = spawn_app().await;
    let outbox = tempfile::tempdir().unwrap();
    let refusing = TestSmtpServer::start_with(replies).await.unwrap();
    let server = TestSmtpServer::start().await.unwrap();
    let message = reminder_by(&app, "email").await;
    let down = mailing(&app, smtp(refusing.url()), &outbox);
    let up = mailing(&app, smtp(server.url()), &outbox);

    first_fails_then_sent(&app, &message, down, up).await;
    assert!(refusing.received().is_empty());
    let received = server.wait_for(1, StdDuration::from_secs(5)).await;
    assert_eq!(received.len(), 1, "sent once");
}

/// The first attempt goes to the SMTP URL `down` gives for the working server (one that cannot be reached
/// or talked to), the retry to the working server: sent once.
async fn email_unreachable_then_sent(down: impl FnOnce(&TestSmtpServer) -> String) {
    let app = spawn_app().await;
    let outbox = tempfile::tempdir().unwrap();
    let server = TestSmtpServer::start().await.unwrap();
    let message = reminder_by(&app, "email").await;
    let first = mailing(&app, smtp(down(&server)), &outbox);
    let up = mailing(&app, smtp(server.url()), &outbox);

    first_fails_then_sent(&app, &message, first, up).await;
    assert_eq!(server.wait_for(1, StdDuration::from_secs(5)).await.len(), 1);
}

mod scheduler {
    use super::*;

    #[tokio::test]
    async fn an_email_whose_mail_server_refused_the_connection_is_sent_on_the_retry() {
        email_unreachable_then_sent(|_| format!("smtp://127.0.0.1:{}?tls=none", closed_port()))
            .await;
    }

    #[tokio::test]
    async fn an_email_whose_tls_handshake_failed_is_sent_on_the_retry() {
        // The server speaks plain SMTP, so a client starting with TLS fails the handshake.
        email_unreachable_then_sent(|server| format!("smtps://127.0.0.1:{}", server.port())).await;
    }

    #[tokio::test]
    async fn an_email_greylisted_at_the_recipient_is_sent_on_the_retry() {
        email_refused_then_sent(
            SmtpReplies::default().rcpt("451 4.7.1 Greylisted, please try again later"),
        )
        .await;
    }

    #[tokio::test]
    async fn an_email_the_server_could_not_take_after_its_data_is_sent_on_the_retry() {
        // RFC 5321: a 4xx reply to the end of the data means the server did not take the message.
        email_refused_then_sent(
            SmtpReplies::default().data("452 4.3.1 Insufficient system storage"),
        )
        .await;
    }

    #[tokio::test]
    async fn an_email_whose_server_hung_up_after_the_data_is_not_sent_again() {
        let app = spawn_app().await;
        let outbox = tempfile::tempdir().unwrap();
        // It may have taken the message before hanging up: never send it twice.
        let hangs_up = TestSmtpServer::start_with(SmtpReplies::default().data(""))
            .await
            .unwrap();
        let server = TestSmtpServer::start().await.unwrap();
        let message = reminder_by(&app, "email").await;

        app.set_clock(at(FIRST_SEND));
        let down = mailing(&app, smtp(hangs_up.url()), &outbox);
        assert!(down.run_once().await.unwrap() >= 1);
        assert_eq!(app.notification(message.id).await.status, "sending");
        app.set_clock(app.send_job_of(message.id).await.run_at);
        let up = mailing(&app, smtp(server.url()), &outbox);
        assert_eq!(up.run_once().await.unwrap(), 1);
        let row = app.notification(message.id).await;
        assert_eq!(row.status, "unknown", "{row:?}");
        assert!(server.received().is_empty(), "not sent twice");
    }

    #[tokio::test]
    async fn a_text_whose_twilio_connection_was_refused_is_sent_on_the_retry() {
        let app = spawn_app().await;
        let provider = MockServer::start().await;
        let messages = format!("/2010-04-01/Accounts/{TWILIO_SID}/Messages.json");
        Mock::given(method("POST"))
            .and(path(messages.as_str()))
            .respond_with(ResponseTemplate::new(201).set_body_json(json!({"sid": "SM1"})))
            .mount(&provider)
            .await;
        let message = reminder_by(&app, "sms").await;
        let down = texting(&app, twilio(&format!("http://127.0.0.1:{}", closed_port())));
        let up = texting(&app, twilio(&provider.uri()));

        first_fails_then_sent(&app, &message, down, up).await;
        assert_eq!(provider.received_requests().await.unwrap().len(), 1);
        let row = app.notification(message.id).await;
        assert_eq!(row.provider_id.as_deref(), Some("SM1"));
    }

    #[tokio::test]
    async fn a_text_whose_twilio_connection_dropped_after_the_request_is_not_sent_again() {
        let app = spawn_app().await;
        // Reads the request, then hangs up without answering: Twilio may have taken it.
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap();
        let address = listener.local_addr().unwrap();
        let hang_up = tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut buffer = [0_u8; 4096];
            let _ = stream.read(&mut buffer).await;
        });
        let provider = MockServer::start().await;
        let message = reminder_by(&app, "sms").await;

        app.set_clock(at(FIRST_SEND));
        let down = texting(&app, twilio(&format!("http://{address}")));
        assert_eq!(down.run_once().await.unwrap(), 1);
        hang_up.await.unwrap();
        assert_eq!(app.notification(message.id).await.status, "sending");
        app.set_clock(app.send_job_of(message.id).await.run_at);
        let up = texting(&app, twilio(&provider.uri()));
        assert_eq!(up.run_once().await.unwrap(), 1);
        assert_eq!(app.notification(message.id).await.status, "unknown");
        assert!(provider.received_requests().await.unwrap().is_empty());
    }
}
