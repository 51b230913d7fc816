#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The development transport writes an outbox file per message and logs only the reference.

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use vigil_scheduler::transport::{
    EmailTransport, LogEmail, LogSms, Lookup, OutgoingEmail, OutgoingSms, SmsTransport,
    TransportError,
};

/// Collects what the log subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

fn capture_logs() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    (captured, guard)
}

#[tokio::test]
async fn an_sms_is_written_to_the_outbox_and_only_its_reference_logged() {
    let outbox = tempfile::tempdir().unwrap();
    let folder = outbox.path().join("outbox");
    let log = LogSms::new(folder.clone());
    let (captured, _guard) = capture_logs();

    let sms = OutgoingSms {
        to: "+447700900123".to_owned(),
        body: "Reminder: appointment on Tuesday at 10:00.".to_owned(),
        reference: "0190d7a4-8c1e-7b3a-9f00-123456789abc".to_owned(),
    };
    let accepted = log.send(&sms).await.unwrap();
    assert_eq!(
        accepted.provider_id,
        "log-0190d7a4-8c1e-7b3a-9f00-123456789abc"
    );

    let file = folder.join("0190d7a4-8c1e-7b3a-9f00-123456789abc.sms.json");
    let written: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(written["to"], "+447700900123");
    assert_eq!(
        written["body"],
        "Reminder: appointment on Tuesday at 10:00."
    );
    assert_eq!(written["reference"], "0190d7a4-8c1e-7b3a-9f00-123456789abc");

    let logs = captured.text();
    assert!(
        logs.contains("0190d7a4-8c1e-7b3a-9f00-123456789abc"),
        "{logs}"
    );
    assert!(!logs.contains("+447700900123"), "{logs}");
    assert!(!logs.contains("7700900123"), "{logs}");
    assert!(!logs.contains("appointment on Tuesday"), "{logs}");

    assert_eq!(
        log.lookup("0190d7a4-8c1e-7b3a-9f00-123456789abc")
            .await
            .unwrap(),
        Lookup::Found {
            provider_id: "log-0190d7a4-8c1e-7b3a-9f00-123456789abc".to_owned(),
            status: "delivered".to_owned()
        }
    );
    assert_eq!(log.lookup("never-sent").await.unwrap(), Lookup::NotFound);
    assert_eq!(log.name(), "log");
}

#[tokio::test]
async fn an_email_is_written_to_the_outbox() {
    let outbox = tempfile::tempdir().unwrap();
    let log = LogEmail::new(outbox.path().to_path_buf());
    let (captured, _guard) = capture_logs();

    let email = OutgoingEmail {
        to: "person@example.org".to_owned(),
        subject: "Your appointment".to_owned(),
        body: "Hello, your appointment is on Tuesday.".to_owned(),
        reference: "ref-email-1".to_owned(),
    };
    let accepted = log.send(&email).await.unwrap();
    assert_eq!(accepted.provider_id, "log-ref-email-1");

    let written: Value = serde_json::from_slice(
        &std::fs::read(outbox.path().join("ref-email-1.email.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(written["to"], "person@example.org");
    assert_eq!(written["subject"], "Your appointment");
    assert_eq!(written["body"], "Hello, your appointment is on Tuesday.");

    let logs = captured.text();
    assert!(logs.contains("ref-email-1"), "{logs}");
    assert!(!logs.contains("person@example.org"), "{logs}");
    assert!(!logs.contains("your appointment is on Tuesday"), "{logs}");
}

#[tokio::test]
async fn a_reference_that_is_not_a_safe_file_name_is_refused() {
    let outbox = tempfile::tempdir().unwrap();
    let folder = outbox.path().join("outbox");
    let log = LogSms::new(folder.clone());
    let sms = OutgoingSms {
        to: "+447700900123".to_owned(),
        body: "x".to_owned(),
        reference: "../escaped".to_owned(),
    };
    assert!(matches!(
        log.send(&sms).await.unwrap_err(),
        TransportError::Rejected(_)
    ));
    assert!(!outbox.path().join("escaped.sms.json").exists());
    assert!(!folder.exists());
}
