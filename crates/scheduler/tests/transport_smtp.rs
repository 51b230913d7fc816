#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Email through a real SMTP server on loopback (`transport::testing`).

use std::time::Duration;

use secrecy::SecretString;
use vigil_scheduler::transport::testing::{SmtpReplies, TestSmtpServer};
use vigil_scheduler::transport::{EmailTransport, OutgoingEmail, SmtpEmail, TransportError};

const FROM: &str = "Vigil Reminders <reminders@vigil.example>";

fn smtp(server: &TestSmtpServer) -> SmtpEmail {
    SmtpEmail::from_url(&SecretString::from(server.url()), FROM).unwrap()
}

fn email(body: &str) -> OutgoingEmail {
    OutgoingEmail {
        to: "person@example.org".to_owned(),
        subject: "Appointment reminder".to_owned(),
        body: body.to_owned(),
        reference: "ref-1".to_owned(),
    }
}

#[tokio::test]
async fn an_email_arrives_with_its_recipient_subject_body_and_reference() {
    let server = TestSmtpServer::start().await.unwrap();
    let body = "You have an appointment on Tuesday at 10:00.\n.Bring your letter.\n";

    let accepted = smtp(&server).send(&email(body)).await.unwrap();
    assert_eq!(accepted.provider_id, "ref-1@vigil.example");

    let received = server.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(received.len(), 1);
    let message = &received[0];
    assert_eq!(message.mail_from, "reminders@vigil.example");
    assert_eq!(message.rcpt_to, vec!["person@example.org".to_owned()]);
    assert_eq!(
        message.header("Subject").as_deref(),
        Some("Appointment reminder")
    );
    assert_eq!(message.header("To").as_deref(), Some("person@example.org"));
    assert_eq!(
        message.header("X-Vigil-Reference").as_deref(),
        Some("ref-1")
    );
    assert_eq!(
        message.header("Message-ID").as_deref(),
        Some("<ref-1@vigil.example>")
    );
    assert_eq!(
        message.header("Content-Type").as_deref(),
        Some("text/plain; charset=utf-8")
    );
    assert!(
        message
            .body()
            .contains("You have an appointment on Tuesday at 10:00.\r\n.Bring your letter."),
        "{}",
        message.body()
    );
}

#[tokio::test]
async fn welsh_text_is_sent_transfer_encoded() {
    let server = TestSmtpServer::start().await.unwrap();
    let welsh = OutgoingEmail {
        subject: "Nodyn atgoffa am apwyntiad".to_owned(),
        ..email("Mae gennych apwyntiad ddydd Mawrth am 10:00. Diolch yn fawr — ŵ ŷ.")
    };
    smtp(&server).send(&welsh).await.unwrap();
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert!(
        received[0].data.is_ascii(),
        "the message should be 7-bit on the wire"
    );
    let encoding = received[0]
        .header("Content-Transfer-Encoding")
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        encoding == "quoted-printable" || encoding == "base64",
        "{encoding}"
    );
}

#[tokio::test]
async fn a_550_to_the_recipient_is_rejected() {
    let server = TestSmtpServer::start_with(
        SmtpReplies::default().rcpt("550 5.1.1 <person@example.org>: no such user"),
    )
    .await
    .unwrap();
    let error = smtp(&server).send(&email("Hello")).await.unwrap_err();
    match &error {
        TransportError::Rejected(reason) => {
            assert!(reason.contains("550"), "{reason}");
            assert!(!reason.contains("person@example.org"), "{reason}");
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn a_451_is_not_accepted_and_so_retried() {
    let server =
        TestSmtpServer::start_with(SmtpReplies::default().rcpt("451 4.3.0 try again later"))
            .await
            .unwrap();
    let error = smtp(&server).send(&email("Hello")).await.unwrap_err();
    assert!(matches!(error, TransportError::NotAccepted(_)), "{error:?}");
    assert!(error.is_retryable());
}

#[tokio::test]
async fn try_later_at_any_step_even_after_the_data_is_not_accepted() {
    // RFC 5321 4.2.5: only a 2xx reply to the end of the data means the server took the message.
    for replies in [
        SmtpReplies::default().mail("421 4.3.2 Shutting down"),
        SmtpReplies::default().data("452 4.3.1 Insufficient system storage"),
    ] {
        let server = TestSmtpServer::start_with(replies.clone()).await.unwrap();
        let error = smtp(&server).send(&email("Hello")).await.unwrap_err();
        assert!(
            matches!(error, TransportError::NotAccepted(_)),
            "{replies:?}: {error:?}"
        );
    }
}

#[tokio::test]
async fn a_hang_up_after_the_data_may_have_taken_the_email() {
    let server = TestSmtpServer::start_with(SmtpReplies::default().data(""))
        .await
        .unwrap();
    let error = smtp(&server).send(&email("Hello")).await.unwrap_err();
    assert!(matches!(error, TransportError::Unavailable(_)), "{error:?}");
}

#[tokio::test]
async fn a_failed_tls_handshake_is_not_accepted() {
    // The server speaks plain SMTP, so a client starting with TLS fails the handshake.
    let server = TestSmtpServer::start().await.unwrap();
    let url = SecretString::from(format!("smtps://127.0.0.1:{}", server.port()));
    let error = SmtpEmail::from_url(&url, FROM)
        .unwrap()
        .send(&email("Hello"))
        .await
        .unwrap_err();
    assert!(matches!(error, TransportError::NotAccepted(_)), "{error:?}");
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn a_failed_login_is_misconfiguration() {
    let server = TestSmtpServer::start_with(
        SmtpReplies::default().mail("530 5.7.0 Authentication required"),
    )
    .await
    .unwrap();
    let error = smtp(&server).send(&email("Hello")).await.unwrap_err();
    assert!(
        matches!(error, TransportError::Misconfigured(_)),
        "{error:?}"
    );
}

#[tokio::test]
async fn no_server_is_not_accepted() {
    let closed_port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = SecretString::from(format!("smtp://127.0.0.1:{closed_port}?tls=none"));
    let error = SmtpEmail::from_url(&url, FROM)
        .unwrap()
        .send(&email("Hello"))
        .await
        .unwrap_err();
    assert!(matches!(error, TransportError::NotAccepted(_)), "{error:?}");
}

#[tokio::test]
async fn an_invalid_address_is_rejected_before_any_connection() {
    let server = TestSmtpServer::start().await.unwrap();
    let bad = OutgoingEmail {
        to: "not an address".to_owned(),
        ..email("Hello")
    };
    assert_eq!(
        smtp(&server).send(&bad).await.unwrap_err(),
        TransportError::Rejected("the email address is not valid".to_owned())
    );
    assert!(server.received().is_empty());
}
