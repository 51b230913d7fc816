//! Keeping `caseload_facts` in step with the records. Every write that changes a part calls [`refresh`] in
//! its own transaction, after the write; the worklist calls [`facts_for`], which reads the stored parts and
//! works out (and stores) any that are not there yet.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, LockType, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IdenStatic,
    IntoActiveModel, QueryFilter, QuerySelect, Set,
};
use uuid::Uuid;

use super::facts::{
    CaseloadFacts, ContactFacts, FormatError, Part, RecentContact, load_part, read_whole, write,
};
use crate::entities::caseload_fact::{self, Column};
use crate::entities::contact;
use crate::error::PersistenceError;
use crate::repositories::contacts::STATUS_COMPLETED;

pub(crate) fn column(part: Part) -> Column {
    match part {
        Part::StandardsSince => Column::StandardsSince,
        Part::Contacts => Column::Contacts,
        Part::Appointments => Column::Appointments,
        Part::Enforcement => Column::Enforcement,
        Part::HomeVisits => Column::HomeVisits,
    }
}

/// One person's facts as stored, each part's bytes borrowed from wherever they were read (`None`: not
/// worked out yet).
#[derive(Debug, Clone, Copy)]
pub(crate) struct StoredFacts<'a> {
    pub person_id: Uuid,
    parts: [Option<&'a [u8]>; Part::ALL.len()],
}

impl<'a> StoredFacts<'a> {
    /// No part stored: the person has no facts row yet.
    pub fn none(person_id: Uuid) -> Self {
        Self {
            person_id,
            parts: [None; Part::ALL.len()],
        }
    }

    pub fn set(&mut self, part: Part, stored: Option<&'a [u8]>) {
        self.parts[part.position()] = stored;
    }

    fn get(&self, part: Part) -> Option<&'a [u8]> {
        self.parts[part.position()]
    }

    fn of_row(row: &'a caseload_fact::Model) -> Self {
        let mut stored = Self::none(row.person_id);
        for part in Part::ALL {
            stored.set(
                part,
                match part {
                    Part::StandardsSince => row.standards_since.as_deref(),
                    Part::Contacts => row.contacts.as_deref(),
                    Part::Appointments => row.appointments.as_deref(),
                    Part::Enforcement => row.enforcement.as_deref(),
                    Part::HomeVisits => row.home_visits.as_deref(),
                },
            );
        }
        stored
    }
}

fn encode(facts: &CaseloadFacts, part: Part) -> Result<Vec<u8>, PersistenceError> {
    facts.encode(part).map_err(format_error)
}

fn format_error(error: FormatError) -> PersistenceError {
    PersistenceError::Database(DbErr::Type(format!("caseload facts: {error}")))
}

/// Works one part of a person's facts out again from the records. Call it in the transaction of the write
/// that changed them, after the write. The person's row is locked first (created if need be), so two
/// transactions writing for the same person refresh one after the other and the second sees the first's
/// records: without the lock, under READ COMMITTED, each could store a part missing the other's write.
pub async fn refresh(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    part: Part,
    now: DateTime<Utc>,
) -> Result<(), PersistenceError> {
    lock(db, person_id).await?;
    let mut facts = HashMap::new();
    load_part(db, part, &[person_id], now, &mut facts).await?;
    let value = encode(facts.entry(person_id).or_default(), part)?;
    store_part(db, person_id, part, value).await
}

/// After a contact is logged (in its transaction): a completed one is added to the stored contacts part
/// (read with the row lock) instead of reading the person's contacts again, on the write path used most
/// often; an attempted one changes nothing. A correction is worked out in full, whatever its status: the
/// contact it supersedes stops counting. So is a part not stored yet (or a type outside the vocabulary,
/// which the API never stores).
pub async fn contact_logged(
    db: &impl ConnectionTrait,
    contact: &contact::Model,
    now: DateTime<Utc>,
) -> Result<(), PersistenceError> {
    if contact.supersedes_id.is_some() {
        return refresh(db, contact.person_id, Part::Contacts, now).await;
    }
    if contact.status != STATUS_COMPLETED {
        return Ok(());
    }
    let locked = lock(db, contact.person_id).await?;
    let (Some(Ok(stored)), Ok(contact_type)) = (
        locked.contacts.as_deref().map(read_whole::<ContactFacts>),
        contact.contact_type.parse(),
    ) else {
        return refresh(db, contact.person_id, Part::Contacts, now).await;
    };
    let updated = stored.with_logged(
        RecentContact {
            at: contact.occurred_at,
            contact_type,
        },
        now,
    );
    let value = write(&updated).map_err(format_error)?;
    store_part(db, contact.person_id, Part::Contacts, value).await
}

/// Locks the person's facts row (creating it empty if need be) and returns it as it stands once locked.
/// `SELECT … FOR NO KEY UPDATE` writes nothing, and on PostgreSQL waits for a concurrent holder to commit
/// and then returns the row as that holder left it; SQLite has one writer at a time and no row locks.
async fn lock(
    db: &impl ConnectionTrait,
    person_id: Uuid,
) -> Result<caseload_fact::Model, PersistenceError> {
    if let Some(row) = locked_row(db, person_id).await? {
        return Ok(row);
    }
    let empty = caseload_fact::ActiveModel {
        person_id: Set(person_id),
        ..Default::default()
    };
    // Two writers may both find no row: one inserts, the other does nothing and then waits on its lock.
    caseload_fact::Entity::insert(empty)
        .on_conflict_do_nothing()
        .exec_without_returning(db)
        .await?;
    locked_row(db, person_id)
        .await?
        .ok_or(PersistenceError::NotFound {
            entity: "caseload facts",
        })
}

