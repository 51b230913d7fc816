//! Whether a planned message may go at the moment of sending, and if not, why not: the suppression rules.
//! Planning (offsets, quiet hours, too late at booking) is [`crate::reminders`]; this is the last word,
//! taken when the send job runs, because consent, custody, a warrant or the appointment may all have
//! changed since the reminder was planned.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::enum_macro::domain_enum;
use crate::notification::NotificationChannel;
use crate::reminder_offset::QuietHours;
use crate::time::local_to_utc;

domain_enum! {
    /// Why a message was not sent (stored as the message's reason).
    pub enum SuppressionReason("suppression reason") {
        /// No mobile number or email address for the channel.
        NoContactDetail = "no_contact_detail",
        /// The person texted STOP.
        OptedOut = "opted_out",
        /// The person has not agreed to messages on this channel.
        NoConsent = "no_consent",
        /// More than one person on record has this mobile number: a reminder could reach the wrong one.
        SharedNumber = "shared_number",
        /// Wanted on warrant: a reminder would tell them where officers will be.
        Wanted = "wanted",
        /// In custody: the appointment cannot be kept, and the phone is not theirs to read.
        InCustody = "in_custody",
        /// The appointment was cancelled (or no longer exists).
        AppointmentCancelled = "appointment_cancelled",
        /// The appointment already has its outcome.
        AppointmentOutcomed = "appointment_outcomed",
        /// The appointment has started.
        TooLate = "too_late",
        /// Quiet hours last until the appointment starts.
        QuietHours = "quiet_hours",
    }
}

/// The appointment a reminder is about, as it stands at sending time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppointmentStanding {
    /// Booked, starting then.
    Booked {
        starts_at: DateTime<Utc>,
    },
    Cancelled,
    Outcomed,
    /// No longer on record.
    Gone,
}

/// The person and the message at sending time, as far as the rules need them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendCircumstances {
    pub channel: NotificationChannel,
    /// A mobile number (SMS) or an email address (email) is on record.
    pub has_contact_detail: bool,
    /// Consent for this channel.
    pub consent: bool,
    /// SMS only: the person has texted STOP.
    pub opted_out: bool,
    /// SMS only: how many people on record hold the mobile number.
    pub number_holders: u32,
    /// The confirmation of a STOP or START: not a reminder, and the one text that may follow a STOP.
    pub is_confirmation: bool,
    pub wanted: bool,
    pub in_custody: bool,
    /// For a reminder, its appointment (ignored for a confirmation).
    pub appointment: AppointmentStanding,
}

/// What to do with the message now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendVerdict {
    Send,
    Suppress(SuppressionReason),
    /// Quiet hours: try again then, when the appointment will not yet have started.
    WaitUntil(DateTime<Utc>),
}

