//! Keeping an appointment's reminders in line with it, in the caller's transaction. The rules (offsets,
//! quiet hours, never after the start) are the domain's; this writes one notification and one send job per
//! reminder, keyed so that planning twice creates nothing and a reschedule replaces the old ones. Used by
//! the API (booking, rescheduling, cancelling, outcomes) and the scheduler (appointments it books itself).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sea_orm::ConnectionTrait;
use vigil_domain::{AppointmentType, ReminderPolicy, plan_reminders};

use super::notifications::{self, PlannedMessage, TEMPLATE_REMINDER};
use crate::entities::{appointment, person};
use crate::error::PersistenceError;

/// The channels a person is planned on: SMS always (the sender suppresses it, with the reason, if there is
/// no number or consent), email when they have an address.
fn channels(person: &person::Model) -> Vec<&'static str> {
    let mut channels = vec!["sms"];
    if person.email.is_some() {
        channels.push("email");
    }
    channels
}

/// The idempotency keys, channels and send times the appointment should have now.
pub fn planned_keys(
    policy: &ReminderPolicy,
    time_zone: Tz,
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
    let plan = plan_reminders(policy, kind, appointment.starts_at, now, time_zone);
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

/// Withdraws the reminders no longer wanted (with `reason`) and plans the missing ones.
pub async fn replan(
    db: &impl ConnectionTrait,
    policy: &ReminderPolicy,
    time_zone: Tz,
    appointment: &appointment::Model,
    person: &person::Model,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), PersistenceError> {
    let wanted = planned_keys(policy, time_zone, appointment, person, now);
    let keep: Vec<String> = wanted.iter().map(|(key, _, _)| key.clone()).collect();
    notifications::suppress_pending_for_appointment(db, appointment.id, &keep, reason, now).await?;
    for (key, channel, send_at) in wanted {
        notifications::plan(
            db,
            PlannedMessage {
                person_id: person.id,
                appointment_id: Some(appointment.id),
                channel: channel.to_owned(),
                template: TEMPLATE_REMINDER.to_owned(),
                idempotency_key: key,
                send_at,
            },
            now,
        )
        .await?;
    }
    Ok(())
}
