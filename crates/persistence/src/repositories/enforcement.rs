//! Enforcement actions: warnings and breaches, each a record with its deadline and who completed it.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

use crate::caseload::Part;
use crate::caseload::store::refresh;
use crate::entities::{enforcement_action, person};
use crate::error::PersistenceError;
use crate::repositories::row_locks::lock_row;

/// A step to make for the absence a contact records.
#[derive(Debug, Clone)]
pub struct NewStep {
    pub contact_id: Uuid,
    /// warning | breach
    pub action: String,
    pub due_by: DateTime<Utc>,
}

/// Brings a person's steps to what the enforcement rule asks: withdraws the pending steps `withdraw`
/// (status `withdrawn`: Vigil's doing, not an officer's decision; `completed_by` is `staff_id`, whose write
/// made them wrong; a step no longer pending is left as it is) and makes the steps `make`, pending. The
/// person's caseload facts are refreshed once, if anything changed. Answers the steps made.
pub async fn replace_steps(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    withdraw: &[Uuid],
    make: Vec<NewStep>,
    staff_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<enforcement_action::Model>, PersistenceError> {
    let mut changed = false;
    if !withdraw.is_empty() {
        let result = enforcement_action::Entity::update_many()
            .col_expr(enforcement_action::Column::Status, "withdrawn".into())
            .col_expr(enforcement_action::Column::CompletedAt, Some(now).into())
            .col_expr(
                enforcement_action::Column::CompletedBy,
                Some(staff_id).into(),
            )
            .filter(enforcement_action::Column::PersonId.eq(person_id))
            .filter(enforcement_action::Column::Id.is_in(withdraw.iter().copied()))
            .filter(enforcement_action::Column::Status.eq("pending"))
            .exec(db)
            .await?;
        changed = result.rows_affected > 0;
    }
    let mut made = Vec::with_capacity(make.len());
    for step in make {
        let model = enforcement_action::ActiveModel {
            id: Set(Uuid::now_v7()),
            person_id: Set(person_id),
            contact_id: Set(Some(step.contact_id)),
            action: Set(step.action),
            status: Set("pending".to_owned()),
            due_by: Set(step.due_by),
            completed_at: Set(None),
            completed_by: Set(None),
            created_at: Set(now),
        };
        made.push(model.insert(db).await?);
    }
    if changed || !made.is_empty() {
        refresh(db, person_id, Part::Enforcement, now).await?;
    }
    Ok(made)
}

pub async fn for_person(
    db: &impl ConnectionTrait,
    person_id: Uuid,
) -> Result<Vec<enforcement_action::Model>, PersistenceError> {
    Ok(enforcement_action::Entity::find()
        .filter(enforcement_action::Column::PersonId.eq(person_id))
        .order_by_asc(enforcement_action::Column::CreatedAt)
        // Steps recorded in the same instant (several absences recorded at once) in the order made.
        .order_by_asc(enforcement_action::Column::Id)
        .all(db)
        .await?)
}

pub async fn find(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<enforcement_action::Model>, PersistenceError> {
    Ok(enforcement_action::Entity::find_by_id(id).one(db).await?)
}

/// Marks a pending step done (or cancelled) by `staff_id`; a step no longer pending is a conflict. The
/// person's row is locked first, as by every write that changes their steps (`row_locks`), so of two
/// officers closing a step at once the second is refused rather than recorded over the first, and a
/// close never waits on a correction that waits on it.
pub async fn close(
    db: &impl ConnectionTrait,
    id: Uuid,
    status: &str,
    staff_id: Uuid,
    now: DateTime<Utc>,
) -> Result<enforcement_action::Model, PersistenceError> {
    let not_found = || PersistenceError::NotFound {
        entity: "enforcement action",
    };
    let person_id = find(db, id).await?.ok_or_else(not_found)?.person_id;
    lock_row(db, person::Entity, person_id).await?;
    let current = find(db, id).await?.ok_or_else(not_found)?;
    if current.status != "pending" {
        return Err(PersistenceError::Conflict(format!(
            "the {} is already {}",
            current.action, current.status
        )));
    }
    let mut model = current.into_active_model();
    model.status = Set(status.to_owned());
    model.completed_at = Set(Some(now));
    model.completed_by = Set(Some(staff_id));
    let closed = model.update(db).await?;
    refresh(db, closed.person_id, Part::Enforcement, now).await?;
    Ok(closed)
}

/// Pending steps of these people (the caseload's enforcement deadlines), in one query.
pub async fn pending_for_people(
    db: &impl ConnectionTrait,
    person_ids: &[Uuid],
) -> Result<Vec<enforcement_action::Model>, PersistenceError> {
    if person_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(enforcement_action::Entity::find()
        .filter(enforcement_action::Column::PersonId.is_in(person_ids.iter().copied()))
        .filter(enforcement_action::Column::Status.eq("pending"))
        .order_by_asc(enforcement_action::Column::DueBy)
        .all(db)
        .await?)
}

/// Moves the steps of the contact `from` to the contact `to` that corrects it and still records a counting
/// absence: the same absence, so the same steps, and what was done or decided about it goes with it (a
/// warning already sent is not sent again; a step an officer cancelled is not made again).
pub async fn carry_over(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    from: Uuid,
    to: Uuid,
) -> Result<u64, PersistenceError> {
    let result = enforcement_action::Entity::update_many()
        .col_expr(enforcement_action::Column::ContactId, Some(to).into())
        .filter(enforcement_action::Column::PersonId.eq(person_id))
        .filter(enforcement_action::Column::ContactId.eq(from))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
