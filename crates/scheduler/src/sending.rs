//! Sending one notification, effectively once.
//!
//! At-least-once job delivery is made effectively-once like this: under the job's lease the notification
//! is moved to `sending` with an opaque provider reference *before* the provider is called, and the
//! provider's id is recorded after. A worker that dies in between leaves the row in `sending`; whoever
//! runs the job next finds it there and asks the provider (by reference) whether the message went, before
//! any resend. A provider that cannot be asked (SMTP, Twilio) gets no resend: the message is marked
//! `unknown` for an officer to check, because a duplicate reminder is safer to avoid than to risk.
//!
//! So a failed send is only left in `sending` when the message may have gone (a timeout or a dropped
//! connection after it was handed over, a 5xx). When the provider certainly did not take it (connection
//! refused, TLS failed, an SMTP "try later", a rate limit) the row goes back to `pending` and the retry
//! sends it: otherwise a brief outage of the mail server would turn every reminder into `unknown`.
//! A job that ends without sending (attempts used up, a permanent error) fails its message in the same
//! transaction (see `queue::fail_after`), so nothing is left `pending` for ever.
//!
//! A reminder withdrawn while in `sending` (its appointment rescheduled or cancelled during the send, or
//! while the send is in doubt) keeps its status, with the withdrawal as its reason: it may have gone. If
//! it then turns out not to have gone, it is suppressed with that reason instead of being sent again.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use uuid::Uuid;
use vigil_domain::{
    AppointmentStanding, AppointmentType, InboundKeyword, Language, NotificationChannel,
    QuietHours, ReminderFacts, SendCircumstances, SendVerdict, reminder_subject, reminder_text,
    send_verdict,
};
use vigil_persistence::entities::{notification, person};
use vigil_persistence::repositories::notifications::{
    self, TEMPLATE_OPT_IN_CONFIRMATION, TEMPLATE_OPT_OUT_CONFIRMATION, Transition,
};
use vigil_persistence::repositories::send_context::{SendContext, send_context};

use crate::error::JobError;
use crate::queue::{self, ClaimedJob};
use crate::transport::{
    EmailTransport, Lookup, OutgoingEmail, OutgoingSms, SmsTransport, TransportError,
};
use crate::worker::{JobContext, JobHandler};

/// The job kind, as the API writes it.
pub const KIND: &str = vigil_persistence::repositories::notifications::SEND_JOB_KIND;

/// How long to wait after a provider's 5xx before trying again (not counted as an attempt: an outage of
/// the provider says nothing about the message, and the reminder is suppressed as too late once its
/// appointment starts).
const UNAVAILABLE_RETRY: Duration = Duration::from_secs(30);

#[derive(Debug, Deserialize)]
struct Payload {
    notification_id: Uuid,
}

/// Sends `send_notification` jobs through the configured transports.
#[derive(Debug, Clone)]
pub struct SendNotificationHandler {
    pub sms: Arc<dyn SmsTransport>,
    pub email: Arc<dyn EmailTransport>,
    pub time_zone: Tz,
    /// A reminder whose job runs late (downtime, retries) is never sent into the night: it waits for the
    /// morning, or is suppressed if the appointment starts first.
    pub quiet_hours: QuietHours,
}

