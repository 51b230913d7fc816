//! Appointments.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::caseload::Part;
use crate::caseload::store::refresh;
use crate::entities::{appointment, person, staff};
use crate::error::PersistenceError;
use crate::repositories::row_locks::lock_row;

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
    let booked = model.insert(db).await?;
    refresh(db, booked.person_id, Part::Appointments, now).await?;
    Ok(booked)
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

pub async fn find(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<appointment::Model>, PersistenceError> {
    Ok(appointment::Entity::find_by_id(id).one(db).await?)
}

/// A booked appointment of the person, or of the member of staff, overlapping `[starts_at, ends_at)`
/// (other than `except`, the one being moved).
///
/// Call it in the transaction that then books or moves the appointment: it first locks the person's row
/// and the staff member's (on PostgreSQL; SQLite has one writer at a time), always in that order. Two
/// bookings for the same person or officer then check one after the other, and the second sees the
/// first's appointment; without the locks, under READ COMMITTED, both could find no clash and both book.
pub async fn find_clash(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    staff_id: Option<Uuid>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    except: Option<Uuid>,
) -> Result<Option<appointment::Model>, PersistenceError> {
    lock_row(db, person::Entity, person_id).await?;
    if let Some(staff_id) = staff_id {
        lock_row(db, staff::Entity, staff_id).await?;
    }
    let mut who = sea_orm::Condition::any().add(appointment::Column::PersonId.eq(person_id));
    if let Some(staff_id) = staff_id {
        who = who.add(appointment::Column::StaffId.eq(staff_id));
    }
    let mut query = appointment::Entity::find()
        .filter(who)
        .filter(appointment::Column::Status.eq(STATUS_BOOKED))
        .filter(appointment::Column::StartsAt.lt(ends_at))
        .filter(appointment::Column::EndsAt.gt(starts_at));
    if let Some(except) = except {
        query = query.filter(appointment::Column::Id.ne(except));
    }
    Ok(query
        .order_by_asc(appointment::Column::StartsAt)
        .one(db)
        .await?)
}

pub const STATUS_BOOKED: &str = "booked";
pub const STATUS_CANCELLED: &str = "cancelled";
pub const STATUS_OUTCOMED: &str = "outcomed";

/// Saves a changed appointment if its version is unchanged since it was read; bumps the version.
pub async fn save_versioned(
    db: &impl ConnectionTrait,
    current: appointment::Model,
    now: DateTime<Utc>,
    change: impl FnOnce(&mut appointment::ActiveModel),
) -> Result<appointment::Model, PersistenceError> {
    use sea_orm::IntoActiveModel;
    let id = current.id;
    let version = current.version;
    let mut model = current.into_active_model();
    change(&mut model);
    model.version = Set(version + 1);
    model.updated_at = Set(now);
    let result = appointment::Entity::update_many()
        .set(model)
        .filter(appointment::Column::Id.eq(id))
        .filter(appointment::Column::Version.eq(version))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(PersistenceError::Conflict(
            "the appointment was changed by someone else; reload and try again".to_owned(),
        ));
    }
    let saved = find(db, id).await?.ok_or(PersistenceError::NotFound {
        entity: "appointment",
    })?;
    refresh(db, saved.person_id, Part::Appointments, now).await?;
    Ok(saved)
}

/// Booked appointments of these people: the next upcoming ones and those past their end without an
/// outcome, for the caseload (one query for the whole caseload).
pub async fn booked_for_people(
    db: &impl ConnectionTrait,
    person_ids: &[Uuid],
) -> Result<Vec<appointment::Model>, PersistenceError> {
    if person_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(appointment::Entity::find()
        .filter(appointment::Column::PersonId.is_in(person_ids.iter().copied()))
        .filter(appointment::Column::Status.eq(STATUS_BOOKED))
        .order_by_asc(appointment::Column::StartsAt)
        .all(db)
        .await?)
}
