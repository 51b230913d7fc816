//! Referrals to resettlement pathways at partner agencies.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use uuid::Uuid;

use crate::entities::referral;
use crate::error::PersistenceError;

#[derive(Debug, Clone)]
pub struct NewReferral {
    pub person_id: Uuid,
    pub pathway: String,
    pub agency_id: Uuid,
    pub notes: Option<String>,
    pub created_by: Option<Uuid>,
}

pub async fn create(
    db: &impl ConnectionTrait,
    new: NewReferral,
    now: DateTime<Utc>,
) -> Result<referral::Model, PersistenceError> {
    let model = referral::ActiveModel {
        id: Set(Uuid::now_v7()),
        person_id: Set(new.person_id),
        pathway: Set(new.pathway),
        agency_id: Set(new.agency_id),
        status: Set("referred".to_owned()),
        notes: Set(new.notes),
        referred_at: Set(now),
        started_at: Set(None),
        ended_at: Set(None),
        created_by: Set(new.created_by),
    };
    Ok(model.insert(db).await?)
}

/// The people an agency has referrals for: what a partner worker may see.
pub async fn people_referred_to(
    db: &impl ConnectionTrait,
    agency_id: Uuid,
) -> Result<Vec<Uuid>, PersistenceError> {
    Ok(referral::Entity::find()
        .select_only()
        .column(referral::Column::PersonId)
        .distinct()
        .filter(referral::Column::AgencyId.eq(agency_id))
        .into_tuple()
        .all(db)
        .await?)
}

/// Whether the person has any referral to the agency: the test of a partner's right to see them.
pub async fn is_referred_to(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    agency_id: Uuid,
) -> Result<bool, PersistenceError> {
    use sea_orm::PaginatorTrait;
    Ok(referral::Entity::find()
        .filter(referral::Column::PersonId.eq(person_id))
        .filter(referral::Column::AgencyId.eq(agency_id))
        .count(db)
        .await?
        > 0)
}
