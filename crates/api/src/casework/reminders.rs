//! Planning an appointment's reminders, in the caller's transaction. The rules (offsets, quiet hours,
//! never after the start) are the domain's; this writes one notification and one send job per reminder,
//! keyed so that planning twice creates nothing and a reschedule replaces the old ones.

use chrono::{DateTime, Utc};
use vigil_domain::{AppointmentType, ReminderPolicy, plan_reminders};
use vigil_persistence::ConnectionTrait;
use vigil_persistence::entities::{appointment, person};
use vigil_persistence::repositories::notifications::{self, PlannedMessage};

use crate::error::ApiError;
use crate::state::AppState;

pub const TEMPLATE: &str = "appointment_reminder";

/// The channels a person is planned on: SMS always (the scheduler suppresses it with a reason if there is
/// no number or consent), email when they have an address.
fn channels(person: &person::Model) -> Vec<&'static str> {
    let mut channels = vec!["sms"];
    if person.email.is_some() {
        channels.push("email");
    }
    channels
}

/// The idempotency keys (and send times) the appointment should have now.
pub fn planned_keys(
    state: &AppState,
    appointment: &appointment::Model,
    person: &person::Model,
    now: DateTime<Utc>,
) -> Vec<(String, &'static str, DateTime<Utc>)> {
    if !appointment.remind || appointment.status != "booked" {
        return Vec::new();
    }
    let Ok(kind) = appointment.appointment_type.parse::<AppointmentType>() else {
        return Vec::new();
    };
    let plan = plan_reminders(
        &state.rules.reminders,
        kind,
        appointment.starts_at,
        now,
        state.time_zone,
    );
    let id = appointment.id.to_string();
    plan.into_iter()
        .flat_map(|reminder| {
            let base = ReminderPolicy::idempotency_key(&id, reminder.offset, appointment.starts_at);
            channels(person)
                .into_iter()
                .map(move |channel| (format!("{base}:{channel}"), channel, reminder.send_at))
        })
        .collect()
}

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
    let wanted = planned_keys(state, appointment, person, now);
    let keep: Vec<String> = wanted.iter().map(|(key, _, _)| key.clone()).collect();
    notifications::suppress_pending_for_appointment(db, appointment.id, &keep, reason, now).await?;
    for (key, channel, send_at) in wanted {
        notifications::plan(
            db,
            PlannedMessage {
                person_id: person.id,
                appointment_id: Some(appointment.id),
                channel: channel.to_owned(),
                template: TEMPLATE.to_owned(),
                idempotency_key: key,
                send_at,
            },
            now,
        )
        .await?;
    }
    Ok(())
}
