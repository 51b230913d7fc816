//! The append-only audit log (Data Protection Act 2018 Part 3, s.62). There is no update or delete here on
//! purpose: callers write an event in the same transaction as the work it records.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Values};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, Set,
    Statement, Value,
};
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
    /// The people a list read showed, each once (empty for any other event). A list read is one
    /// consultation of all of them: one event, not one per person.
    pub people: Vec<Uuid>,
}

impl AuditEntry {
    /// This entry for a list read that showed `people` (repeats dropped, the first place kept).
    pub fn listing(&self, people: impl IntoIterator<Item = Uuid>) -> AuditEntry {
        let mut seen = std::collections::HashSet::new();
        AuditEntry {
            person_id: None,
            people: people.into_iter().filter(|id| seen.insert(*id)).collect(),
            ..self.clone()
        }
    }
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
        people: Set(people_json(&entry.people)),
    }
}

/// The `people` column: a JSON array of ids, or NULL when the event lists nobody.
fn people_json(people: &[Uuid]) -> Option<serde_json::Value> {
    (!people.is_empty()).then(|| people.iter().map(|id| id.to_string()).collect())
}

/// Records a list read that showed `template.people`: one event, or nothing if it showed nobody (a read
/// that shows no one consults no one's data).
pub async fn append_listing(
    db: &impl ConnectionTrait,
    template: AuditEntry,
    now: DateTime<Utc>,
) -> Result<(), PersistenceError> {
    if template.people.is_empty() {
        return Ok(());
    }
    append(db, template, now).await
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub person_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    pub action: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Events matching the filter, newest first. An event matches `person_id` if it is about that person or
/// is a list read that showed them.
pub async fn query(
    db: &impl ConnectionTrait,
    filter: &AuditFilter,
    page: PageRequest,
) -> Result<Page<audit_event::Model>, PersistenceError> {
    let mut condition = Condition::all();
    if let Some(person_id) = filter.person_id {
        condition = condition.add(
            Condition::any()
                .add(audit_event::Column::PersonId.eq(person_id))
                .add(listed(db.get_database_backend(), person_id)),
        );
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

/// "The list read showed `person_id`": on PostgreSQL JSON containment, which the GIN index on `people`
/// serves; on SQLite a look through the array.
fn listed(backend: DbBackend, person_id: Uuid) -> Expr {
    let id = person_id.to_string();
    match backend {
        DbBackend::Postgres => Expr::cust_with_values(
            "\"audit_events\".\"people\" @> $1::jsonb",
            [serde_json::Value::from(vec![id])],
        ),
        _ => Expr::cust_with_values(
            "EXISTS (SELECT 1 FROM json_each(\"audit_events\".\"people\") AS shown WHERE shown.value = ?)",
            [id],
        ),
    }
}

/// On PostgreSQL: `select`, and in the same statement (a data-modifying `WITH`) one event, `template`,
/// listing the `person_column` of every row it returns, if it returns any. The rows read and their audit
/// commit together as one statement, without a transaction around them: one round trip instead of
/// `BEGIN`, read, insert, `COMMIT`. The rows come back in `select`'s order (a `WITH` query read once is a
/// stored list, scanned in the order it was written).
pub(crate) fn select_recording_listing(
    select: Statement,
    person_column: &str,
    template: AuditEntry,
    now: DateTime<Utc>,
) -> Statement {
    let sql = recording_listing_sql(&select, person_column);
    let parameters = select
        .values
        .map(|Values(values)| values)
        .unwrap_or_default();
    with_listing_recorded(parameters, sql, template, now)
}

/// The text of [`select_recording_listing`] around `select`. For a read sent often, the caller can make
/// it once and give it to [`with_listing_recorded`] with each request's parameters.
pub(crate) fn recording_listing_sql(select: &Statement, person_column: &str) -> String {
    let select_sql = &select.sql;
    let select_parameters = select.values.as_ref().map_or(0, |values| values.0.len());
    let p = |k: usize| format!("${}", select_parameters + k);
    format!(
        "WITH shown AS ({select_sql}), recorded AS (INSERT INTO audit_events \
         (id, occurred_at, actor_id, actor_role, action, person_id, entity, entity_id, purpose, \
         request_id, detail, people) \
         SELECT {id}::uuid, {now}::timestamptz, {actor}::uuid, {role}::text, {action}::text, NULL, \
         {entity}::text, {entity_id}::uuid, {purpose}::text, {request}::text, {detail}::json, \
         listed.people \
         FROM (SELECT jsonb_agg(shown.\"{person_column}\") AS people FROM shown) AS listed \
         WHERE listed.people IS NOT NULL) \
         SELECT * FROM shown",
        id = p(1),
        now = p(2),
        actor = p(3),
        role = p(4),
        action = p(5),
        entity = p(6),
        entity_id = p(7),
        purpose = p(8),
        request = p(9),
        detail = p(10),
    )
}

/// [`select_recording_listing`] with its text, `sql`, already made by [`recording_listing_sql`]: the
/// read's `parameters`, then the event's.
pub(crate) fn with_listing_recorded(
    parameters: Vec<Value>,
    sql: String,
    template: AuditEntry,
    now: DateTime<Utc>,
) -> Statement {
    let mut values = parameters;
    values.extend([
        Value::from(Uuid::now_v7()),
        now.into(),
        template.actor_id.into(),
        template.actor_role.into(),
        template.action.into(),
        template.entity.into(),
        template.entity_id.into(),
        template.purpose.into(),
        template.request_id.into(),
        template.detail.into(),
    ]);
    Statement::from_sql_and_values(DbBackend::Postgres, sql, values)
}
