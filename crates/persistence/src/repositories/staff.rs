//! Staff users. Passwords arrive here already hashed; this module never sees a plain password.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::page::{Page, PageRequest};
use crate::entities::staff;
use crate::error::PersistenceError;

/// A new member of staff, validated by the caller.
#[derive(Debug, Clone)]
pub struct NewStaff {
    pub email: String,
    pub name: String,
    pub role: String,
    pub agency_id: Option<Uuid>,
    pub password_hash: String,
}

pub async fn create(
    db: &impl ConnectionTrait,
    new: NewStaff,
    now: DateTime<Utc>,
) -> Result<staff::Model, PersistenceError> {
    let model = staff::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(new.email.to_lowercase()),
        name: Set(new.name),
        role: Set(new.role),
        agency_id: Set(new.agency_id),
        password_hash: Set(new.password_hash),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    };
    Ok(model.insert(db).await?)
}

pub async fn find(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<staff::Model>, PersistenceError> {
    Ok(staff::Entity::find_by_id(id).one(db).await?)
}

/// Who is calling, as every authenticated request needs it: an active member of staff's identity, role
/// and agency, read afresh each time so that deactivation or a change of role takes effect at once.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct ActiveCaller {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: String,
    pub agency_id: Option<Uuid>,
}

/// The member of staff `id` if they are active: only the columns a request needs (never the password
/// hash, which only signing in and changing a password read).
pub async fn find_active_caller(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<ActiveCaller>, PersistenceError> {
    Ok(staff::Entity::find_by_id(id)
        .filter(staff::Column::Active.eq(true))
        .select_only()
        .columns([
            staff::Column::Id,
            staff::Column::Email,
            staff::Column::Name,
            staff::Column::Role,
            staff::Column::AgencyId,
        ])
        .into_model::<ActiveCaller>()
        .one(db)
        .await?)
}

pub async fn find_by_email(
    db: &impl ConnectionTrait,
    email: &str,
) -> Result<Option<staff::Model>, PersistenceError> {
    Ok(staff::Entity::find()
        .filter(staff::Column::Email.eq(email.to_lowercase()))
        .one(db)
        .await?)
}

pub async fn list(
    db: &impl ConnectionTrait,
    page: PageRequest,
) -> Result<Page<staff::Model>, PersistenceError> {
    let query = staff::Entity::find().order_by_asc(staff::Column::Email);
    super::page::fetch(db, query, page).await
}

/// Changes a user's role and/or active flag.
pub async fn update(
    db: &impl ConnectionTrait,
    id: Uuid,
    role: Option<String>,
    active: Option<bool>,
    now: DateTime<Utc>,
) -> Result<staff::Model, PersistenceError> {
    let current = find(db, id)
        .await?
        .ok_or(PersistenceError::NotFound { entity: "user" })?;
    let mut model = current.into_active_model();
    if let Some(role) = role {
        model.role = Set(role);
    }
    if let Some(active) = active {
        model.active = Set(active);
    }
    model.updated_at = Set(now);
    Ok(model.update(db).await?)
}

/// Active users in any of these roles (e.g. everyone who gets a morning digest).
pub async fn active_in_roles(
    db: &impl ConnectionTrait,
    roles: &[&str],
) -> Result<Vec<staff::Model>, PersistenceError> {
    Ok(staff::Entity::find()
        .filter(staff::Column::Active.eq(true))
        .filter(staff::Column::Role.is_in(roles.iter().copied()))
        .order_by_asc(staff::Column::Email)
        .all(db)
        .await?)
}
