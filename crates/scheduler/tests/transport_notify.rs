#![allow(clippy::unwrap_used, clippy::expect_used)]
//! GOV.UK Notify against an HTTP fake: the signed token, the request body, and every answer's meaning.

use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::{Value, json};
use vigil_scheduler::transport::{Lookup, NotifySms, OutgoingSms, SmsTransport, TransportError};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const SERVICE_ID: &str = "26785a09-ab16-4eb0-8407-a37497a57506";
const SECRET: &str = "3d844edf-8d35-48ac-975b-e847b4f122b0";
const TEMPLATE_ID: &str = "f33517ff-2a88-4f6e-b855-c550268ce08a";

fn api_key() -> SecretString {
    SecretString::from(format!("vigil-test-team-{SERVICE_ID}-{SECRET}"))
}

fn notify(server: &MockServer) -> NotifySms {
    NotifySms::new(
        &server.uri(),
        api_key(),
        TEMPLATE_ID.to_owned(),
        Duration::from_secs(5),
    )
    .unwrap()
}

fn sms(reference: &str) -> OutgoingSms {
    OutgoingSms {
        to: "+447700900123".to_owned(),
        body: "Reminder: probation appointment on Tuesday at 10:00.".to_owned(),
        reference: reference.to_owned(),
    }
}

#[derive(Debug, Deserialize)]
struct Claims {
    iss: String,
    iat: i64,
}

/// Checks the request's bearer token the way Notify does, and returns its claims.
fn verified_claims(request: &Request) -> Claims {
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
    let decoded = jsonwebtoken::decode::<Claims>(
        token,
        &DecodingKey::from_secret(SECRET.as_bytes()),
        &validation,
    )
    .expect("a token signed with the key's secret");
    decoded.claims
}

fn assert_fresh(claims: &Claims) {
    assert_eq!(claims.iss, SERVICE_ID);
    let now = chrono::Utc::now().timestamp();
    assert!(
        (now - claims.iat).abs() <= 5,
        "iat {} vs now {now}",
        claims.iat
    );
}

async fn answering(status: u16, body: Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/notifications/sms"))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(&server)
        .await;
    server
}

fn notify_error(status: u16, error: &str, message: &str) -> Value {
    json!({"status_code": status, "errors": [{"error": error, "message": message}]})
}

#[tokio::test]
async fn send_posts_the_text_with_a_freshly_signed_token_each_time() {
    let server = answering(
        201,
        json!({"id": "740e5834-3a29-46b4-9a6f-16142fde533a", "reference": "ref-1",
               "content": {"body": "…", "from_number": "GOVUK"}}),
    )
    .await;
    let notify = notify(&server);

    let first = notify.send(&sms("ref-1")).await.unwrap();
    let second = notify.send(&sms("ref-2")).await.unwrap();
    assert_eq!(first.provider_id, "740e5834-3a29-46b4-9a6f-16142fde533a");
    assert_eq!(second.provider_id, first.provider_id);

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    for (request, reference) in requests.iter().zip(["ref-1", "ref-2"]) {
        assert_fresh(&verified_claims(request));
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(body["phone_number"], "+447700900123");
        assert_eq!(body["template_id"], TEMPLATE_ID);
        assert_eq!(
            body["personalisation"]["body"],
            "Reminder: probation appointment on Tuesday at 10:00."
        );
        assert_eq!(body["reference"], reference);
    }
}

#[tokio::test]
async fn a_429_is_a_rate_limit_that_honours_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "7")
                .set_body_json(notify_error(
                    429,
                    "RateLimitError",
                    "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
                )),
        )
        .mount(&server)
        .await;
    assert_eq!(
        notify(&server).send(&sms("ref-1")).await.unwrap_err(),
        TransportError::RateLimited {
            retry_after: Duration::from_secs(7)
        }
    );
}

#[tokio::test]
async fn a_429_without_retry_after_waits_thirty_seconds() {
    let server = answering(
        429,
        notify_error(
            429,
            "TooManyRequestsError",
            "Exceeded send limits (1000) for today",
        ),
    )
    .await;
    assert_eq!(
        notify(&server).send(&sms("ref-1")).await.unwrap_err(),
        TransportError::RateLimited {
            retry_after: Duration::from_secs(30)
        }
    );
}

#[tokio::test]
async fn a_500_is_unavailable() {
    let server = answering(500, notify_error(500, "Exception", "Internal server error")).await;
    assert!(matches!(
        notify(&server).send(&sms("ref-1")).await.unwrap_err(),
        TransportError::Unavailable(_)
    ));
}

