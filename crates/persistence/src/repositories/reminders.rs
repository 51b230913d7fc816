//! Keeping an appointment's reminders in line with it, in the caller's transaction. The rules (offsets,
//! quiet hours, never after the start) are the domain's; this writes one notification and one send job per
//! reminder, keyed so that planning twice creates nothing and a reschedule replaces the old ones. A
//! reminder whose time had already come when it was planned (a booking made two hours ahead has no
//! 48-hour reminder) is written too, suppressed as too late, with no job, so the history says why. Used by
//! the API (booking, rescheduling, cancelling, outcomes) and the scheduler (appointments it books itself).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sea_orm::ConnectionTrait;
use vigil_domain::{
    AppointmentType, PlannedReminder, ReminderPolicy, plan_reminders, too_late_reminders,
};

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

/// One reminder message: its idempotency key, channel and send time.
type Keyed = (String, &'static str, DateTime<Utc>);

/// The reminders the appointment should have now, and those whose time has already come (too late).
fn keyed_reminders(
    policy: &ReminderPolicy,
    time_zone: Tz,
    appointment: &appointment::Model,
    person: &person::Model,
    now: DateTime<Utc>,
) -> (Vec<Keyed>, Vec<Keyed>) {
    if !appointment.remind || appointment.status != "booked" {
        return (Vec::new(), Vec::new());
    }
    let Ok(kind) = appointment.appointment_type.parse::<AppointmentType>() else {
        return (Vec::new(), Vec::new());
    };
    let id = appointment.id.to_string();
    let keyed = |reminders: Vec<PlannedReminder>| -> Vec<Keyed> {
        reminders
            .into_iter()
            .flat_map(|reminder| {
                let base =
                    ReminderPolicy::idempotency_key(&id, reminder.offset, appointment.starts_at);
                channels(person)
                    .into_iter()
                    .map(move |channel| (format!("{base}:{channel}"), channel, reminder.send_at))
            })
            .collect()
    };
    let starts_at = appointment.starts_at;
    (
        keyed(plan_reminders(policy, kind, starts_at, now, time_zone)),
        keyed(too_late_reminders(policy, kind, starts_at, now, time_zone)),
    )
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
    let (wanted, too_late) = keyed_reminders(policy, time_zone, appointment, person, now);
    // Every message the appointment has as it stands is kept, those whose time has come included: a
    // change that leaves the start alone (a new location) must not withdraw a reminder whose send is
    // waiting (quiet hours, a rate limit) or under way. Only a new start (new keys) or a cancellation
    // withdraws.
    let keep: Vec<String> = wanted
        .iter()
        .chain(&too_late)
        .map(|(key, _, _)| key.clone())
        .collect();
    notifications::suppress_pending_for_appointment(db, appointment.id, &keep, reason, now).await?;
    let message = |(key, channel, send_at): Keyed| PlannedMessage {
        person_id: person.id,
        appointment_id: Some(appointment.id),
        channel: channel.to_owned(),
        template: TEMPLATE_REMINDER.to_owned(),
        idempotency_key: key,
        send_at,
    };
    for reminder in wanted {
        notifications::plan(db, message(reminder), now).await?;
    }
    for reminder in too_late {
        notifications::record_too_late(db, message(reminder), now).await?;
    }
    Ok(())
}
