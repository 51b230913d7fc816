#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Provider callbacks end to end: Notify delivery receipts and received texts (bearer token), Twilio's
//! signed form posts, and what STOP and START do to the reminders a worker then sends.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use reqwest::Method;
use secrecy::SecretString;
use serde_json::{Value, json};
use uuid::Uuid;
use vigil_api::WebhookSettings;
use vigil_e2e::app::{notify_sms, spawn_app_with_webhooks};
use vigil_e2e::scheduling::{FIRST_SEND, booked_textable};
use vigil_e2e::{TestApp, TestUser, monday_morning, spawn_app};
use vigil_persistence::entities::notification;
use vigil_scheduler::transport::TwilioSms;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

const NOTIFY_TOKEN: &str = "notify-callback-bearer-token-0123456789";
const TWILIO_SID: &str = "AC0123456789abcdef0123456789abcdef";
const TWILIO_TOKEN: &str = "twilio-auth-token-for-tests";
const PUBLIC_BASE: &str = "https://vigil.example.org";
const SECOND_SEND: &str = "2026-11-26T08:00:00Z";

async fn spawn() -> TestApp {
    spawn_app_with_webhooks(
        monday_morning(),
        WebhookSettings {
            notify_bearer_token: Some(SecretString::from(NOTIFY_TOKEN.to_owned())),
            twilio_auth_token: Some(SecretString::from(TWILIO_TOKEN.to_owned())),
            public_base_url: Some(PUBLIC_BASE.to_owned()),
        },
    )
    .await
}

async fn notify_fake() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/notifications/sms"))
        .respond_with(|_: &Request| {
            ResponseTemplate::new(201).set_body_json(json!({"id": Uuid::new_v4()}))
        })
        .mount(&server)
        .await;
    server
}

async fn texts(server: &MockServer) -> Vec<String> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == "POST")
        .map(|r| {
            let body: Value = serde_json::from_slice(&r.body).unwrap();
            body["personalisation"]["body"].as_str().unwrap().to_owned()
        })
        .collect()
}

async fn reminder_at(app: &TestApp, person: Uuid, send_at: &str) -> notification::Model {
    app.notifications_of(person)
        .await
        .into_iter()
        .find(|n| n.template == "appointment_reminder" && n.send_at == at(send_at))
        .unwrap()
}

async fn with_template(app: &TestApp, person: Uuid, template: &str) -> Vec<notification::Model> {
    app.notifications_of(person)
        .await
        .into_iter()
        .filter(|n| n.template == template)
        .collect()
}

async fn post_notify(app: &TestApp, path: &str, token: Option<&str>, body: Value) -> u16 {
    let mut request = app.anonymous(Method::POST, path).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap().status().as_u16()
}

async fn inbound(app: &TestApp, id: &str, from: &str, content: &str) {
    let status = post_notify(
        app,
        "/api/v1/webhooks/notify/inbound",
        Some(NOTIFY_TOKEN),
        json!({"id": id, "source_number": from, "content": content,
               "destination_number": "07860003000", "date_received": "2026-11-23T09:00:00.000000Z"}),
    )
    .await;
    assert_eq!(status, 204, "inbound {content:?} from {from}");
}

async fn opted_out(app: &TestApp, om: &TestUser, person: Uuid) -> bool {
    let om = app.signed_in_again(om).await;
    let (status, body) = app.get_json(&format!("/api/v1/people/{person}"), &om).await;
    assert_eq!(status, 200, "{body}");
    body["sms_opted_out"].as_bool().unwrap()
}

/// Posts a Twilio-style signed form to `path_and_query`, signing `signed_with` (normally the token).
async fn post_twilio(
    app: &TestApp,
    path_and_query: &str,
    params: &[(&str, &str)],
    signature: Option<String>,
) -> u16 {
    let owned: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let mut request = app.anonymous(Method::POST, path_and_query).form(&owned);
    if let Some(signature) = signature {
        request = request.header("X-Twilio-Signature", signature);
    }
    request.send().await.unwrap().status().as_u16()
}

fn sign(path_and_query: &str, params: &[(&str, &str)]) -> String {
    let owned: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    vigil_domain::twilio_signature(
        TWILIO_TOKEN,
        &format!("{PUBLIC_BASE}{path_and_query}"),
        &owned,
    )
}

mod scheduler {
    use super::*;