/// What a message will say, or why it must not be sent.
enum Decision {
    Send {
        to: String,
        subject: String,
        body: String,
    },
    Suppress(&'static str),
}

impl SendNotificationHandler {
    fn decide(
        &self,
        facts: &SendContext,
        person: &person::Model,
        now: DateTime<Utc>,
    ) -> Result<Decision, JobError> {
        let message = &facts.message;
        let language: Language = person.language.parse().unwrap_or(Language::En);
        let confirmation = match message.template.as_str() {
            TEMPLATE_OPT_OUT_CONFIRMATION => Some(InboundKeyword::Stop),
            TEMPLATE_OPT_IN_CONFIRMATION => Some(InboundKeyword::Start),
            _ => None,
        };
        let channel: NotificationChannel = message
            .channel
            .parse()
            .map_err(|_| JobError::Permanent(format!("unknown channel {}", message.channel)))?;
        let to = match channel {
            NotificationChannel::Sms => person.mobile.clone(),
            NotificationChannel::Email => person.email.clone(),
        };
        if confirmation.is_none() && message.appointment_id.is_none() {
            return Err(JobError::Permanent(
                "a reminder without an appointment".to_owned(),
            ));
        }
        let appointment = facts.appointment.as_ref();
        let circumstances = SendCircumstances {
            channel,
            has_contact_detail: to.is_some(),
            consent: match channel {
                NotificationChannel::Sms => person.sms_consent,
                NotificationChannel::Email => person.email_consent,
            },
            opted_out: person.sms_opted_out_at.is_some(),
            number_holders: u32::try_from(facts.mobile_holders).unwrap_or(u32::MAX),
            is_confirmation: confirmation.is_some(),
            wanted: person.wanted,
            in_custody: facts.in_custody,
            appointment: match appointment {
                None => AppointmentStanding::Gone,
                Some(a) if a.status == "cancelled" => AppointmentStanding::Cancelled,
                Some(a) if a.status == "outcomed" => AppointmentStanding::Outcomed,
                Some(a) => AppointmentStanding::Booked {
                    starts_at: a.starts_at,
                },
            },
        };
        match send_verdict(&circumstances, now, self.quiet_hours, self.time_zone) {
            SendVerdict::Send => {}
            SendVerdict::Suppress(reason) => return Ok(Decision::Suppress(reason.as_str())),
            SendVerdict::WaitUntil(resume) => {
                let wait = (resume - now).to_std().unwrap_or(UNAVAILABLE_RETRY);
                return Err(JobError::RetryWithoutAttempt(
                    "quiet hours".to_owned(),
                    wait,
                ));
            }
        }
        // The verdict to send needs a contact detail, and for a reminder a booked appointment.
        let Some(to) = to else {
            return Err(JobError::Permanent(
                "sent without a contact detail".to_owned(),
            ));
        };
        if let Some(keyword) = confirmation {
            return Ok(Decision::Send {
                to,
                subject: reminder_subject(language).to_owned(),
                body: keyword.confirmation(language).to_owned(),
            });
        }
        let Some(appointment) = appointment else {
            return Err(JobError::Permanent(
                "sent without an appointment".to_owned(),
            ));
        };
        let kind: AppointmentType = appointment
            .appointment_type
            .parse()
            .map_err(|_| JobError::Permanent("appointment of an unknown type".to_owned()))?;
        let facts = ReminderFacts {
            appointment_type: kind,
            starts_at: appointment.starts_at,
            location: appointment.location.as_deref(),
        };
        Ok(Decision::Send {
            to,
            subject: reminder_subject(language).to_owned(),
            body: reminder_text(&facts, language, self.time_zone),
        })
    }

    async fn provider_send(
        &self,
        channel: &str,
        to: String,
        subject: String,
        body: String,
        reference: String,
    ) -> Result<String, TransportError> {
        let accepted = if channel == "sms" {
            self.sms
                .send(&OutgoingSms {
                    to,
                    body,
                    reference,
                })
                .await?
        } else {
            self.email
                .send(&OutgoingEmail {
                    to,
                    subject,
                    body,
                    reference,
                })
                .await?
        };
        Ok(accepted.provider_id)
    }

