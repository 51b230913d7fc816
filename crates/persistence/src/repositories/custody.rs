//! Custody periods: received, expected release, released.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

use crate::caseload::Part;
use crate::caseload::store::refresh;
use crate::entities::{custody_period, person};
use crate::error::PersistenceError;
use crate::repositories::row_locks::lock_row;

#[derive(Debug, Clone)]
pub struct NewCustodyPeriod {
    pub received_at: DateTime<Utc>,
    pub expected_release_at: Option<DateTime<Utc>>,
    pub released_at: Option<DateTime<Utc>>,
}

/// What recording custody did: opened a new period, or completed the one received at the same instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    Opened,
    Updated,
}

/// Records custody. A period is known by when the person was received: the same `received_at` again
/// completes that period (its expected release, its release) instead of opening another, so a release
/// learnt later closes the period it ends. A new period cannot open while an earlier one has no release
/// recorded, nor inside an earlier one, and a recorded release cannot be changed (all 409). The person's row is locked first, so two
/// recordings for one person decide one after the other.
pub async fn record(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    period: NewCustodyPeriod,
    now: DateTime<Utc>,
) -> Result<(custody_period::Model, Recorded), PersistenceError> {
    lock_row(db, person::Entity, person_id).await?;
    let existing = custody_period::Entity::find()
        .filter(custody_period::Column::PersonId.eq(person_id))
        .filter(custody_period::Column::ReceivedAt.eq(period.received_at))
        .one(db)
        .await?;
    let (saved, recorded) = match existing {
        Some(current) => (complete(db, current, period).await?, Recorded::Updated),
        None => (open(db, person_id, period, now).await?, Recorded::Opened),
    };
    refresh(db, person_id, Part::StandardsSince, now).await?;
    Ok((saved, recorded))
}

async fn complete(
    db: &impl ConnectionTrait,
    current: custody_period::Model,
    period: NewCustodyPeriod,
) -> Result<custody_period::Model, PersistenceError> {
    if let (Some(recorded), Some(given)) = (current.released_at, period.released_at)
        && recorded != given
    {
        return Err(PersistenceError::Conflict(format!(
            "this custody period's release is already recorded ({})",
            recorded.to_rfc3339()
        )));
    }
    let mut model = current.clone().into_active_model();
    if period.expected_release_at.is_some() {
        model.expected_release_at = Set(period.expected_release_at);
    }
    if period.released_at.is_some() {
        model.released_at = Set(period.released_at);
    }
    Ok(model.update(db).await?)
}

async fn open(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    period: NewCustodyPeriod,
    now: DateTime<Utc>,
) -> Result<custody_period::Model, PersistenceError> {
    let unreleased = custody_period::Entity::find()
        .filter(custody_period::Column::PersonId.eq(person_id))
        .filter(custody_period::Column::ReleasedAt.is_null())
        .one(db)
        .await?;
    if let Some(open) = unreleased {
        return Err(PersistenceError::Conflict(format!(
            "the custody period received at {} has no release recorded: record its release first \
             (with that received_at)",
            open.received_at.to_rfc3339()
        )));
    }
    let overlapped = custody_period::Entity::find()
        .filter(custody_period::Column::PersonId.eq(person_id))
        .filter(custody_period::Column::ReceivedAt.lte(period.received_at))
        .filter(custody_period::Column::ReleasedAt.gt(period.received_at))
        .one(db)
        .await?;
    if let Some(earlier) = overlapped {
        return Err(PersistenceError::Conflict(format!(
            "the person was already in custody then (received {}, released {})",
            earlier.received_at.to_rfc3339(),
            earlier
                .released_at
                .map(|at| at.to_rfc3339())
                .unwrap_or_default()
        )));
    }
    let model = custody_period::ActiveModel {
        id: Set(Uuid::now_v7()),
        person_id: Set(person_id),
        received_at: Set(period.received_at),
        expected_release_at: Set(period.expected_release_at),
        released_at: Set(period.released_at),
        created_at: Set(now),
    };
    Ok(model.insert(db).await?)
}

/// Every custody period, newest first.
pub async fn for_person(
    db: &impl ConnectionTrait,
    person_id: Uuid,
) -> Result<Vec<custody_period::Model>, PersistenceError> {
    Ok(custody_period::Entity::find()
        .filter(custody_period::Column::PersonId.eq(person_id))
        .order_by_desc(custody_period::Column::ReceivedAt)
        .all(db)
        .await?)
}

/// Custody periods of these people, oldest first, in one query.
pub async fn for_people(
    db: &impl ConnectionTrait,
    person_ids: &[Uuid],
) -> Result<Vec<custody_period::Model>, PersistenceError> {
    if person_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(custody_period::Entity::find()
        .filter(custody_period::Column::PersonId.is_in(person_ids.iter().copied()))
        .order_by_asc(custody_period::Column::ReceivedAt)
        .all(db)
        .await?)
}

/// Whether the person is in custody at `at` (received, and not yet released).
pub async fn in_custody(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    at: DateTime<Utc>,
) -> Result<bool, PersistenceError> {
    use sea_orm::PaginatorTrait;
    Ok(custody_period::Entity::find()
        .filter(custody_period::Column::PersonId.eq(person_id))
        .filter(custody_period::Column::ReceivedAt.lte(at))
        .filter(
            sea_orm::Condition::any()
                .add(custody_period::Column::ReleasedAt.is_null())
                .add(custody_period::Column::ReleasedAt.gt(at)),
        )
        .count(db)
        .await?
        > 0)
}
