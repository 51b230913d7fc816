//! Appointments.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::entities::appointment;
use crate::error::PersistenceError;

#[derive(Debug, Clone)]
pub struct NewAppointment {
    pub person_id: Uuid,
    pub staff_id: Option<Uuid>,
    pub appointment_type: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub location: Option<String>,
    /// booked | cancelled | outcomed
    pub status: String,
    pub remind: bool,
    pub outcome: Option<String>,
}

pub async fn create(
    db: &impl ConnectionTrait,
    new: NewAppointment,
    now: DateTime<Utc>,
) -> Result<appointment::Model, PersistenceError> {
    let model = appointment::ActiveModel {
        id: Set(Uuid::now_v7()),
        person_id: Set(new.person_id),
        staff_id: Set(new.staff_id),
        appointment_type: Set(new.appointment_type),
        starts_at: Set(new.starts_at),
        ends_at: Set(new.ends_at),
        location: Set(new.location),
        status: Set(new.status),
        remind: Set(new.remind),
        outcome: Set(new.outcome),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    };
    Ok(model.insert(db).await?)
}

/// A person's appointments starting in `[from, to)`, earliest first.
pub async fn for_person(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<Vec<appointment::Model>, PersistenceError> {
    let mut query = appointment::Entity::find().filter(appointment::Column::PersonId.eq(person_id));
    if let Some(from) = from {
        query = query.filter(appointment::Column::StartsAt.gte(from));
    }
    if let Some(to) = to {
        query = query.filter(appointment::Column::StartsAt.lt(to));
    }
    Ok(query
        .order_by_asc(appointment::Column::StartsAt)
        .all(db)
        .await?)
}
