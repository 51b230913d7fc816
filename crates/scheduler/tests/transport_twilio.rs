#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Twilio against an HTTP fake, and Twilio's request signature against its documented example.

use std::collections::HashMap;
use std::time::Duration;

use base64::Engine as _;
use secrecy::SecretString;
use serde_json::json;
use vigil_scheduler::transport::{
    OutgoingSms, SmsTransport, TransportError, TwilioSms, twilio_signature, verify_twilio_signature,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SID: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "test-auth-token";
const MESSAGES: &str = "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json";

fn twilio(server: &MockServer) -> TwilioSms {
    TwilioSms::new(
        &server.uri(),
        SID.to_owned(),
        SecretString::from(TOKEN.to_owned()),
        "+447700900999".to_owned(),
        Duration::from_secs(5),
    )
    .unwrap()
}

fn sms() -> OutgoingSms {
    OutgoingSms {
        to: "+447700900123".to_owned(),
        body: "Reminder: appointment on Tuesday at 10:00 & bring ID.".to_owned(),
        reference: "ref-1".to_owned(),
    }
}

async fn answering(status: u16, body: serde_json::Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn send_posts_a_form_with_basic_auth_and_returns_the_sid() {
    let server = answering(
        201,
        json!({"sid": "SM0123456789abcdef0123456789abcdef", "status": "queued"}),
    )
    .await;
    let twilio = twilio(&server).with_status_callback(Some(
        "https://vigil.example/api/v1/webhooks/twilio/status".to_owned(),
    ));

    let accepted = twilio.send(&sms()).await.unwrap();
    assert_eq!(accepted.provider_id, "SM0123456789abcdef0123456789abcdef");

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    let expected_auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{SID}:{TOKEN}"))
    );
    assert_eq!(
        request
            .headers
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap(),
        expected_auth
    );
    assert!(
        request
            .headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("application/x-www-form-urlencoded")
    );
    let form: HashMap<String, String> = url::form_urlencoded::parse(&request.body)
        .into_owned()
        .collect();
    assert_eq!(form["To"], "+447700900123");
    assert_eq!(form["From"], "+447700900999");
    assert_eq!(
        form["Body"],
        "Reminder: appointment on Tuesday at 10:00 & bring ID."
    );
    assert_eq!(
        form["StatusCallback"],
        "https://vigil.example/api/v1/webhooks/twilio/status?reference=ref-1"
    );
}

#[tokio::test]
async fn without_a_status_callback_none_is_sent() {
    let server = answering(201, json!({"sid": "SM1"})).await;
    twilio(&server).send(&sms()).await.unwrap();
    let requests = server.received_requests().await.unwrap();
    let form: HashMap<String, String> = url::form_urlencoded::parse(&requests[0].body)
        .into_owned()
        .collect();
    assert!(!form.contains_key("StatusCallback"));
}

#[tokio::test]
async fn a_400_is_rejected_in_plain_english_without_the_number() {
    let server = answering(
        400,
        json!({"code": 21211, "message": "Invalid 'To' Phone Number: +44770090XXXX",
               "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}),
    )
    .await;
    let error = twilio(&server).send(&sms()).await.unwrap_err();
    assert_eq!(
        error,
        TransportError::Rejected("the mobile number is not valid".to_owned())
    );

    let server = answering(
        400,
        json!({"code": 21608, "message": "The number +447700900123 is unverified. Trial accounts cannot send messages to unverified numbers",
               "status": 400}),
    )
    .await;
    let error = twilio(&server).send(&sms()).await.unwrap_err();
    assert_eq!(
        error,
        TransportError::Rejected(
            "the service is in trial mode and cannot text this number".to_owned()
        )
    );
    assert!(!error.to_string().contains("+447700900123"));
}

#[tokio::test]
async fn other_answers_map_to_retry_or_configuration() {
    let server = answering(
        401,
        json!({"code": 20003, "message": "Authenticate", "status": 401}),
    )
    .await;
    assert!(matches!(
        twilio(&server).send(&sms()).await.unwrap_err(),
        TransportError::Misconfigured(_)
    ));

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "7"))
        .mount(&server)
        .await;
    assert_eq!(
        twilio(&server).send(&sms()).await.unwrap_err(),
        TransportError::RateLimited {
            retry_after: Duration::from_secs(7)
        }
    );

    let server = answering(503, json!({})).await;
    assert!(matches!(
        twilio(&server).send(&sms()).await.unwrap_err(),
        TransportError::Unavailable(_)
    ));
}

#[tokio::test]
async fn twilio_cannot_look_messages_up_so_it_says_so() {
    let server = MockServer::start().await;
    let twilio = twilio(&server);
    assert!(!twilio.supports_lookup());
    assert!(matches!(
        twilio.lookup("ref-1").await.unwrap_err(),
        TransportError::Misconfigured(_)
    ));
    assert!(server.received_requests().await.unwrap().is_empty());
}

fn documented_params() -> Vec<(String, String)> {
    [
        ("CallSid", "CA1234567890ABCDE"),
        ("Caller", "+12349013030"),
        ("Digits", "1234"),
        ("From", "+12349013030"),
        ("To", "+18005551212"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

const DOC_URL: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";

#[test]
fn the_signature_matches_twilio_documented_example() {
    assert_eq!(
        twilio_signature("12345", DOC_URL, &documented_params()),
        "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    );
    assert!(verify_twilio_signature(
        "12345",
        DOC_URL,
        &documented_params(),
        "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    ));
}

#[test]
fn a_tampered_parameter_fails_verification() {
    let mut params = documented_params();
    params[4].1 = "+18005551213".to_owned();
    assert!(!verify_twilio_signature(
        "12345",
        DOC_URL,
        &params,
        "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    ));
}