    /// A previous run moved the row to `sending` and never recorded the result: did it go?
    async fn resolve_unknown(
        &self,
        db: &DatabaseConnection,
        message: &notification::Model,
        now: DateTime<Utc>,
    ) -> Result<bool, JobError> {
        let reference = message.provider_ref.clone().unwrap_or_default();
        let can_ask = message.channel == "sms" && self.sms.supports_lookup();
        if !can_ask {
            notifications::transition(
                db,
                message.id,
                Transition {
                    from: &["sending"],
                    to: "unknown",
                    reason: Some(
                        "the send was interrupted and the provider cannot be asked whether it went; not resent to avoid a duplicate"
                            .to_owned(),
                    ),
                    ..Default::default()
                },
                now,
            )
            .await
            .map_err(retry)?;
            return Ok(true);
        }
        match self.sms.lookup(&reference).await {
            Ok(Lookup::Found {
                provider_id,
                status,
            }) => {
                // The provider has it: record what it says, and never send it again.
                let failed = status.ends_with("failure");
                notifications::transition(
                    db,
                    message.id,
                    Transition {
                        from: &["sending"],
                        to: if failed { "failed" } else { "sent" },
                        reason: failed.then(|| format!("the provider reports {status}")),
                        provider_id: Some(provider_id),
                        ..Default::default()
                    },
                    now,
                )
                .await
                .map_err(retry)?;
                Ok(true)
            }
            Ok(Lookup::NotFound) => Ok(false),
            Err(error) => Err(transport_failure(error)),
        }
    }
}

/// Records that a message in `sending` did not go (`notifications::unsent`): it is pending again, or
/// suppressed if a change to its appointment withdrew it meanwhile. True if it is not to be sent.
async fn did_not_go(
    db: &DatabaseConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, JobError> {
    let status = notifications::unsent(db, id, now).await.map_err(retry)?;
    Ok(status.as_deref() != Some("pending"))
}

fn retry(error: impl std::fmt::Display) -> JobError {
    JobError::Retryable(error.to_string())
}

fn transport_failure(error: TransportError) -> JobError {
    match error {
        TransportError::RateLimited { retry_after } => {
            JobError::RetryWithoutAttempt("provider rate limit".to_owned(), retry_after)
        }
        TransportError::Unavailable(reason) => JobError::RetryWithoutAttempt(
            format!("provider unavailable: {reason}"),
            UNAVAILABLE_RETRY,
        ),
        // Safe to resend, but counted, with backoff: a mail server that stays down or keeps answering
        // "try later" must end in a failed message an officer can see, not in retries every 30 s for
        // as long as the reminder is wanted (and for ever for a confirmation, which has no appointment).
        TransportError::NotAccepted(reason) => {
            JobError::Retryable(format!("provider did not take the message: {reason}"))
        }
        TransportError::Rejected(reason) => JobError::Permanent(reason),
        // Every message would fail the same way until an operator fixes the configuration: retry with
        // backoff (the attempts give them time) rather than discard reminders at once.
        TransportError::Misconfigured(reason) => {
            JobError::Retryable(format!("provider configuration: {reason}"))
        }
    }
}

#[async_trait]
impl JobHandler for SendNotificationHandler {
    async fn run(&self, job: &ClaimedJob, ctx: &JobContext) -> Result<(), JobError> {
        let payload: Payload = serde_json::from_value(job.payload.clone())
            .map_err(|error| JobError::Permanent(format!("bad payload: {error}")))?;
        let db = &ctx.db;
        let now = ctx.clock.now();
        let Some(facts) = send_context(db, payload.notification_id, now)
            .await
            .map_err(retry)?
        else {
            return Err(JobError::Permanent(
                "the notification no longer exists".to_owned(),
            ));
        };
        let message = &facts.message;
        match message.status.as_str() {
            "pending" => {}
            "sending" => {
                if self.resolve_unknown(db, message, now).await?
                    || did_not_go(db, message.id, now).await?
                {
                    return Ok(());
                }
            }
            // Sent, delivered, failed, suppressed or unknown: nothing more to do.
            _ => return Ok(()),
        }
        let Some(person) = &facts.person else {
            return Err(JobError::Permanent(
                "the person no longer exists".to_owned(),
            ));
        };
        let (to, subject, body) = match self.decide(&facts, person, now)? {
            Decision::Suppress(reason) => {
                notifications::transition(
                    db,
                    message.id,
                    Transition {
                        from: &["pending", "sending"],
                        to: "suppressed",
                        reason: Some(reason.to_owned()),
                        ..Default::default()
                    },
                    now,
                )
                .await
                .map_err(retry)?;
                return Ok(());
            }
            Decision::Send { to, subject, body } => (to, subject, body),
        };
        // Opaque to the provider: it identifies the message to us and means nothing to anyone else.
        let reference = message
            .provider_ref
            .clone()
            .unwrap_or_else(|| Uuid::new_v4().simple().to_string());
        // `sending` is written only while this worker still holds the job (its epoch is current), checked
        // in the same statement.
        let moved = notifications::transition(
            db,
            message.id,
            Transition {
                from: &["pending", "sending"],
                to: "sending",
                provider_ref: Some(reference.clone()),
                count_attempt: true,
                guard: Some(queue::still_held(job)),
                ..Default::default()
            },
            now,
        )
        .await
        .map_err(retry)?;
        if !moved {
            return Ok(());
        }
        match self
            .provider_send(&message.channel, to, subject, body, reference)
            .await
        {
            Ok(provider_id) => {
                notifications::transition(
                    db,
                    message.id,
                    Transition {
                        from: &["sending"],
                        to: "sent",
                        provider_id: Some(provider_id),
                        ..Default::default()
                    },
                    now,
                )
                .await
                .map_err(retry)?;
                Ok(())
            }
            Err(TransportError::Rejected(reason)) => {
                notifications::transition(
                    db,
                    message.id,
                    Transition {
                        from: &["sending"],
                        to: "failed",
                        reason: Some(reason.clone()),
                        ..Default::default()
                    },
                    now,
                )
                .await
                .map_err(retry)?;
                Err(JobError::Permanent(reason))
            }
            Err(error @ TransportError::Unavailable(_)) => {
                // A timeout or an unreadable answer may hide a message that went: the row stays in
                // `sending`, so the retry asks the provider before sending again.
                Err(transport_failure(error))
            }
            Err(error) => {
                // Rate limited, not accepted (refused connection, failed TLS, SMTP 4xx) or refused for
                // configuration: known not to have gone, so back to pending and the retry sends without
                // asking first; unless a change to its appointment withdrew it while it was on its way.
                if did_not_go(db, message.id, now).await? {
                    return Ok(());
                }
                Err(transport_failure(error))
            }
        }
    }
}