    #[tokio::test]
    async fn a_notify_delivery_receipt_marks_the_text_delivered() {
        let app = spawn().await;
        let notify = notify_fake().await;
        let worker = app.sms_worker(notify_sms(&notify.uri()));
        let (_, person) = booked_textable(&app).await;
        app.set_clock(at(FIRST_SEND));
        worker.run_once().await.unwrap();
        let sent = reminder_at(&app, person, FIRST_SEND).await;
        assert_eq!(sent.status, "sent");
        let receipt = json!({
            "id": sent.provider_id, "reference": sent.provider_ref, "to": "07700900123",
            "status": "delivered", "notification_type": "sms",
            "created_at": "2026-11-24T10:00:00.000000Z"
        });

        // Without the right token nothing changes.
        for token in [None, Some("wrong-token"), Some("")] {
            assert_eq!(
                post_notify(
                    &app,
                    "/api/v1/webhooks/notify/status",
                    token,
                    receipt.clone()
                )
                .await,
                401,
                "{token:?}"
            );
        }
        assert_eq!(app.notification(sent.id).await.status, "sent");
        // Nor does a caller without the token learn whether its body would have been accepted.
        for path in [
            "/api/v1/webhooks/notify/status",
            "/api/v1/webhooks/notify/inbound",
        ] {
            assert_eq!(
                post_notify(&app, path, None, json!({"no": "such fields"})).await,
                401,
                "{path}"
            );
        }

        assert_eq!(
            post_notify(
                &app,
                "/api/v1/webhooks/notify/status",
                Some(NOTIFY_TOKEN),
                receipt.clone()
            )
            .await,
            204
        );
        assert_eq!(app.notification(sent.id).await.status, "delivered");
        // A repeated receipt changes nothing and is still accepted.
        assert_eq!(
            post_notify(
                &app,
                "/api/v1/webhooks/notify/status",
                Some(NOTIFY_TOKEN),
                receipt
            )
            .await,
            204
        );
        assert_eq!(app.notification(sent.id).await.status, "delivered");

        // A permanent failure is recorded with a reason an officer can act on.
        app.set_clock(at(SECOND_SEND));
        worker.run_once().await.unwrap();
        let second = reminder_at(&app, person, SECOND_SEND).await;
        assert_eq!(second.status, "sent");
        assert_eq!(
            post_notify(
                &app,
                "/api/v1/webhooks/notify/status",
                Some(NOTIFY_TOKEN),
                json!({"id": second.provider_id, "reference": second.provider_ref,
                       "status": "permanent-failure"})
            )
            .await,
            204
        );
        let failed = app.notification(second.id).await;
        assert_eq!(failed.status, "failed");
        assert!(failed.reason.unwrap().contains("does not exist"));
    }

    #[tokio::test]
    async fn without_a_configured_token_every_callback_is_refused() {
        let app = spawn_app().await;
        for path in [
            "/api/v1/webhooks/notify/status",
            "/api/v1/webhooks/notify/inbound",
        ] {
            assert_eq!(
                post_notify(
                    &app,
                    path,
                    Some(NOTIFY_TOKEN),
                    json!({"id": "x", "reference": null, "status": "delivered",
                           "source_number": "07700900123", "content": "STOP"})
                )
                .await,
                401,
                "{path}"
            );
        }
        let params = [("MessageSid", "SM1"), ("MessageStatus", "delivered")];
        assert_eq!(
            post_twilio(
                &app,
                "/api/v1/webhooks/twilio/status",
                &params,
                Some(sign("/api/v1/webhooks/twilio/status", &params))
            )
            .await,
            401
        );
    }

