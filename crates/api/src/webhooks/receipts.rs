//! Applying a delivery receipt to the message it is about.

use chrono::{DateTime, Utc};
use vigil_persistence::ConnectionTrait;
use vigil_persistence::repositories::notifications::{self, Transition};

use crate::error::ApiError;

/// A provider's final word on a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Receipt {
    Delivered,
    Failed(String),
    /// An intermediate status (queued, sending...): nothing to record.
    Pending,
}

/// Records the receipt against the message the provider's id or our reference names. Unknown messages
/// are ignored (answered 204 all the same, so the provider does not retry forever).
pub async fn apply(
    db: &impl ConnectionTrait,
    provider_id: Option<&str>,
    reference: Option<&str>,
    receipt: Receipt,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let Some(message) = notifications::find_by_provider(db, provider_id, reference).await? else {
        tracing::info!("delivery receipt for an unknown message ignored");
        return Ok(());
    };
    let (to, reason) = match receipt {
        Receipt::Delivered => ("delivered", None),
        Receipt::Failed(reason) => ("failed", Some(reason)),
        Receipt::Pending => return Ok(()),
    };
    notifications::transition(
        db,
        message.id,
        Transition {
            // A receipt can overtake the worker's own record of the send.
            from: &["sending", "sent", "unknown"],
            to,
            reason,
            provider_id: provider_id.map(str::to_owned),
            ..Default::default()
        },
        now,
    )
    .await?;
    Ok(())
}
