//! Keeping a person's warnings and breaches in line with their counting absences whenever a contact that
//! counts, or that corrects one that counted, is written. The rule is the domain's
//! ([`vigil_domain::EnforcementPolicy::reconcile`]); this reads what it needs and writes what it asks,
//! in the caller's transaction.

use chrono::{DateTime, Utc};
use uuid::Uuid;
use vigil_domain::{ContactOutcome, CountingAbsence, StepChange, StepOnRecord};
use vigil_persistence::ConnectionTrait;
use vigil_persistence::entities::{enforcement_action, person};
use vigil_persistence::repositories::{contacts, enforcement, row_locks};

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

/// Locks the person's row before their absences are read, so that two absences recorded at once are
/// decided one after the other and the second sees the first (on PostgreSQL; SQLite has one writer).
/// The person's row is the first lock every casework write takes, so this adds no new order.
pub async fn lock_person(db: &impl ConnectionTrait, person_id: Uuid) -> Result<(), ApiError> {
    row_locks::lock_row(db, person::Entity, person_id).await?;
    Ok(())
}

/// Brings the person's steps into line with their counting absences from `from` on (the earliest time a
/// write touched); `staff_id` is who withdraws any step that is no longer right.
pub async fn bring_steps_into_line(
    state: &AppState,
    db: &impl ConnectionTrait,
    person_id: Uuid,
    from: DateTime<Utc>,
    staff_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let absences: Vec<CountingAbsence<Uuid>> =
        contacts::current_with_outcomes(db, person_id, &counting_outcomes())
            .await?
            .into_iter()
            .map(|(contact, at)| CountingAbsence { contact, at })
            .collect();
    let steps = enforcement::for_person(db, person_id)
        .await?
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
    let withdrawn: Vec<Uuid> = changes
        .iter()
        .filter_map(|change| match change {
            StepChange::Withdraw(id) => Some(*id),
            StepChange::Create { .. } => None,
        })
        .collect();
    enforcement::withdraw_pending(db, person_id, &withdrawn, staff_id, now).await?;
    for change in changes {
        if let StepChange::Create { contact, decision } = change {
            enforcement::create(
                db,
                person_id,
                Some(contact),
                decision.action.as_str(),
                decision.due_by,
                now,
            )
            .await?;
        }
    }
    Ok(())
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
