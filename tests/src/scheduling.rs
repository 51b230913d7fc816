//! Set-up the scheduler's end-to-end tests share: a person who can be texted, with an appointment whose
//! reminders fall at known instants.

use serde_json::json;
use uuid::Uuid;
use vigil_persistence::entities::notification;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::appointments::at;
use crate::{TestApp, TestUser};

/// When the 48-hour reminder of [`booked_textable`]'s appointment is due: Tuesday 24 November 10:00.
pub const FIRST_SEND: &str = "2026-11-24T10:00:00Z";

/// A textable person (mobile 07700 900123, consent given) with an office visit on Thursday 26 November at
/// 10:00, booked by a new offender manager; returns the officer and the person.
pub async fn booked_textable(app: &TestApp) -> (TestUser, Uuid) {
    let om = app.user("offender_manager", None).await;
    let person = app
        .person_with(
            &om,
            "Rhys",
            "Morgan",
            json!({"mobile": "07700 900123", "sms_consent": true}),
        )
        .await;
    app.book(
        &om,
        person,
        json!({"type": "office_visit", "starts_at": "2026-11-26T10:00:00Z", "duration_minutes": 30}),
    )
    .await;
    (om, person)
}

/// [`booked_textable`], returning the SMS row of the 48-hour reminder (due at [`FIRST_SEND`]).
pub async fn booked_first_reminder(app: &TestApp) -> (TestUser, notification::Model) {
    let (om, person) = booked_textable(app).await;
    let first = app
        .notifications_of(person)
        .await
        .into_iter()
        .find(|n| n.send_at == at(FIRST_SEND) && n.channel == "sms")
        .expect("the 48-hour reminder is planned");
    (om, first)
}

/// Where the Notify fakes take texts.
pub const SMS_PATH: &str = "/v2/notifications/sms";

/// A Notify fake that answers the first send with `status`, takes every later one, and has no record of
/// any message when asked (the first one never reached it).
pub async fn notify_failing_once(status: u16) -> MockServer {
    let notify = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(SMS_PATH))
        .respond_with(ResponseTemplate::new(status))
        .up_to_n_times(1)
        .mount(&notify)
        .await;
    Mock::given(method("POST"))
        .and(path(SMS_PATH))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "p-1"})))
        .mount(&notify)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/notifications"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"notifications": [], "links": {}})),
        )
        .mount(&notify)
        .await;
    notify
}