async fn locked_row(
    db: &impl ConnectionTrait,
    person_id: Uuid,
) -> Result<Option<caseload_fact::Model>, PersistenceError> {
    Ok(caseload_fact::Entity::find_by_id(person_id)
        .lock(LockType::NoKeyUpdate)
        .one(db)
        .await?)
}

/// Writes one part, already encoded, to the (locked) row.
async fn store_part(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    part: Part,
    value: Vec<u8>,
) -> Result<(), PersistenceError> {
    caseload_fact::Entity::update_many()
        .col_expr(column(part), Expr::value(value))
        .filter(Column::PersonId.eq(person_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The facts of these people: the stored parts, and any part not stored yet worked out from the records and
/// stored (without overwriting a part a concurrent write has just refreshed).
pub async fn facts_for(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> Result<HashMap<Uuid, CaseloadFacts>, PersistenceError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: HashMap<Uuid, caseload_fact::Model> = caseload_fact::Entity::find()
        .filter(Column::PersonId.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.person_id, row))
        .collect();
    let stored: Vec<StoredFacts<'_>> = ids
        .iter()
        .map(|id| {
            rows.get(id)
                .map_or(StoredFacts::none(*id), StoredFacts::of_row)
        })
        .collect();
    complete(db, &stored, now).await
}

/// The facts from their stored parts (one per person), with any part not stored yet, or unreadable,
/// worked out from the records and stored.
pub(crate) async fn complete(
    db: &impl ConnectionTrait,
    stored: &[StoredFacts<'_>],
    now: DateTime<Utc>,
) -> Result<HashMap<Uuid, CaseloadFacts>, PersistenceError> {
    let mut facts: HashMap<Uuid, CaseloadFacts> = HashMap::with_capacity(stored.len());
    let mut missing: HashMap<Part, Vec<Uuid>> = HashMap::new();
    let mut unreadable: Vec<(Uuid, Part, &[u8])> = Vec::new();
    for row in stored {
        let id = row.person_id;
        let entry = facts.entry(id).or_default();
        for part in Part::ALL {
            let Some(stored) = row.get(part) else {
                missing.entry(part).or_default().push(id);
                continue;
            };
            if let Err(e) = entry.decode(part, stored) {
                tracing::warn!(person_id = %id, ?part, error = %e, "unreadable caseload facts; working them out again");
                missing.entry(part).or_default().push(id);
                unreadable.push((id, part, stored));
            }
        }
    }
    if missing.is_empty() {
        return Ok(facts);
    }
    for (part, people) in &missing {
        load_part(db, *part, people, now, &mut facts).await?;
    }
    clear_unreadable(db, &unreadable).await?;
    store_missing(db, &facts, &missing).await?;
    Ok(facts)
}

/// Clears each part that could not be read, but only while it still holds the bytes that were read (a
/// write may have refreshed them since), so that [`store_missing`] stores in its place what was just worked out.
/// Without this the unreadable bytes would stay, and every read would work the part out again.
async fn clear_unreadable(
    db: &impl ConnectionTrait,
    unreadable: &[(Uuid, Part, &[u8])],
) -> Result<(), PersistenceError> {
    for (person_id, part, stored) in unreadable {
        caseload_fact::Entity::update_many()
            .col_expr(column(*part), Expr::value(Option::<Vec<u8>>::None))
            .filter(Column::PersonId.eq(*person_id))
            .filter(column(*part).eq(stored.to_vec()))
            .exec(db)
            .await?;
    }
    Ok(())
}

fn empty_row(person_id: Uuid) -> caseload_fact::Model {
    caseload_fact::Model {
        person_id,
        standards_since: None,
        contacts: None,
        appointments: None,
        enforcement: None,
        home_visits: None,
    }
}

/// Stores the parts just worked out. A part already stored is kept (`COALESCE`): if a write refreshed it
/// meanwhile, that value is at least as fresh as this one.
async fn store_missing(
    db: &impl ConnectionTrait,
    facts: &HashMap<Uuid, CaseloadFacts>,
    missing: &HashMap<Part, Vec<Uuid>>,
) -> Result<(), PersistenceError> {
    let mut rows: HashMap<Uuid, caseload_fact::ActiveModel> = HashMap::new();
    for (part, people) in missing {
        for id in people {
            let value = encode(&facts[id], *part)?;
            let row = rows
                .entry(*id)
                .or_insert_with(|| empty_row(*id).into_active_model().reset_all());
            row.set(column(*part), Some(value).into());
        }
    }
    let mut on_conflict = OnConflict::column(Column::PersonId);
    for part in Part::ALL {
        let name = column(part).as_str();
        on_conflict.value(
            column(part),
            Expr::cust(format!(
                "COALESCE(\"caseload_facts\".\"{name}\", \"excluded\".\"{name}\")"
            )),
        );
    }
    caseload_fact::Entity::insert_many(rows.into_values())
        .on_conflict(on_conflict.to_owned())
        .exec_without_returning(db)
        .await?;
    Ok(())
}
