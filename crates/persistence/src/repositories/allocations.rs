//! Allocations of people to staff. A person has at most one active allocation per role; allocating a new
//! one ends the old one, which stays in the history.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

use crate::entities::{allocation, person};
use crate::error::PersistenceError;
use crate::repositories::row_locks::lock_row;

/// Allocates the person to `staff_id` in `role`, ending the active allocation in that role. The person's
/// row is locked first: two allocations made at once then run one after the other, and the second ends
/// the first's, instead of both finding none to end and leaving two active.
pub async fn allocate(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    staff_id: Uuid,
    role: &str,
    created_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<allocation::Model, PersistenceError> {
    lock_row(db, person::Entity, person_id).await?;
    allocation::Entity::update_many()
        .col_expr(allocation::Column::ToAt, Some(now).into())
        .filter(allocation::Column::PersonId.eq(person_id))
        .filter(allocation::Column::Role.eq(role))
        .filter(allocation::Column::ToAt.is_null())
        .exec(db)
        .await?;
    let model = allocation::ActiveModel {
        id: Set(Uuid::now_v7()),
        person_id: Set(person_id),
        staff_id: Set(staff_id),
        role: Set(role.to_owned()),
        from_at: Set(now),
        to_at: Set(None),
        created_by: Set(created_by),
    };
    Ok(model.insert(db).await?)
}

pub async fn find(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<allocation::Model>, PersistenceError> {
    Ok(allocation::Entity::find_by_id(id).one(db).await?)
}

/// Ends an active allocation; ending one already ended is a conflict.
pub async fn end(
    db: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<allocation::Model, PersistenceError> {
    let current = find(db, id).await?.ok_or(PersistenceError::NotFound {
        entity: "allocation",
    })?;
    if current.to_at.is_some() {
        return Err(PersistenceError::Conflict(
            "the allocation has already ended".to_owned(),
        ));
    }
    let mut model = current.into_active_model();
    model.to_at = Set(Some(now));
    Ok(model.update(db).await?)
}

/// Every allocation of a person, current and ended, newest first.
pub async fn for_person(
    db: &impl ConnectionTrait,
    person_id: Uuid,
) -> Result<Vec<allocation::Model>, PersistenceError> {
    Ok(allocation::Entity::find()
        .filter(allocation::Column::PersonId.eq(person_id))
        .order_by_desc(allocation::Column::FromAt)
        .all(db)
        .await?)
}

/// The person's active allocation in a role, if any.
pub async fn active_in_role(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    role: &str,
) -> Result<Option<allocation::Model>, PersistenceError> {
    Ok(allocation::Entity::find()
        .filter(allocation::Column::PersonId.eq(person_id))
        .filter(allocation::Column::Role.eq(role))
        .filter(allocation::Column::ToAt.is_null())
        .one(db)
        .await?)
}

/// Every active allocation in a role (e.g. each person's police single point of contact), in one query.
pub async fn active_in_role_for_everyone(
    db: &impl ConnectionTrait,
    role: &str,
) -> Result<Vec<allocation::Model>, PersistenceError> {
    Ok(allocation::Entity::find()
        .filter(allocation::Column::Role.eq(role))
        .filter(allocation::Column::ToAt.is_null())
        .all(db)
        .await?)
}