#[tokio::test]
async fn a_400_is_rejected_with_a_plain_english_reason() {
    let server = answering(
        400,
        notify_error(
            400,
            "ValidationError",
            "phone_number Not a UK mobile number",
        ),
    )
    .await;
    assert_eq!(
        notify(&server).send(&sms("ref-1")).await.unwrap_err(),
        TransportError::Rejected("the mobile number is not a valid UK mobile".to_owned())
    );

    let server = answering(
        400,
        notify_error(
            400,
            "BadRequestError",
            "Can't send to this recipient using a team-only API key",
        ),
    )
    .await;
    assert_eq!(
        notify(&server).send(&sms("ref-1")).await.unwrap_err(),
        TransportError::Rejected(
            "the service is in trial mode and cannot text this number".to_owned()
        )
    );
}

#[tokio::test]
async fn a_400_notify_has_no_reading_for_passes_its_message_on() {
    let server = answering(
        400,
        notify_error(400, "BadRequestError", "A brand new problem"),
    )
    .await;
    assert_eq!(
        notify(&server).send(&sms("ref-1")).await.unwrap_err(),
        TransportError::Rejected("GOV.UK Notify refused the message: A brand new problem".into())
    );
}

#[tokio::test]
async fn a_403_is_misconfiguration() {
    let server = answering(
        403,
        notify_error(403, "AuthError", "Invalid token: API key not found"),
    )
    .await;
    assert!(matches!(
        notify(&server).send(&sms("ref-1")).await.unwrap_err(),
        TransportError::Misconfigured(_)
    ));
}

#[tokio::test]
async fn a_slow_server_may_have_taken_the_text_but_an_absent_one_did_not() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let impatient = NotifySms::new(
        &server.uri(),
        api_key(),
        TEMPLATE_ID.to_owned(),
        Duration::from_millis(200),
    )
    .unwrap();
    assert!(matches!(
        impatient.send(&sms("ref-1")).await.unwrap_err(),
        TransportError::Unavailable(reason) if reason.contains("timed out")
    ));

    let closed_port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let nowhere = NotifySms::new(
        &format!("http://127.0.0.1:{closed_port}"),
        api_key(),
        TEMPLATE_ID.to_owned(),
        Duration::from_secs(2),
    )
    .unwrap();
    assert!(matches!(
        nowhere.send(&sms("ref-1")).await.unwrap_err(),
        TransportError::NotAccepted(reason) if reason.contains("could not connect")
    ));
}

#[tokio::test]
async fn lookup_finds_a_message_by_our_reference() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/notifications"))
        .and(query_param("reference", "ref-1"))
        .and(query_param("template_type", "sms"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "notifications": [{"id": "740e5834-3a29-46b4-9a6f-16142fde533a", "reference": "ref-1",
                               "status": "delivered", "type": "sms"}],
            "links": {"current": "…"}
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/notifications"))
        .and(query_param("reference", "ref-2"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"notifications": [], "links": {}})),
        )
        .mount(&server)
        .await;
    let notify = notify(&server);

    assert_eq!(
        notify.lookup("ref-1").await.unwrap(),
        Lookup::Found {
            provider_id: "740e5834-3a29-46b4-9a6f-16142fde533a".to_owned(),
            status: "delivered".to_owned()
        }
    );
    assert_eq!(notify.lookup("ref-2").await.unwrap(), Lookup::NotFound);
    assert!(notify.supports_lookup());
    for request in server.received_requests().await.unwrap() {
        assert_fresh(&verified_claims(&request));
    }
}

#[test]
fn api_keys_are_read_from_the_end_and_malformed_ones_refused() {
    let with_hyphens = NotifySms::new(
        "https://api.notifications.service.gov.uk",
        api_key(),
        TEMPLATE_ID.to_owned(),
        Duration::from_secs(5),
    );
    assert!(with_hyphens.is_ok());

    let plain =
        vigil_scheduler::transport::NotifyApiKey::parse(&format!("live-{SERVICE_ID}-{SECRET}"))
            .unwrap();
    assert_eq!(plain.key_name(), "live");
    assert_eq!(plain.service_id().to_string(), SERVICE_ID);

    let malformed = NotifySms::new(
        "https://api.notifications.service.gov.uk",
        SecretString::from(format!("{SERVICE_ID}{SECRET}")),
        TEMPLATE_ID.to_owned(),
        Duration::from_secs(5),
    );
    match malformed {
        Err(TransportError::Misconfigured(reason)) => {
            assert!(reason.contains("API key"), "{reason}");
            assert!(!reason.contains(SECRET), "{reason}");
        }
        other => panic!("expected a misconfiguration, got {other:?}"),
    }
}
