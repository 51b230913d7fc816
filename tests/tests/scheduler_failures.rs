#![allow(clippy::unwrap_used, clippy::expect_used)]
//! When the SMS provider fails: rate limits, outages, refusals, and a worker that dies between the
//! provider's answer and recording it. A message goes effectively once: never lost, never sent twice.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use secrecy::SecretString;
use serde_json::{Value, json};
use vigil_domain::ReminderPolicy;
use vigil_e2e::app::{DiesAfterSending, RecordingEmail, notify_sms};
use vigil_e2e::scheduling::{FIRST_SEND, SMS_PATH, booked_first_reminder, notify_failing_once};
use vigil_e2e::{TestApp, spawn_app};
use vigil_scheduler::sending::SendNotificationHandler;
use vigil_scheduler::transport::{SmsTransport, TwilioSms};
use vigil_scheduler::{JobContext, JobHandler, SchedulerConfig, Worker, queue};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

const PROVIDER_ID: &str = "740e5834-3a29-46b4-9a6f-16142fde533a";

fn accepted() -> ResponseTemplate {
    ResponseTemplate::new(201).set_body_json(json!({"id": PROVIDER_ID, "reference": null}))
}

fn worker_named(app: &TestApp, id: &str, sms: Arc<dyn SmsTransport>) -> Worker {
    app.worker_with(
        id,
        sms,
        Arc::new(RecordingEmail::default()),
        &SchedulerConfig::default(),
    )
}

async fn requests_to(server: &MockServer, http_method: &str, url_path: &str) -> Vec<Request> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == http_method && r.url.path() == url_path)
        .collect()
}

fn reference_of(request: &Request) -> String {
    let body: Value = serde_json::from_slice(&request.body).unwrap();
    body["reference"].as_str().unwrap().to_owned()
}

/// The form fields of a `application/x-www-form-urlencoded` body.
fn form_of(request: &Request) -> Vec<(String, String)> {
    let body = std::str::from_utf8(&request.body).unwrap();
    reqwest::Url::parse(&format!("http://form.invalid/?{body}"))
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name} in {form:?}"))
}

/// Runs `worker` once as a process that dies inside the send: returns once the provider has answered,
/// with the worker's poll abandoned (its lease is never renewed and its result never recorded).
async fn run_and_die(worker: Worker, sent: Arc<tokio::sync::Notify>) {
    let arrived = sent.notified();
    let poll = tokio::spawn(async move { worker.run_once().await });
    tokio::time::timeout(StdDuration::from_secs(10), arrived)
        .await
        .expect("the provider was called");
    poll.abort();
    assert!(poll.await.unwrap_err().is_cancelled());
}

const TWILIO_SID: &str = "AC0123456789abcdef0123456789abcdef";
const TWILIO_TOKEN: &str = "twilio-auth-token-for-tests";
const TWILIO_FROM: &str = "+447700900999";

fn twilio_messages_path() -> String {
    format!("/2010-04-01/Accounts/{TWILIO_SID}/Messages.json")
}

fn twilio(server: &MockServer) -> Arc<dyn SmsTransport> {
    Arc::new(
        TwilioSms::new(
            &server.uri(),
            TWILIO_SID.to_owned(),
            SecretString::from(TWILIO_TOKEN.to_owned()),
            TWILIO_FROM.to_owned(),
            StdDuration::from_secs(5),
        )
        .unwrap(),
    )
}

mod scheduler {
    use super::*;

