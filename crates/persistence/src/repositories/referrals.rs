//! Referrals to resettlement pathways at partner agencies.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use uuid::Uuid;

use crate::entities::referral;
use crate::error::PersistenceError;
use crate::repositories::row_locks::lock_row;

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

pub async fn find(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<referral::Model>, PersistenceError> {
    Ok(referral::Entity::find_by_id(id).one(db).await?)
}

#[derive(Debug, Clone, Default)]
pub struct ReferralFilter {
    pub agency_id: Option<Uuid>,
    pub person_id: Option<Uuid>,
    pub status: Option<String>,
}

/// Referrals matching the filter, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &ReferralFilter,
    page: super::page::PageRequest,
) -> Result<super::page::Page<referral::Model>, PersistenceError> {
    use sea_orm::QueryOrder;
    let mut query = referral::Entity::find();
    if let Some(agency_id) = filter.agency_id {
        query = query.filter(referral::Column::AgencyId.eq(agency_id));
    }
    if let Some(person_id) = filter.person_id {
        query = query.filter(referral::Column::PersonId.eq(person_id));
    }
    if let Some(status) = &filter.status {
        query = query.filter(referral::Column::Status.eq(status.as_str()));
    }
    let query = query
        .order_by_desc(referral::Column::ReferredAt)
        .order_by_desc(referral::Column::Id);
    super::page::fetch(db, query, page).await
}

/// The referral, its row locked until the transaction ends (see `row_locks`): for a change decided from
/// its current status.
pub async fn find_for_update(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<referral::Model>, PersistenceError> {
    lock_row(db, referral::Entity, id).await?;
    find(db, id).await
}

/// Moves a referral to `status` at `at`: `started` sets the start (the referral-to-start measure),
/// the terminal statuses set the end.
pub async fn move_to(
    db: &impl ConnectionTrait,
    current: referral::Model,
    status: &str,
    at: DateTime<Utc>,
) -> Result<referral::Model, PersistenceError> {
    use sea_orm::IntoActiveModel;
    let mut model = current.into_active_model();
    model.status = Set(status.to_owned());
    if status == "started" {
        model.started_at = Set(Some(at));
    } else {
        model.ended_at = Set(Some(at));
    }
    Ok(model.update(db).await?)
}

/// Open (referred or started) referrals of a person on a pathway: a release plans an accommodation
/// referral only when none is open.
pub async fn has_open(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    pathway: &str,
) -> Result<bool, PersistenceError> {
    use sea_orm::PaginatorTrait;
    Ok(referral::Entity::find()
        .filter(referral::Column::PersonId.eq(person_id))
        .filter(referral::Column::Pathway.eq(pathway))
        .filter(referral::Column::Status.is_in(["referred", "started"]))
        .count(db)
        .await?
        > 0)
}
