//! Agencies of the partnership.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::entities::agency;
use crate::error::PersistenceError;

pub async fn create(
    db: &impl ConnectionTrait,
    name: &str,
    kind: &str,
    now: DateTime<Utc>,
) -> Result<agency::Model, PersistenceError> {
    let model = agency::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name.to_owned()),
        kind: Set(kind.to_owned()),
        created_at: Set(now),
    };
    Ok(model.insert(db).await?)
}

pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<agency::Model>, PersistenceError> {
    Ok(agency::Entity::find()
        .order_by_asc(agency::Column::Name)
        .all(db)
        .await?)
}

pub async fn find(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<agency::Model>, PersistenceError> {
    Ok(agency::Entity::find_by_id(id).one(db).await?)
}

pub async fn find_by_name(
    db: &impl ConnectionTrait,
    name: &str,
) -> Result<Option<agency::Model>, PersistenceError> {
    Ok(agency::Entity::find()
        .filter(agency::Column::Name.eq(name))
        .one(db)
        .await?)
}

/// The first agency of a kind, by name (e.g. the housing provider a release is referred to).
pub async fn first_of_kind(
    db: &impl ConnectionTrait,
    kind: &str,
) -> Result<Option<agency::Model>, PersistenceError> {
    Ok(agency::Entity::find()
        .filter(agency::Column::Kind.eq(kind))
        .order_by_asc(agency::Column::Name)
        .one(db)
        .await?)
}