    #[tokio::test]
    async fn a_rate_limit_retries_after_retry_after_without_spending_an_attempt() {
        let app = spawn_app().await;
        let notify = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(SMS_PATH))
            .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "7"))
            .up_to_n_times(1)
            .mount(&notify)
            .await;
        Mock::given(method("POST"))
            .and(path(SMS_PATH))
            .respond_with(accepted())
            .mount(&notify)
            .await;
        let worker = worker_named(&app, "worker-1", notify_sms(&notify.uri()));
        let (_, message) = booked_first_reminder(&app).await;

        app.set_clock(at(FIRST_SEND));
        assert_eq!(worker.run_once().await.unwrap(), 1);
        let row = app.notification(message.id).await;
        assert_eq!(row.status, "pending", "known not to have gone");
        let job = app.send_job_of(message.id).await;
        assert_eq!(job.state, "available");
        assert_eq!(job.attempts, 0, "the attempt is given back");
        assert_eq!(job.run_at, at(FIRST_SEND) + Duration::seconds(7));
        assert!(
            job.last_error.as_deref().unwrap().contains("rate limit"),
            "{job:?}"
        );

        // Not before Retry-After has passed.
        app.set_clock(at(FIRST_SEND) + Duration::seconds(6));
        assert_eq!(worker.run_once().await.unwrap(), 0);
        app.set_clock(at(FIRST_SEND) + Duration::seconds(7));
        assert_eq!(worker.run_once().await.unwrap(), 1);
        let row = app.notification(message.id).await;
        assert_eq!(row.status, "sent");
        assert_eq!(row.provider_id.as_deref(), Some(PROVIDER_ID));
        assert_eq!(app.send_job_of(message.id).await.state, "succeeded");
        let posts = requests_to(&notify, "POST", SMS_PATH).await;
        assert_eq!(posts.len(), 2);
        assert_eq!(reference_of(&posts[0]), reference_of(&posts[1]));
    }

    #[tokio::test]
    async fn after_an_outage_the_message_is_looked_up_and_not_sent_twice() {
        let app = spawn_app().await;
        let notify = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(SMS_PATH))
            .respond_with(ResponseTemplate::new(500))
            .mount(&notify)
            .await;
        let worker = worker_named(&app, "worker-1", notify_sms(&notify.uri()));
        let (_, message) = booked_first_reminder(&app).await;

        app.set_clock(at(FIRST_SEND));
        worker.run_once().await.unwrap();
        // A 5xx may hide a message that went: the row stays `sending` under its reference.
        let row = app.notification(message.id).await;
        assert_eq!(row.status, "sending");
        let reference = row.provider_ref.clone().unwrap();
        let job = app.send_job_of(message.id).await;
        assert_eq!(job.state, "available");
        assert!(job.run_at > at(FIRST_SEND), "retried later");
        assert_eq!(job.attempts, 0);

        // Notify did take it after all: the lookup by reference finds it.
        Mock::given(method("GET"))
            .and(path("/v2/notifications"))
            .and(query_param("reference", reference.as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "notifications": [{"id": PROVIDER_ID, "reference": reference, "status": "sending"}],
                "links": {}
            })))
            .mount(&notify)
            .await;
        app.set_clock(job.run_at);
        assert_eq!(worker.run_once().await.unwrap(), 1);
        let row = app.notification(message.id).await;
        assert_eq!(row.status, "sent");
        assert_eq!(row.provider_id.as_deref(), Some(PROVIDER_ID));
        assert_eq!(requests_to(&notify, "POST", SMS_PATH).await.len(), 1);
        assert_eq!(
            requests_to(&notify, "GET", "/v2/notifications").await.len(),
            1
        );
        assert_eq!(app.send_job_of(message.id).await.state, "succeeded");
    }

    #[tokio::test]
    async fn after_an_outage_a_message_the_provider_never_got_is_sent_again() {
        let app = spawn_app().await;
        let notify = notify_failing_once(503).await;
        let worker = worker_named(&app, "worker-1", notify_sms(&notify.uri()));
        let (_, message) = booked_first_reminder(&app).await;

        app.set_clock(at(FIRST_SEND));
        worker.run_once().await.unwrap();
        assert_eq!(app.notification(message.id).await.status, "sending");
        app.set_clock(app.send_job_of(message.id).await.run_at);
        assert_eq!(worker.run_once().await.unwrap(), 1);
        let row = app.notification(message.id).await;
        assert_eq!(row.status, "sent");
        let posts = requests_to(&notify, "POST", SMS_PATH).await;
        assert_eq!(posts.len(), 2, "sent again after the lookup found nothing");
        assert_eq!(reference_of(&posts[1]), row.provider_ref.unwrap());
    }

    #[tokio::test]
    async fn a_refused_number_fails_with_a_plain_reason_and_the_job_is_discarded() {
        let app = spawn_app().await;
        let notify = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(SMS_PATH))
            .respond_with(ResponseTemplate::new(400).set_body_json(json!({
                "status_code": 400,
                "errors": [{"error": "ValidationError", "message": "phone_number Not a UK mobile number"}]
            })))
            .mount(&notify)
            .await;
        let worker = worker_named(&app, "worker-1", notify_sms(&notify.uri()));
        let (om, message) = booked_first_reminder(&app).await;

        app.set_clock(at(FIRST_SEND));
        assert_eq!(worker.run_once().await.unwrap(), 1);
        let row = app.notification(message.id).await;
        assert_eq!(row.status, "failed");
        assert_eq!(
            row.reason.as_deref(),
            Some("the mobile number is not a valid UK mobile")
        );
        let job = app.send_job_of(message.id).await;
        assert_eq!(job.state, "discarded");
        // Nothing retries it.
        app.set_clock(at(FIRST_SEND) + Duration::hours(1));
        assert_eq!(worker.run_once().await.unwrap(), 0);
        assert_eq!(requests_to(&notify, "POST", SMS_PATH).await.len(), 1);
        // Officers see why.
        let om = app.signed_in_again(&om).await;
        let (status, listed) = app
            .get_json(
                &format!("/api/v1/people/{}/notifications", row.person_id.unwrap()),
                &om,
            )
            .await;
        assert_eq!(status, 200);
        let shown = listed
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == json!(row.id))
            .unwrap();
        assert_eq!(shown["status"], "failed");
        assert_eq!(
            shown["reason"],
            "the mobile number is not a valid UK mobile"
        );
    }

    #[tokio::test]
    async fn a_worker_whose_lease_was_taken_over_neither_sends_nor_touches_the_message() {
        let app = spawn_app().await;
        let notify = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(SMS_PATH))
            .respond_with(accepted())
            .mount(&notify)
            .await;
        let (_, message) = booked_first_reminder(&app).await;
        app.set_clock(at(FIRST_SEND));

        // A worker claims the reminder and stalls past its lease; another rescues it with a new epoch.
        let lease = StdDuration::from_secs(60);
        let stalled = queue::claim(app.db(), "stalled", 10, lease, app.now())
            .await
            .unwrap()
            .into_iter()
            .find(|job| job.payload["notification_id"] == json!(message.id))
            .unwrap();
        app.advance(Duration::seconds(61));
        let rescued = queue::claim(app.db(), "rescuer", 10, lease, app.now())
            .await
            .unwrap();
        assert!(
            rescued
                .iter()
                .any(|job| job.id == stalled.id && job.epoch > stalled.epoch)
        );

        // The stalled worker wakes and runs its old claim: the fence stops it before the provider.
        let handler = SendNotificationHandler {
            sms: notify_sms(&notify.uri()),
            email: Arc::new(RecordingEmail::default()),
            time_zone: chrono_tz::Europe::London,
            quiet_hours: ReminderPolicy::default().quiet_hours(),
        };
        let context = JobContext {
            db: app.db().clone(),
            clock: app.clock.clone(),
            worker_id: "stalled".to_owned(),
        };
        handler.run(&stalled, &context).await.unwrap();
        assert!(requests_to(&notify, "POST", SMS_PATH).await.is_empty());
        let row = app.notification(message.id).await;
        assert_eq!((row.status.as_str(), row.attempts), ("pending", 0));
    }

    #[tokio::test]
    async fn a_worker_that_dies_after_sending_is_taken_over_without_a_duplicate_or_a_loss() {
        let app = spawn_app().await;
        let notify = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(SMS_PATH))
            .respond_with(accepted())
            .mount(&notify)
            .await;
        let (_, message) = booked_first_reminder(&app).await;

        let sent = Arc::new(tokio::sync::Notify::new());
        let dying = worker_named(
            &app,
            "worker-dies",
            Arc::new(DiesAfterSending {
                inner: notify_sms(&notify.uri()),
                sent: sent.clone(),
            }),
        );
        app.set_clock(at(FIRST_SEND));
        run_and_die(dying, sent).await;

        // Sent, but not recorded: the row is `sending` and the job still leased to the dead worker.
        let row = app.notification(message.id).await;
        assert_eq!(row.status, "sending");
        let reference = row.provider_ref.clone().unwrap();
        let posts = requests_to(&notify, "POST", SMS_PATH).await;
        assert_eq!(posts.len(), 1);
        assert_eq!(reference_of(&posts[0]), reference);
        let job = app.send_job_of(message.id).await;
        assert_eq!(job.state, "running");
        assert_eq!(job.locked_by.as_deref(), Some("worker-dies"));

        Mock::given(method("GET"))
            .and(path("/v2/notifications"))
            .and(query_param("reference", reference.as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "notifications": [{"id": PROVIDER_ID, "reference": reference, "status": "delivered"}],
                "links": {}
            })))
            .mount(&notify)
            .await;
        let rescuer = worker_named(&app, "worker-rescuer", notify_sms(&notify.uri()));
        // While the lease lasts, nobody else takes the job.
        app.set_clock(job.lease_expires_at.unwrap() - Duration::seconds(1));
        assert_eq!(rescuer.run_once().await.unwrap(), 0);
        // Once it has expired, the other worker does, and asks Notify before sending.
        app.set_clock(job.lease_expires_at.unwrap());
        assert_eq!(rescuer.run_once().await.unwrap(), 1);

        let row = app.notification(message.id).await;
        assert_eq!(row.status, "sent", "not lost");
        assert_eq!(row.provider_id.as_deref(), Some(PROVIDER_ID));
        assert_eq!(
            requests_to(&notify, "POST", SMS_PATH).await.len(),
            1,
            "not sent twice"
        );
        let job = app.send_job_of(message.id).await;
        assert_eq!(job.state, "succeeded");
        assert_eq!(job.locked_by.as_deref(), Some("worker-rescuer"));
        assert_eq!(job.epoch, 2);
    }

    #[tokio::test]
    async fn twilio_gets_a_form_post_with_basic_auth() {
        let app = spawn_app().await;
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(twilio_messages_path()))
            .respond_with(
                ResponseTemplate::new(201)
                    .set_body_json(json!({"sid": "SM0123456789abcdef", "status": "queued"})),
            )
            .mount(&server)
            .await;
        let worker = worker_named(&app, "worker-1", twilio(&server));
        let (_, message) = booked_first_reminder(&app).await;

        app.set_clock(at(FIRST_SEND));
        assert_eq!(worker.run_once().await.unwrap(), 1);
        let requests = server.received_requests().await.unwrap();
        assert_eq!(requests.len(), 1);
        let request = &requests[0];
        let expected_auth = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD
                .encode(format!("{TWILIO_SID}:{TWILIO_TOKEN}"))
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
        let form = form_of(request);
        assert_eq!(field(&form, "To"), "+447700900123");
        assert_eq!(field(&form, "From"), TWILIO_FROM);
        assert!(
            field(&form, "Body").contains("Thu 26 Nov at 10:00"),
            "{form:?}"
        );
        let row = app.notification(message.id).await;
        assert_eq!(row.status, "sent");
        assert_eq!(row.provider_id.as_deref(), Some("SM0123456789abcdef"));
    }

    #[tokio::test]
    async fn an_interrupted_twilio_send_is_marked_unknown_and_not_resent() {
        let app = spawn_app().await;
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(twilio_messages_path()))
            .respond_with(ResponseTemplate::new(502))
            .mount(&server)
            .await;
        let worker = worker_named(&app, "worker-1", twilio(&server));
        let (_, message) = booked_first_reminder(&app).await;

        app.set_clock(at(FIRST_SEND));
        worker.run_once().await.unwrap();
        assert_eq!(app.notification(message.id).await.status, "sending");
        app.set_clock(app.send_job_of(message.id).await.run_at);
        assert_eq!(worker.run_once().await.unwrap(), 1);
        let row = app.notification(message.id).await;
        assert_eq!(row.status, "unknown");
        assert!(
            row.reason.as_deref().unwrap().contains("not resent"),
            "{row:?}"
        );
        assert_eq!(app.send_job_of(message.id).await.state, "succeeded");
        assert_eq!(server.received_requests().await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_worker_that_dies_after_a_twilio_send_leaves_it_unknown_not_resent() {
        let app = spawn_app().await;
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(twilio_messages_path()))
            .respond_with(ResponseTemplate::new(201).set_body_json(json!({"sid": "SM1"})))
            .mount(&server)
            .await;
        let (_, message) = booked_first_reminder(&app).await;
        let sent = Arc::new(tokio::sync::Notify::new());
        let dying = worker_named(
            &app,
            "worker-dies",
            Arc::new(DiesAfterSending {
                inner: twilio(&server),
                sent: sent.clone(),
            }),
        );
        app.set_clock(at(FIRST_SEND));
        run_and_die(dying, sent).await;
        let job = app.send_job_of(message.id).await;
        assert_eq!(job.state, "running");

        let rescuer = worker_named(&app, "worker-rescuer", twilio(&server));
        app.set_clock(job.lease_expires_at.unwrap());
        assert_eq!(rescuer.run_once().await.unwrap(), 1);
        assert_eq!(app.notification(message.id).await.status, "unknown");
        assert_eq!(server.received_requests().await.unwrap().len(), 1);
    }
}
