//! The API's door to reminder planning (`vigil_persistence::repositories::reminders`), with the
//! partnership's rules from the state.

use chrono::{DateTime, Utc};
use vigil_persistence::ConnectionTrait;
use vigil_persistence::entities::{appointment, person};
use vigil_persistence::repositories::reminders;

use crate::error::ApiError;
use crate::state::AppState;

/// Brings the appointment's reminders in line with it: withdraws those no longer wanted (with `reason`)
/// and plans the missing ones.
pub async fn replan(
    state: &AppState,
    db: &impl ConnectionTrait,
    appointment: &appointment::Model,
    person: &person::Model,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    reminders::replan(
        db,
        &state.rules.reminders,
        state.time_zone,
        appointment,
        person,
        reason,
        now,
    )
    .await?;
    Ok(())
}