    #[tokio::test]
    async fn stop_opts_out_confirms_once_and_suppresses_later_reminders() {
        let app = spawn().await;
        let notify = notify_fake().await;
        let worker = app.sms_worker(notify_sms(&notify.uri()));
        let admin = app.user("admin", None).await;
        let (om, person) = booked_textable(&app).await;

        // Notify gives the number in international form without the plus.
        inbound(&app, "inbound-1", "447700900123", " Stop ").await;
        assert!(opted_out(&app, &om, person).await);
        let trail = app.audit(&admin, &format!("person_id={person}")).await;
        let changes: Vec<&Value> = trail["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "alter" && e["entity"] == "person")
            .collect();
        assert_eq!(changes.len(), 1, "{trail}");

        // The provider retries the callback: still one confirmation.
        inbound(&app, "inbound-1", "447700900123", " Stop ").await;
        let confirmations = with_template(&app, person, "opt_out_confirmation").await;
        assert_eq!(confirmations.len(), 1);
        assert_eq!(confirmations[0].status, "pending");
        assert_eq!(confirmations[0].send_at, app.now());

        // The confirmation goes, though the person has opted out.
        assert_eq!(worker.run_once().await.unwrap(), 1);
        assert_eq!(app.notification(confirmations[0].id).await.status, "sent");
        let sent = texts(&notify).await;
        assert_eq!(sent.len(), 1);
        assert!(sent[0].contains("no longer get text reminders"), "{sent:?}");

        // The reminders after it do not.
        app.set_clock(at(FIRST_SEND));
        assert_eq!(worker.run_once().await.unwrap(), 1);
        let first = reminder_at(&app, person, FIRST_SEND).await;
        assert_eq!(
            (first.status.as_str(), first.reason.as_deref()),
            ("suppressed", Some("opted_out"))
        );
        assert_eq!(texts(&notify).await.len(), 1);

        // START opts back in (from another way of writing the number), confirmed; reminders resume.
        inbound(&app, "inbound-2", "+44 (0)7700 900123", "start").await;
        assert!(!opted_out(&app, &om, person).await);
        assert_eq!(
            with_template(&app, person, "opt_in_confirmation")
                .await
                .len(),
            1
        );
        assert_eq!(worker.run_once().await.unwrap(), 1);
        app.set_clock(at(SECOND_SEND));
        assert_eq!(worker.run_once().await.unwrap(), 1);
        assert_eq!(reminder_at(&app, person, SECOND_SEND).await.status, "sent");
        let sent = texts(&notify).await;
        assert_eq!(sent.len(), 3);
        assert!(sent[1].contains("text reminders from this service again"));
        assert!(sent[2].starts_with("Reminder:"));
    }

    #[tokio::test]
    async fn stop_is_recognised_from_every_way_of_writing_the_number() {
        let app = spawn().await;
        let (om, person) = booked_textable(&app).await;
        let variants = [
            "07700 900123",
            "07700900123",
            "447700900123",
            "+447700900123",
            "+44 7700 900123",
            "0044 7700 900123",
            "07700-900-123",
        ];
        for (n, from) in variants.into_iter().enumerate() {
            inbound(&app, &format!("stop-{n}"), from, "STOP").await;
            assert!(opted_out(&app, &om, person).await, "STOP from {from}");
            inbound(&app, &format!("start-{n}"), from, "START").await;
            assert!(!opted_out(&app, &om, person).await, "START from {from}");
        }
        // A different number, or a message that is not a keyword, changes nothing.
        inbound(&app, "other-number", "07700 900124", "STOP").await;
        inbound(
            &app,
            "chatter",
            "07700 900123",
            "stop texting me at work please",
        )
        .await;
        assert!(!opted_out(&app, &om, person).await);
        assert_eq!(
            with_template(&app, person, "opt_out_confirmation")
                .await
                .len(),
            variants.len()
        );
    }

    #[tokio::test]
    async fn twilio_inbound_stop_needs_a_valid_signature() {
        let app = spawn().await;
        let (om, person) = booked_textable(&app).await;
        let path = "/api/v1/webhooks/twilio/inbound";
        let params = [
            ("AccountSid", TWILIO_SID),
            ("Body", "STOP"),
            ("From", "+447700900123"),
            ("MessageSid", "SMinbound1"),
            ("To", "+447700900999"),
        ];
        assert_eq!(post_twilio(&app, path, &params, None).await, 401);
        let mut forged = sign(path, &params);
        forged.replace_range(0..1, if forged.starts_with('A') { "B" } else { "A" });
        assert_eq!(post_twilio(&app, path, &params, Some(forged)).await, 401);
        // Signed for other parameters.
        let other = sign(path, &[("Body", "START")]);
        assert_eq!(post_twilio(&app, path, &params, Some(other)).await, 401);
        assert!(!opted_out(&app, &om, person).await);

        assert_eq!(
            post_twilio(&app, path, &params, Some(sign(path, &params))).await,
            204
        );
        assert!(opted_out(&app, &om, person).await);
        assert_eq!(
            with_template(&app, person, "opt_out_confirmation")
                .await
                .len(),
            1
        );
    }

    #[tokio::test]
    async fn a_twilio_status_callback_signed_for_its_full_url_is_accepted() {
        let app = spawn().await;
        let twilio_fake = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(format!(
                "/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
            )))
            .respond_with(ResponseTemplate::new(201).set_body_json(json!({"sid": "SMout1"})))
            .mount(&twilio_fake)
            .await;
        let twilio = TwilioSms::new(
            &twilio_fake.uri(),
            TWILIO_SID.to_owned(),
            SecretString::from(TWILIO_TOKEN.to_owned()),
            "+447700900999".to_owned(),
            StdDuration::from_secs(5),
        )
        .unwrap()
        .with_status_callback(Some(format!("{PUBLIC_BASE}/api/v1/webhooks/twilio/status")));
        let worker = app.sms_worker(Arc::new(twilio));
        let (_, person) = booked_textable(&app).await;
        app.set_clock(at(FIRST_SEND));
        worker.run_once().await.unwrap();
        let sent = reminder_at(&app, person, FIRST_SEND).await;
        assert_eq!(sent.status, "sent");

        // The callback URL Vigil gave Twilio with the message; Twilio signs exactly that URL.
        let requests = twilio_fake.received_requests().await.unwrap();
        let form = std::str::from_utf8(&requests[0].body).unwrap();
        let callback = reqwest::Url::parse(&format!("http://form.invalid/?{form}"))
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "StatusCallback")
            .map(|(_, v)| v.into_owned())
            .expect("a status callback");
        let path_and_query = callback.strip_prefix(PUBLIC_BASE).unwrap().to_owned();
        assert!(path_and_query.contains("reference="), "{callback}");

