//! Recording a contact, shared by logged contacts, appointment outcomes and home-visit outcomes: the
//! contact row, the enforcement step the domain rule asks for, and the audit event, all in the caller's
//! transaction.

use chrono::{DateTime, Utc};
use sea_orm::Set;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;
use vigil_domain::{AuditAction, ContactOutcome, ContactStatus, ContactType};
use vigil_persistence::ConnectionTrait;
use vigil_persistence::entities::{contact, enforcement_action};
use vigil_persistence::repositories::appointments::{self, STATUS_OUTCOMED};
use vigil_persistence::repositories::{audit, contacts, enforcement};

use super::absences;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::validation::Validator;

#[derive(Debug, Clone)]
pub struct ContactRecord {
    pub person_id: Uuid,
    pub contact_type: ContactType,
    pub occurred_at: DateTime<Utc>,
    pub status: ContactStatus,
    pub outcome: Option<ContactOutcome>,
    pub notes: Option<String>,
    pub sensitive: bool,
    pub appointment_id: Option<Uuid>,
    pub home_visit_id: Option<Uuid>,
    pub supersedes_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactView {
    pub id: Uuid,
    pub person_id: Uuid,
    pub staff_id: Option<Uuid>,
    #[serde(rename = "type")]
    pub contact_type: String,
    pub occurred_at: DateTime<Utc>,
    pub status: String,
    pub outcome: Option<String>,
    pub notes: Option<String>,
    pub sensitive: bool,
    pub appointment_id: Option<Uuid>,
    pub home_visit_id: Option<Uuid>,
    /// The contact this one corrects.
    pub supersedes_id: Option<Uuid>,
    /// A later contact that corrects this one, if any.
    pub superseded_by: Option<Uuid>,
    pub recorded_at: DateTime<Utc>,
}

impl ContactView {
    pub fn new(c: contact::Model, superseded_by: Option<Uuid>) -> Self {
        Self {
            id: c.id,
            person_id: c.person_id,
            staff_id: c.staff_id,
            contact_type: c.contact_type,
            occurred_at: c.occurred_at,
            status: c.status,
            outcome: c.outcome,
            notes: c.notes,
            sensitive: c.sensitive,
            appointment_id: c.appointment_id,
            home_visit_id: c.home_visit_id,
            supersedes_id: c.supersedes_id,
            superseded_by,
            recorded_at: c.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnforcementView {
    pub id: Uuid,
    pub person_id: Uuid,
    /// The contact (absence) that caused it.
    pub contact_id: Option<Uuid>,
    /// warning | breach
    pub action: String,
    /// pending | completed | cancelled (by an officer) | withdrawn (by Vigil: the absence was corrected, or
    /// now calls for another step)
    pub status: String,
    /// The deadline: warning within 5 working days, breach action within 10.
    pub due_by: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub completed_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl From<enforcement_action::Model> for EnforcementView {
    fn from(e: enforcement_action::Model) -> Self {
        Self {
            id: e.id,
            person_id: e.person_id,
            contact_id: e.contact_id,
            action: e.action,
            status: e.status,
            due_by: e.due_by,
            completed_at: e.completed_at,
            completed_by: e.completed_by,
            created_at: e.created_at,
        }
    }
}

/// How far back a contact or appointment may be recorded after the fact: a year and a day, about the
/// enforcement rule's (configurable) window. An older date is almost always a typing slip (1026 for 2026),
/// and would make steps due long ago.
pub const OLDEST_AFTER_THE_FACT_DAYS: i64 = 366;

/// Adds an error on `field` if `at` is further back than [`OLDEST_AFTER_THE_FACT_DAYS`].
pub fn check_not_long_ago(v: &mut Validator, field: &str, at: DateTime<Utc>, now: DateTime<Utc>) {
    if at < now - chrono::Duration::days(OLDEST_AFTER_THE_FACT_DAYS) {
        v.add(
            field,
            format!("must be within the last {OLDEST_AFTER_THE_FACT_DAYS} days"),
        );
    }
}

/// Whether a stored contact's outcome counts towards a warning or breach.
pub fn counts_for_enforcement(contact: &contact::Model) -> bool {
    contact
        .outcome
        .as_deref()
        .and_then(|outcome| outcome.parse::<ContactOutcome>().ok())
        .is_some_and(|outcome| outcome.counts_for_enforcement())
}

/// Sets an outcomed appointment's outcome to the one a correction of its contact records (an appointment
/// not outcomed, or gone, is left alone: the correction is of the contact), and records the alteration.
async fn correct_appointment_outcome(
    db: &impl ConnectionTrait,
    caller: &Caller,
    appointment_id: Uuid,
    outcome: ContactOutcome,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let Some(current) = appointments::find(db, appointment_id).await? else {
        return Ok(());
    };
    if current.status != STATUS_OUTCOMED || current.outcome.as_deref() == Some(outcome.as_str()) {
        return Ok(());
    }
    let person_id = current.person_id;
    appointments::save_versioned(db, current, now, |model| {
        model.outcome = Set(Some(outcome.as_str().to_owned()));
    })
    .await?;
    let mut entry = caller.audit(AuditAction::Alter, "appointment", Some(person_id));
    entry.entity_id = Some(appointment_id);
    audit::append(db, entry, now).await?;
    Ok(())
}

/// Writes the contact, brings the person's enforcement steps into line with it, and writes a `collect`
/// audit event. Answers the contact and its step (made now, or carried over from the contact it corrects).
///
/// The caller has already locked the person's row ([`absences::lock_person`]), before any other write of
/// its transaction: that is what decides two absences recorded at once one after the other.
pub async fn record_contact(
    state: &AppState,
    db: &impl ConnectionTrait,
    caller: &Caller,
    record: ContactRecord,
    now: DateTime<Utc>,
) -> Result<(contact::Model, Option<enforcement_action::Model>), ApiError> {
    let counts = record.outcome.is_some_and(|o| o.counts_for_enforcement());
    let superseded = match record.supersedes_id {
        Some(id) => contacts::find(db, id).await?,
        None => None,
    };
    let corrected_appointment = superseded.as_ref().and_then(|old| old.appointment_id);
    let superseded_absence = superseded.filter(counts_for_enforcement);
    // The earliest absence this write adds or takes away: the rule looks again from there on (a later
    // absence may now be a first or a second).
    let touched_from = [
        counts.then_some(record.occurred_at),
        superseded_absence.as_ref().map(|old| old.occurred_at),
    ]
    .into_iter()
    .flatten()
    .min();
    let saved = contacts::create(
        db,
        contacts::NewContact {
            person_id: record.person_id,
            staff_id: Some(caller.id),
            contact_type: record.contact_type.as_str().to_owned(),
            occurred_at: record.occurred_at,
            status: record.status.as_str().to_owned(),
            outcome: record.outcome.map(|o| o.as_str().to_owned()),
            notes: record.notes,
            sensitive: record.sensitive,
            appointment_id: record.appointment_id,
            home_visit_id: record.home_visit_id,
            supersedes_id: record.supersedes_id,
        },
        now,
    )
    .await?;
    // The appointment whose outcome this corrects shows the corrected outcome.
    if let (Some(appointment_id), Some(outcome)) = (corrected_appointment, record.outcome) {
        correct_appointment_outcome(db, caller, appointment_id, outcome, now).await?;
    }
    // A correction that still records a counting absence is the same absence: its step goes with it.
    if let Some(old) = &superseded_absence
        && counts
    {
        enforcement::carry_over(db, record.person_id, old.id, saved.id).await?;
    }
    let step = match touched_from {
        Some(from) => {
            absences::bring_steps_into_line(
                state,
                db,
                record.person_id,
                from,
                saved.id,
                caller.id,
                now,
            )
            .await?
        }
        None => None,
    };
    let mut entry = caller.audit(AuditAction::Collect, "contact", Some(record.person_id));
    entry.entity_id = Some(saved.id);
    audit::append(db, entry, now).await?;
    Ok((saved, step))
}
