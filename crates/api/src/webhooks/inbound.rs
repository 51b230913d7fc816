//! A text received from a person: STOP opts them out of SMS, START back in. Each is answered with a
//! confirmation text and recorded in the audit log; anything else is logged (without its content) and
//! left for officers to follow up by phone.

use chrono::{DateTime, Utc};
use vigil_domain::{AuditAction, InboundKeyword, UkMobile};
use vigil_persistence::ConnectionTrait;
use vigil_persistence::repositories::notifications::{
    self, PlannedMessage, TEMPLATE_OPT_IN_CONFIRMATION, TEMPLATE_OPT_OUT_CONFIRMATION,
};
use vigil_persistence::repositories::{audit, people};

use crate::error::ApiError;

/// Applies a received text from `from` (any UK mobile format) with provider message id `message_id`.
pub async fn apply(
    db: &impl ConnectionTrait,
    message_id: &str,
    from: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let Some(keyword) = InboundKeyword::parse(text) else {
        tracing::info!("received a text that is not STOP or START");
        return Ok(());
    };
    let Ok(mobile) = UkMobile::parse(from) else {
        tracing::info!("received a text from a number that is not a UK mobile");
        return Ok(());
    };
    for person in people::with_mobile(db, mobile.as_str()).await? {
        let (opted_out_at, template, detail) = match keyword {
            InboundKeyword::Stop => (
                Some(now),
                TEMPLATE_OPT_OUT_CONFIRMATION,
                "sms opt-out (STOP)",
            ),
            InboundKeyword::Start => (None, TEMPLATE_OPT_IN_CONFIRMATION, "sms opt-in (START)"),
        };
        people::set_sms_opt_out(db, person.id, opted_out_at).await?;
        audit::append(
            db,
            audit::AuditEntry {
                action: AuditAction::Alter.as_str().to_owned(),
                person_id: Some(person.id),
                entity: "person".to_owned(),
                entity_id: Some(person.id),
                purpose: "person_request".to_owned(),
                request_id: crate::request_id::current_request_id(),
                detail: Some(serde_json::json!({ "change": detail, "by": "the person, by text" })),
                ..Default::default()
            },
            now,
        )
        .await?;
        notifications::plan(
            db,
            PlannedMessage {
                person_id: person.id,
                appointment_id: None,
                channel: "sms".to_owned(),
                template: template.to_owned(),
                // One confirmation per received text, however often the provider retries the callback.
                idempotency_key: format!("inbound:{message_id}:{}", person.id),
                send_at: now,
            },
            now,
        )
        .await?;
    }
    Ok(())
}
