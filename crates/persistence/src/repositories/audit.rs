//! The append-only audit log (Data Protection Act 2018 Part 3, s.62). There is no update or delete here on
//! purpose: callers write an event in the same transaction as the work it records.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Values;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, Set,
    Statement, Value,
};
use serde_json::Value as Json;
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

impl AuditEntry {
    /// This entry about `person_id`: a list read records one such entry per person it shows.
    pub fn about(&self, person_id: Uuid) -> AuditEntry {
        AuditEntry {
            person_id: Some(person_id),
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
///
/// On PostgreSQL the events go in as one array per column through [`APPEND_MANY_POSTGRES`]: the same
/// statement text, so the same prepared statement, for any number of events, with 11 parameters instead
/// of 11 per event. SQLite has no arrays and gets a multi-row `INSERT`.
pub async fn append_many(
    db: &impl ConnectionTrait,
    entries: Vec<AuditEntry>,
    now: DateTime<Utc>,
) -> Result<(), PersistenceError> {
    if entries.is_empty() {
        return Ok(());
    }
    match db.get_database_backend() {
        DbBackend::Postgres => {
            let values = ColumnArrays::new(entries, now).into_values();
            db.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                APPEND_MANY_POSTGRES,
                values,
            ))
            .await?;
        }
        _ => {
            let models = entries.into_iter().map(|entry| active_model(entry, now));
            audit_event::Entity::insert_many(models)
                .exec_without_returning(db)
                .await?;
        }
    }
    Ok(())
}

/// The batch insert on PostgreSQL: `UNNEST` turns the column arrays back into rows. sea-orm cannot bind
/// a NULL inside an array, so the optional columns carry their NULLs another way: an absent id as the
/// nil UUID (never an id: ids are UUIDv7), an absent text or detail as a JSON `null` (`#>> '{}'` makes
/// that SQL NULL, and the text of a JSON string otherwise).
const APPEND_MANY_POSTGRES: &str = "INSERT INTO audit_events \
    (id, occurred_at, actor_id, actor_role, action, person_id, entity, entity_id, purpose, request_id, detail) \
    SELECT e.id, $2::timestamptz, NULLIF(e.actor_id, '00000000-0000-0000-0000-000000000000'), e.actor_role #>> '{}', e.action, \
    NULLIF(e.person_id, '00000000-0000-0000-0000-000000000000'), e.entity, NULLIF(e.entity_id, '00000000-0000-0000-0000-000000000000'), e.purpose, \
    e.request_id #>> '{}', NULLIF(e.detail, 'null'::jsonb)::json \
    FROM UNNEST($1::uuid[], $3::uuid[], $4::jsonb[], $5::text[], $6::uuid[], $7::text[], $8::uuid[], \
    $9::text[], $10::jsonb[], $11::jsonb[]) \
    AS e(id, actor_id, actor_role, action, person_id, entity, entity_id, purpose, request_id, detail)";

/// On PostgreSQL: `select`, and in the same statement one event per row it returns (a data-modifying
/// `WITH`): `template` with the row's `person_column` as the person. The rows read and their audit then
/// commit together as one statement, without a transaction around them: one round trip instead of
/// `BEGIN`, read, insert, `COMMIT`. The rows come back in `select`'s order (a `WITH` query read once is a
/// stored list, scanned in the order it was written).
///
/// Event ids are UUIDv7 made here, `expected_rows` of them, bound as one array; should `select` return
/// more rows than that, the rest get theirs made in SQL ([`UUID_V7_IN_SQL`], slower per row), so any
/// row count is recorded.
pub(crate) fn select_recording_each_row(
    select: Statement,
    person_column: &str,
    template: AuditEntry,
    now: DateTime<Utc>,
    expected_rows: u64,
) -> Statement {
    let select_sql = select.sql;
    let mut values = select
        .values
        .map(|Values(values)| values)
        .unwrap_or_default();
    let ids: Vec<Uuid> = (0..expected_rows).map(|_| Uuid::now_v7()).collect();
    let first = values.len();
    values.extend([
        Value::from(ids),
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
    let p = |k: usize| format!("${}", first + k);
    let made_in_sql = UUID_V7_IN_SQL.replace("{now}", &p(2));
    let sql = format!(
        "WITH shown AS ({select_sql}), recorded AS (INSERT INTO audit_events \
         (id, occurred_at, actor_id, actor_role, action, person_id, entity, entity_id, purpose, \
         request_id, detail) \
         SELECT COALESCE(({ids}::uuid[])[r.n], {made_in_sql}), {now}::timestamptz, {actor}::uuid, \
         {role}::text, {action}::text, r.person_id, {entity}::text, {entity_id}::uuid, {purpose}::text, \
         {request}::text, {detail}::json \
         FROM (SELECT shown.\"{person_column}\" AS person_id, row_number() OVER () AS n FROM shown) AS r) \
         SELECT * FROM shown",
        ids = p(1),
        now = p(2),
        actor = p(3),
        role = p(4),
        action = p(5),
        entity = p(6),
        entity_id = p(7),
        purpose = p(8),
        request = p(9),
        detail = p(10),
    );
    Statement::from_sql_and_values(DbBackend::Postgres, sql, values)
}

/// A UUIDv7 (RFC 9562) made by PostgreSQL 15, which has no function for one: 16 random bytes (from
/// `gen_random_uuid()`, whose variant bits are already right) with the first six replaced by the Unix
/// time of `{now}` in milliseconds and the version nibble set to 7 (the byte's low nibble from
/// `random()`). Like the ids made in Rust they sort by time; 74 bits stay random. One expression, with no
/// subquery, so it is worked out afresh for each row.
const UUID_V7_IN_SQL: &str = "encode(set_byte(overlay(uuid_send(gen_random_uuid()) PLACING \
    substring(int8send(floor(extract(epoch FROM {now}::timestamptz) * 1000)::int8) FROM 3 FOR 6) FROM 1 FOR 6), \
    6, 112 + floor(random() * 16)::int), 'hex')::uuid";

/// The events of one batch as one array per column, in the order of [`APPEND_MANY_POSTGRES`]'s
/// parameters; every event shares the instant `now`.
struct ColumnArrays {
    now: DateTime<Utc>,
    id: Vec<Uuid>,
    actor_id: Vec<Uuid>,
    actor_role: Vec<Json>,
    action: Vec<String>,
    person_id: Vec<Uuid>,
    entity: Vec<String>,
    entity_id: Vec<Uuid>,
    purpose: Vec<String>,
    request_id: Vec<Json>,
    detail: Vec<Json>,
}

impl ColumnArrays {
    fn new(entries: Vec<AuditEntry>, now: DateTime<Utc>) -> Self {
        let mut arrays = Self {
            now,
            id: Vec::with_capacity(entries.len()),
            actor_id: Vec::with_capacity(entries.len()),
            actor_role: Vec::with_capacity(entries.len()),
            action: Vec::with_capacity(entries.len()),
            person_id: Vec::with_capacity(entries.len()),
            entity: Vec::with_capacity(entries.len()),
            entity_id: Vec::with_capacity(entries.len()),
            purpose: Vec::with_capacity(entries.len()),
            request_id: Vec::with_capacity(entries.len()),
            detail: Vec::with_capacity(entries.len()),
        };
        for entry in entries {
            arrays.id.push(Uuid::now_v7());
            arrays
                .actor_id
                .push(entry.actor_id.unwrap_or_else(Uuid::nil));
            arrays
                .actor_role
                .push(entry.actor_role.map_or(Json::Null, Json::String));
            arrays.action.push(entry.action);
            arrays
                .person_id
                .push(entry.person_id.unwrap_or_else(Uuid::nil));
            arrays.entity.push(entry.entity);
            arrays
                .entity_id
                .push(entry.entity_id.unwrap_or_else(Uuid::nil));
            arrays.purpose.push(entry.purpose);
            arrays
                .request_id
                .push(entry.request_id.map_or(Json::Null, Json::String));
            arrays.detail.push(entry.detail.unwrap_or(Json::Null));
        }
        arrays
    }

    fn into_values(self) -> [Value; 11] {
        [
            self.id.into(),
            self.now.into(),
            self.actor_id.into(),
            self.actor_role.into(),
            self.action.into(),
            self.person_id.into(),
            self.entity.into(),
            self.entity_id.into(),
            self.purpose.into(),
            self.request_id.into(),
            self.detail.into(),
        ]
    }
}
