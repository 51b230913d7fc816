//! Contacts: what happened. Append-only; a correction is a new contact that supersedes the old one.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::entities::contact;
use crate::error::PersistenceError;

#[derive(Debug, Clone, Default)]
pub struct NewContact {
    pub person_id: Uuid,
    pub staff_id: Option<Uuid>,
    pub contact_type: String,
    pub occurred_at: DateTime<Utc>,
    pub status: String,
    pub outcome: Option<String>,
    pub notes: Option<String>,
    pub sensitive: bool,
    pub appointment_id: Option<Uuid>,
    pub home_visit_id: Option<Uuid>,
    pub supersedes_id: Option<Uuid>,
}

pub async fn create(
    db: &impl ConnectionTrait,
    new: NewContact,
    now: DateTime<Utc>,
) -> Result<contact::Model, PersistenceError> {
    let model = contact::ActiveModel {
        id: Set(Uuid::now_v7()),
        person_id: Set(new.person_id),
        staff_id: Set(new.staff_id),
        contact_type: Set(new.contact_type),
        occurred_at: Set(new.occurred_at),
        status: Set(new.status),
        outcome: Set(new.outcome),
        notes: Set(new.notes),
        sensitive: Set(new.sensitive),
        appointment_id: Set(new.appointment_id),
        home_visit_id: Set(new.home_visit_id),
        supersedes_id: Set(new.supersedes_id),
        created_at: Set(now),
    };
    Ok(model.insert(db).await?)
}

/// A person's contacts, newest first; sensitive ones only when the caller may see them.
pub async fn for_person(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    include_sensitive: bool,
) -> Result<Vec<contact::Model>, PersistenceError> {
    let mut query = contact::Entity::find().filter(contact::Column::PersonId.eq(person_id));
    if !include_sensitive {
        query = query.filter(contact::Column::Sensitive.eq(false));
    }
    Ok(query
        .order_by_desc(contact::Column::OccurredAt)
        .all(db)
        .await?)
}
