//! Custody periods: received, expected release, released.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::caseload::Part;
use crate::caseload::store::refresh;
use crate::entities::custody_period;
use crate::error::PersistenceError;

#[derive(Debug, Clone)]
pub struct NewCustodyPeriod {
    pub received_at: DateTime<Utc>,
    pub expected_release_at: Option<DateTime<Utc>>,
    pub released_at: Option<DateTime<Utc>>,
}

pub async fn record(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    period: NewCustodyPeriod,
    now: DateTime<Utc>,
) -> Result<custody_period::Model, PersistenceError> {
    let model = custody_period::ActiveModel {
        id: Set(Uuid::now_v7()),
        person_id: Set(person_id),
        received_at: Set(period.received_at),
        expected_release_at: Set(period.expected_release_at),
        released_at: Set(period.released_at),
        created_at: Set(now),
    };
    let period = model.insert(db).await?;
    refresh(db, person_id, Part::StandardsSince, now).await?;
    Ok(period)
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