        let params = [
            ("AccountSid", TWILIO_SID),
            ("MessageSid", "SMout1"),
            ("MessageStatus", "delivered"),
        ];
        // Signed without the query string: not what Twilio signs, refused.
        assert_eq!(
            post_twilio(
                &app,
                &path_and_query,
                &params,
                Some(sign("/api/v1/webhooks/twilio/status", &params))
            )
            .await,
            401
        );
        assert_eq!(app.notification(sent.id).await.status, "sent");
        assert_eq!(
            post_twilio(
                &app,
                &path_and_query,
                &params,
                Some(sign(&path_and_query, &params))
            )
            .await,
            204
        );
        assert_eq!(app.notification(sent.id).await.status, "delivered");
    }

    #[tokio::test]
    async fn a_twilio_receipt_finds_a_message_whose_sid_was_never_recorded() {
        let app = spawn().await;
        let twilio_fake = MockServer::start().await;
        // Twilio takes the message but its answer cannot be read: Vigil never learns the sid.
        Mock::given(method("POST"))
            .and(path(format!(
                "/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
            )))
            .respond_with(ResponseTemplate::new(201).set_body_string("<html>gateway</html>"))
            .mount(&twilio_fake)
            .await;
        let twilio = TwilioSms::new(
            &twilio_fake.uri(),
            TWILIO_SID.to_owned(),
            SecretString::from(TWILIO_TOKEN.to_owned()),
            "+447700900999".to_owned(),
            StdDuration::from_secs(5),
        )
        .unwrap()
        .with_status_callback(Some(format!("{PUBLIC_BASE}/api/v1/webhooks/twilio/status")));
        let worker = app.sms_worker(Arc::new(twilio));
        let (_, person) = booked_textable(&app).await;
        app.set_clock(at(FIRST_SEND));
        worker.run_once().await.unwrap();
        let message = reminder_at(&app, person, FIRST_SEND).await;
        assert_eq!(message.status, "sending");
        assert_eq!(message.provider_id, None);

        let path_and_query = format!(
            "/api/v1/webhooks/twilio/status?reference={}",
            message.provider_ref.clone().unwrap()
        );
        let params = [("MessageSid", "SMlost1"), ("MessageStatus", "delivered")];
        assert_eq!(
            post_twilio(
                &app,
                &path_and_query,
                &params,
                Some(sign(&path_and_query, &params))
            )
            .await,
            204
        );
        let delivered = app.notification(message.id).await;
        assert_eq!(delivered.status, "delivered");
        assert_eq!(delivered.provider_id.as_deref(), Some("SMlost1"));
        // The retried job finds it delivered and sends nothing more.
        app.set_clock(app.send_job_of(message.id).await.run_at);
        worker.run_once().await.unwrap();
        assert_eq!(app.notification(message.id).await.status, "delivered");
        assert_eq!(twilio_fake.received_requests().await.unwrap().len(), 1);
    }
}
