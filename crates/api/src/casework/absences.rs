//! Keeping a person's warnings and breaches in line with their counting absences whenever a contact that
//! counts, or that corrects one that counted, is written. The rule is the domain's
//! ([`vigil_domain::EnforcementPolicy::reconcile`]); this reads what it needs and writes what it asks,
//! in the caller's transaction.

use chrono::{DateTime, Utc};
use uuid::Uuid;
use vigil_domain::{ContactOutcome, CountingAbsence, StepChange, StepOnRecord};
use vigil_persistence::ConnectionTrait;
use vigil_persistence::entities::{enforcement_action, person};
use vigil_persistence::repositories::enforcement::{self, NewStep};
use vigil_persistence::repositories::{contacts, row_locks};

use crate::error::ApiError;
use crate::state::AppState;

/// The outcomes the enforcement rule counts, as stored.
fn counting_outcomes() -> Vec<&'static str> {
    ContactOutcome::ALL
        .iter()
        .filter(|outcome| outcome.counts_for_enforcement())
        .map(ContactOutcome::as_str)
        .collect()
}

/// Locks the person's row, so that two writes about the same person are decided one after the other and
/// the second sees the first: two absences recorded at once, or an appointment moved while its outcome is
/// recorded (on PostgreSQL; SQLite has one writer). Every casework write the API makes that touches an
/// appointment, contact, visit outcome or enforcement step takes it first, before any other row (the
/// caseload facts, the appointment, the visit), so that no two of them can each hold what the other waits
/// for. (The scheduler's planners take no person lock, and so never wait for one.)
pub async fn lock_person(db: &impl ConnectionTrait, person_id: Uuid) -> Result<(), ApiError> {
    row_locks::lock_row(db, person::Entity, person_id).await?;
    Ok(())
}

/// Brings the person's steps into line with their counting absences from `from` on (the earliest time a
/// write touched); `staff_id` is who withdraws any step that is no longer right. Answers the step that now
/// stands (pending or completed) for the absence `contact` records, if any.
pub async fn bring_steps_into_line(
    state: &AppState,
    db: &impl ConnectionTrait,
    person_id: Uuid,
    from: DateTime<Utc>,
    contact: Uuid,
    staff_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<enforcement_action::Model>, ApiError> {
    let absences: Vec<CountingAbsence<Uuid>> =
        contacts::current_with_outcomes(db, person_id, &counting_outcomes())
            .await?
            .into_iter()
            .map(|(contact, at)| CountingAbsence { contact, at })
            .collect();
    let stored = enforcement::for_person(db, person_id).await?;
    let steps = stored
        .iter()
        .map(on_record)
        .collect::<Result<Vec<_>, _>>()?;
    let changes = state.rules.enforcement.reconcile(
        &absences,
        &steps,
        from,
        state.time_zone,
        &state.calendar,
    );
    let mut withdraw = Vec::new();
    let mut make = Vec::new();
    for change in changes {
        match change {
            StepChange::Withdraw(id) => withdraw.push(id),
            StepChange::Create { contact, decision } => make.push(NewStep {
                contact_id: contact,
                action: decision.action.as_str().to_owned(),
                due_by: decision.due_by,
            }),
        }
    }
    let made = enforcement::replace_steps(db, person_id, &withdraw, make, staff_id, now).await?;
    let standing = |step: &enforcement_action::Model| {
        step.contact_id == Some(contact)
            && !withdraw.contains(&step.id)
            && matches!(step.status.as_str(), "pending" | "completed")
    };
    Ok(made
        .into_iter()
        .rev()
        .find(|step| step.contact_id == Some(contact))
        .or_else(|| stored.into_iter().rev().find(standing)))
}

/// A stored step as the rule sees it; a stored value outside the vocabulary is a fault of ours.
fn on_record(step: &enforcement_action::Model) -> Result<StepOnRecord<Uuid, Uuid>, ApiError> {
    let unknown = |what: &str| {
        ApiError::Internal(format!(
            "enforcement step {} has an unknown {what}",
            step.id
        ))
    };
    Ok(StepOnRecord {
        id: step.id,
        contact: step.contact_id,
        action: step.action.parse().map_err(|_| unknown("action"))?,
        state: step.status.parse().map_err(|_| unknown("status"))?,
        due_by: step.due_by,
    })
}
