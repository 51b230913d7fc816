//! The append-only audit log (Data Protection Act 2018 Part 3, s.62). There is no update or delete here on
//! purpose: callers write an event in the same transaction as the work it records.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::page::{Page, PageRequest};
use crate::entities::audit_event;
use crate::error::PersistenceError;

/// Who did what to whom, why, and under which request.
#[derive(Debug, Clone, Default)]
pub struct AuditEntry {
    pub actor_id: Option<Uuid>,
    pub actor_role: Option<String>,
    /// collect | alter | consult | disclose | combine | erase
    pub action: String,
    pub person_id: Option<Uuid>,
    /// What was touched, e.g. "person", "people_search", "membership".
    pub entity: String,
    pub entity_id: Option<Uuid>,
    pub purpose: String,
    pub request_id: Option<String>,
    pub detail: Option<serde_json::Value>,
}

/// Appends one event. Nothing is read back: every read of a person writes one of these, so the insert
/// skips `RETURNING` and decoding the row it has just written.
pub async fn append(
    db: &impl ConnectionTrait,
    entry: AuditEntry,
    now: DateTime<Utc>,
) -> Result<(), PersistenceError> {
    audit_event::Entity::insert(active_model(entry, now))
        .exec_without_returning(db)
        .await?;
    Ok(())
}

fn active_model(entry: AuditEntry, now: DateTime<Utc>) -> audit_event::ActiveModel {
    audit_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        occurred_at: Set(now),
        actor_id: Set(entry.actor_id),
        actor_role: Set(entry.actor_role),
        action: Set(entry.action),
        person_id: Set(entry.person_id),
        entity: Set(entry.entity),
        entity_id: Set(entry.entity_id),
        purpose: Set(entry.purpose),
        request_id: Set(entry.request_id),
        detail: Set(entry.detail),
    }
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub person_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    pub action: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Events matching the filter, newest first.
pub async fn query(
    db: &impl ConnectionTrait,
    filter: &AuditFilter,
    page: PageRequest,
) -> Result<Page<audit_event::Model>, PersistenceError> {
    let mut condition = Condition::all();
    if let Some(person_id) = filter.person_id {
        condition = condition.add(audit_event::Column::PersonId.eq(person_id));
    }
    if let Some(actor_id) = filter.actor_id {
        condition = condition.add(audit_event::Column::ActorId.eq(actor_id));
    }
    if let Some(action) = &filter.action {
        condition = condition.add(audit_event::Column::Action.eq(action.as_str()));
    }
    if let Some(from) = filter.from {
        condition = condition.add(audit_event::Column::OccurredAt.gte(from));
    }
    if let Some(to) = filter.to {
        condition = condition.add(audit_event::Column::OccurredAt.lt(to));
    }
    let query = audit_event::Entity::find()
        .filter(condition)
        .order_by_desc(audit_event::Column::OccurredAt)
        .order_by_desc(audit_event::Column::Id);
    super::page::fetch(db, query, page).await
}

/// Appends several events in one statement (a list read writes one consultation per person shown).
pub async fn append_many(
    db: &impl ConnectionTrait,
    entries: Vec<AuditEntry>,
    now: DateTime<Utc>,
) -> Result<(), PersistenceError> {
    if entries.is_empty() {
        return Ok(());
    }
    let models = entries.into_iter().map(|entry| active_model(entry, now));
    audit_event::Entity::insert_many(models)
        .exec_without_returning(db)
        .await?;
    Ok(())
}
