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

pub async fn create(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    contact_id: Option<Uuid>,
    action: &str,
    due_by: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<enforcement_action::Model, PersistenceError> {
    let model = enforcement_action::ActiveModel {
        id: Set(Uuid::now_v7()),
        person_id: Set(person_id),
        contact_id: Set(contact_id),
        action: Set(action.to_owned()),
        status: Set("pending".to_owned()),
        due_by: Set(due_by),
        completed_at: Set(None),
        completed_by: Set(None),
        created_at: Set(now),
    };
    let step = model.insert(db).await?;
    refresh(db, person_id, Part::Enforcement, now).await?;
    Ok(step)
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

/// Withdraws these pending steps of the person (status `withdrawn`: Vigil's doing, not an officer's
/// decision; `completed_by` is `staff_id`, whose write made them wrong). A step no longer pending is left as
/// it is.
pub async fn withdraw_pending(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    ids: &[Uuid],
    staff_id: Uuid,
    now: DateTime<Utc>,
) -> Result<u64, PersistenceError> {
    if ids.is_empty() {
        return Ok(0);
    }
    let result = enforcement_action::Entity::update_many()
        .col_expr(enforcement_action::Column::Status, "withdrawn".into())
        .col_expr(enforcement_action::Column::CompletedAt, Some(now).into())
        .col_expr(
            enforcement_action::Column::CompletedBy,
            Some(staff_id).into(),
        )
        .filter(enforcement_action::Column::PersonId.eq(person_id))
        .filter(enforcement_action::Column::Id.is_in(ids.iter().copied()))
        .filter(enforcement_action::Column::Status.eq("pending"))
        .exec(db)
        .await?;
    if result.rows_affected > 0 {
        refresh(db, person_id, Part::Enforcement, now).await?;
    }
    Ok(result.rows_affected)
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
