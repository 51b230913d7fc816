//! Contacts: what happened. Append-only; a correction is a new contact that supersedes the old one.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use crate::caseload::store::contact_logged;
use crate::entities::contact;
use crate::error::PersistenceError;

/// The status of a contact that happened (the other is `attempted`); only these count.
pub const STATUS_COMPLETED: &str = "completed";

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
    let saved = model.insert(db).await?;
    contact_logged(db, &saved, now).await?;
    Ok(saved)
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
        // A correction shares its original's time: the newer record first.
        .order_by_desc(contact::Column::Id)
        .all(db)
        .await?)
}

/// The person's appointments whose outcome, as it stands, a sensitive contact records (a medical or family
/// reason, say): the latest version of the appointment's outcome contact, not one since corrected. To a role
/// that may not read sensitive contacts the outcome is not shown.
pub async fn appointments_with_sensitive_outcome(
    db: &impl ConnectionTrait,
    person_id: Uuid,
) -> Result<std::collections::HashSet<Uuid>, PersistenceError> {
    let corrected = Query::select()
        .column(contact::Column::SupersedesId)
        .from(contact::Entity)
        .and_where(contact::Column::PersonId.eq(person_id))
        .and_where(contact::Column::SupersedesId.is_not_null())
        .to_owned();
    let ids: Vec<Option<Uuid>> = contact::Entity::find()
        .select_only()
        .column(contact::Column::AppointmentId)
        .filter(contact::Column::PersonId.eq(person_id))
        .filter(contact::Column::Sensitive.eq(true))
        .filter(contact::Column::AppointmentId.is_not_null())
        .filter(contact::Column::Outcome.is_not_null())
        .filter(contact::Column::Id.not_in_subquery(corrected))
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids.into_iter().flatten().collect())
}

pub async fn find(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<contact::Model>, PersistenceError> {
    Ok(contact::Entity::find_by_id(id).one(db).await?)
}

/// Whether a later contact already supersedes this one.
pub async fn is_superseded(db: &impl ConnectionTrait, id: Uuid) -> Result<bool, PersistenceError> {
    use sea_orm::PaginatorTrait;
    Ok(contact::Entity::find()
        .filter(contact::Column::SupersedesId.eq(id))
        .count(db)
        .await?
        > 0)
}

/// The ids of these people's contacts that a later contact corrects: a superseded contact no longer counts
/// for anything (enforcement, contact standards, the last contact), though it is still listed.
fn superseded_among(person_ids: &[Uuid]) -> SelectStatement {
    Query::select()
        .column(contact::Column::SupersedesId)
        .from(contact::Entity)
        .and_where(contact::Column::SupersedesId.is_not_null())
        .and_where(contact::Column::PersonId.is_in(person_ids.iter().copied()))
        .to_owned()
}

/// Every contact of the person with one of `outcomes` that no later contact corrects, oldest first: its
/// id and when it happened (the enforcement rule looks at all of a person's counting absences).
pub async fn current_with_outcomes(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    outcomes: &[&str],
) -> Result<Vec<(Uuid, DateTime<Utc>)>, PersistenceError> {
    Ok(contact::Entity::find()
        .select_only()
        .columns([contact::Column::Id, contact::Column::OccurredAt])
        .filter(contact::Column::PersonId.eq(person_id))
        .filter(contact::Column::Outcome.is_in(outcomes.iter().copied()))
        .filter(contact::Column::Id.not_in_subquery(superseded_among(&[person_id])))
        .order_by_asc(contact::Column::OccurredAt)
        .order_by_asc(contact::Column::Id)
        .into_tuple()
        .all(db)
        .await?)
}

/// Completed contacts of these people since `since` that no later contact corrects, oldest first (one
/// query for a whole caseload): only the person, time and type, which is all the contact standards need
/// (not the notes of hundreds of rows).
pub async fn completed_for_people_since(
    db: &impl ConnectionTrait,
    person_ids: &[Uuid],
    since: DateTime<Utc>,
) -> Result<Vec<(Uuid, DateTime<Utc>, String)>, PersistenceError> {
    if person_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(contact::Entity::find()
        .select_only()
        .columns([
            contact::Column::PersonId,
            contact::Column::OccurredAt,
            contact::Column::ContactType,
        ])
        .filter(contact::Column::PersonId.is_in(person_ids.iter().copied()))
        .filter(contact::Column::Status.eq(STATUS_COMPLETED))
        .filter(contact::Column::OccurredAt.gte(since))
        .filter(contact::Column::Id.not_in_subquery(superseded_among(person_ids)))
        .order_by_asc(contact::Column::OccurredAt)
        .into_tuple()
        .all(db)
        .await?)
}

/// The latest completed contact of each type of these people, however old, that no later contact
/// corrects (one query for a whole caseload): person, type, when.
pub async fn latest_completed_by_type_for_people(
    db: &impl ConnectionTrait,
    person_ids: &[Uuid],
) -> Result<Vec<(Uuid, String, DateTime<Utc>)>, PersistenceError> {
    if person_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(contact::Entity::find()
        .select_only()
        .column(contact::Column::PersonId)
        .column(contact::Column::ContactType)
        .column_as(contact::Column::OccurredAt.max(), "last")
        .filter(contact::Column::PersonId.is_in(person_ids.iter().copied()))
        .filter(contact::Column::Status.eq(STATUS_COMPLETED))
        .filter(contact::Column::Id.not_in_subquery(superseded_among(person_ids)))
        .group_by(contact::Column::PersonId)
        .group_by(contact::Column::ContactType)
        .into_tuple()
        .all(db)
        .await?)
}