/// The rules, in the order they are applied (the first that holds decides):
/// 1. the channel: a contact detail; for SMS, consent and no STOP (unless this is the confirmation of one)
///    and a number that only this person holds; for email, consent;
/// 2. a confirmation of STOP or START is then sent;
/// 3. the person: not wanted, not in custody;
/// 4. the appointment: still booked, not started;
/// 5. quiet hours (local time in `tz`): wait for their end, or suppress if the appointment starts first.
pub fn send_verdict(
    circumstances: &SendCircumstances,
    now: DateTime<Utc>,
    quiet_hours: QuietHours,
    tz: Tz,
) -> SendVerdict {
    use SuppressionReason as Why;
    let c = circumstances;
    let channel_refusal = match c.channel {
        NotificationChannel::Sms if !c.has_contact_detail => Some(Why::NoContactDetail),
        NotificationChannel::Sms if !c.is_confirmation && c.opted_out => Some(Why::OptedOut),
        NotificationChannel::Sms if !c.is_confirmation && !c.consent => Some(Why::NoConsent),
        NotificationChannel::Sms if c.number_holders > 1 => Some(Why::SharedNumber),
        NotificationChannel::Email if !c.has_contact_detail => Some(Why::NoContactDetail),
        NotificationChannel::Email if !c.consent => Some(Why::NoConsent),
        _ => None,
    };
    if let Some(reason) = channel_refusal {
        return SendVerdict::Suppress(reason);
    }
    if c.is_confirmation {
        return SendVerdict::Send;
    }
    if c.wanted {
        return SendVerdict::Suppress(Why::Wanted);
    }
    if c.in_custody {
        return SendVerdict::Suppress(Why::InCustody);
    }
    let starts_at = match c.appointment {
        AppointmentStanding::Booked { starts_at } => starts_at,
        AppointmentStanding::Cancelled | AppointmentStanding::Gone => {
            return SendVerdict::Suppress(Why::AppointmentCancelled);
        }
        AppointmentStanding::Outcomed => return SendVerdict::Suppress(Why::AppointmentOutcomed),
    };
    if now >= starts_at {
        return SendVerdict::Suppress(Why::TooLate);
    }
    let local = now.with_timezone(&tz).naive_local();
    if quiet_hours.contains(local.time()) {
        let resume_local = quiet_hours.first_minute_after(local);
        let resume = local_to_utc(resume_local.date(), resume_local.time(), tz);
        return if resume >= starts_at {
            SendVerdict::Suppress(Why::QuietHours)
        } else {
            SendVerdict::WaitUntil(resume)
        };
    }
    SendVerdict::Send
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::time::DEFAULT_TZ;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    /// A reminder by SMS that may go, for an appointment at 10:00 on Tuesday 24 November 2026.
    fn sendable() -> SendCircumstances {
        SendCircumstances {
            channel: NotificationChannel::Sms,
            has_contact_detail: true,
            consent: true,
            opted_out: false,
            number_holders: 1,
            is_confirmation: false,
            wanted: false,
            in_custody: false,
            appointment: AppointmentStanding::Booked {
                starts_at: utc("2026-11-24T10:00:00Z"),
            },
        }
    }

    fn verdict(c: SendCircumstances, now: &str) -> SendVerdict {
        send_verdict(
            &c,
            utc(now),
            QuietHours::parse("21:00-08:00").unwrap(),
            DEFAULT_TZ,
        )
    }

    const MIDDAY: &str = "2026-11-23T12:00:00Z";

    #[test]
    fn each_rule_suppresses_with_its_reason() {
        use SuppressionReason as Why;
        let cases = [
            (
                SendCircumstances {
                    has_contact_detail: false,
                    ..sendable()
                },
                Why::NoContactDetail,
            ),
            (
                SendCircumstances {
                    opted_out: true,
                    ..sendable()
                },
                Why::OptedOut,
            ),
            (
                SendCircumstances {
                    consent: false,
                    ..sendable()
                },
                Why::NoConsent,
            ),
            (
                SendCircumstances {
                    number_holders: 2,
                    ..sendable()
                },
                Why::SharedNumber,
            ),
            (
                SendCircumstances {
                    wanted: true,
                    ..sendable()
                },
                Why::Wanted,
            ),
            (
                SendCircumstances {
                    in_custody: true,
                    ..sendable()
                },
                Why::InCustody,
            ),
            (
                SendCircumstances {
                    appointment: AppointmentStanding::Cancelled,
                    ..sendable()
                },
                Why::AppointmentCancelled,
            ),
            (
                SendCircumstances {
                    appointment: AppointmentStanding::Gone,
                    ..sendable()
                },
                Why::AppointmentCancelled,
            ),
            (
                SendCircumstances {
                    appointment: AppointmentStanding::Outcomed,
                    ..sendable()
                },
                Why::AppointmentOutcomed,
            ),
            (
                SendCircumstances {
                    channel: NotificationChannel::Email,
                    consent: false,
                    ..sendable()
                },
                Why::NoConsent,
            ),
        ];
        for (circumstances, reason) in cases {
            assert_eq!(
                verdict(circumstances, MIDDAY),
                SendVerdict::Suppress(reason),
                "{circumstances:?}"
            );
        }
        assert_eq!(verdict(sendable(), MIDDAY), SendVerdict::Send);
        // A shared number stops even a confirmation; a STOP does not stop its own.
        let confirmation = SendCircumstances {
            is_confirmation: true,
            opted_out: true,
            ..sendable()
        };
        assert_eq!(verdict(confirmation, MIDDAY), SendVerdict::Send);
        let shared = SendCircumstances {
            number_holders: 3,
            ..confirmation
        };
        assert_eq!(
            verdict(shared, MIDDAY),
            SendVerdict::Suppress(SuppressionReason::SharedNumber)
        );
        // A STOP is reported as such even without consent.
        let both = SendCircumstances {
            opted_out: true,
            consent: false,
            ..sendable()
        };
        assert_eq!(
            verdict(both, MIDDAY),
            SendVerdict::Suppress(SuppressionReason::OptedOut)
        );
    }

    #[test]
    fn a_started_appointment_is_too_late_and_quiet_hours_wait_or_suppress() {
        assert_eq!(
            verdict(sendable(), "2026-11-24T10:00:00Z"),
            SendVerdict::Suppress(SuppressionReason::TooLate)
        );
        // 22:30 the evening before: wait for 08:00.
        assert_eq!(
            verdict(sendable(), "2026-11-23T22:30:00Z"),
            SendVerdict::WaitUntil(utc("2026-11-24T08:00:00Z"))
        );
        // An appointment at 07:30 starts before quiet hours end.
        let early = SendCircumstances {
            appointment: AppointmentStanding::Booked {
                starts_at: utc("2026-11-24T07:30:00Z"),
            },
            ..sendable()
        };
        assert_eq!(
            verdict(early, "2026-11-23T22:30:00Z"),
            SendVerdict::Suppress(SuppressionReason::QuietHours)
        );
        // In summer time quiet hours are local: 21:30 BST is 20:30 UTC, and they end at 07:00 UTC.
        let summer = SendCircumstances {
            appointment: AppointmentStanding::Booked {
                starts_at: utc("2026-06-02T09:00:00Z"),
            },
            ..sendable()
        };
        assert_eq!(
            verdict(summer, "2026-06-01T20:30:00Z"),
            SendVerdict::WaitUntil(utc("2026-06-02T07:00:00Z"))
        );
    }
}
