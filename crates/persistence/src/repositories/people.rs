//! People: create, read, search and versioned partial update.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend,
    DeriveIden, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, Select, Set,
    UpdateMany,
};
use uuid::Uuid;
use vigil_domain::{PeopleSearch, name_key, prefix_upper_bound};

use super::audit::{self, AuditEntry};
use super::page::{Page, PageRequest};
use crate::begin_write;
use crate::entities::{allocation, person};
use crate::error::PersistenceError;

/// A new person, already validated and normalised by the caller (names trimmed, PNC ID in long form,
/// mobile in E.164, enumerations as their API strings).
#[derive(Debug, Clone, Default)]
pub struct NewPerson {
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    pub pnc_id: Option<String>,
    pub crn: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub language: String,
    pub sms_consent: bool,
    pub email_consent: bool,
    pub tier: Option<String>,
    pub rosh: Option<String>,
    pub mappa_level: Option<String>,
}

pub async fn create(
    db: &impl ConnectionTrait,
    new: NewPerson,
    now: DateTime<Utc>,
) -> Result<person::Model, PersistenceError> {
    let model = person::ActiveModel {
        id: Set(Uuid::now_v7()),
        given_name: Set(new.given_name),
        family_name: Set(new.family_name),
        date_of_birth: Set(new.date_of_birth),
        pnc_id: Set(new.pnc_id),
        crn: Set(new.crn),
        mobile: Set(new.mobile),
        email: Set(new.email),
        language: Set(new.language),
        sms_consent: Set(new.sms_consent),
        email_consent: Set(new.email_consent),
        sms_opted_out_at: Set(None),
        tier: Set(new.tier),
        rosh: Set(new.rosh),
        mappa_level: Set(new.mappa_level),
        photo_ref: Set(None),
        wanted: Set(false),
        cohort_status: Set(None),
        strand: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let created = model.insert(db).await?;
    with_name_keys(
        person::Entity::update_many(),
        &created.given_name,
        &created.family_name,
    )
    .filter(person::Column::Id.eq(created.id))
    .exec(db)
    .await?;
    Ok(created)
}

pub async fn find(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<person::Model>, PersistenceError> {
    Ok(person::Entity::find_by_id(id).one(db).await?)
}

/// The normalised name columns the search matches and sorts by (migration 000008). They are not part of
/// the entity: they are derived from the names, written here on every create and update, never read back.
#[derive(DeriveIden)]
enum NameKey {
    FamilyKey,
    GivenKey,
}

/// The most matches a people search counts: past it `total` is the cap and `total_capped` true, so a
/// common prefix costs no more than a rare one.
pub const SEARCH_TOTAL_CAP: u64 = 1_000;

/// What a people search may filter on. Every filter is optional and they combine with AND.
#[derive(Debug, Clone, Default)]
pub struct PeopleFilter {
    /// Exactly a PNC ID or CRN, or the start of a name (see [`PeopleSearch::parse`]).
    pub q: Option<PeopleSearch>,
    pub strand: Option<String>,
    pub status: Option<String>,
    /// People with an active allocation to this member of staff.
    pub allocated_to: Option<Uuid>,
    /// Restricts the search to these people (a partner's view); `None` means no restriction.
    pub only_ids: Option<Vec<Uuid>>,
}

/// A page of people in family name, given name, id order (by their keys), with the total capped at
/// [`SEARCH_TOTAL_CAP`]. A name search is a range on the `(family_key, given_key, id)` index, which also
/// gives the order, so the database reads one page of the index rather than every match.
pub async fn search(
    db: &impl ConnectionTrait,
    filter: &PeopleFilter,
    page: PageRequest,
) -> Result<Page<person::Model>, PersistenceError> {
    super::page::fetch_capped(db, search_query(filter), page, SEARCH_TOTAL_CAP).await
}

/// [`search`], recording its consultation in the same transaction: one event, `template` listing the
/// people shown (none if nobody is). On PostgreSQL a single statement
/// ([`audit::select_recording_listing`]), elsewhere a transaction around the search and the event.
pub async fn search_audited(
    db: &DatabaseConnection,
    filter: &PeopleFilter,
    page: PageRequest,
    template: AuditEntry,
    now: DateTime<Utc>,
) -> Result<Page<person::Model>, PersistenceError> {
    let query = search_query(filter);
    if db.get_database_backend() == DbBackend::Postgres {
        let paged =
            super::page::capped_page(DbBackend::Postgres, query.clone(), page, SEARCH_TOTAL_CAP);
        let statement = audit::select_recording_listing(paged, "id", template, now);
        let rows = db.query_all_raw(statement).await?;
        return super::page::capped_answer(db, rows, query, page, SEARCH_TOTAL_CAP).await;
    }
    let txn = begin_write(db).await?;
    let found = super::page::fetch_capped(&txn, query, page, SEARCH_TOTAL_CAP).await?;
    let listing = template.listing(found.items.iter().map(|person| person.id));
    audit::append_listing(&txn, listing, now).await?;
    txn.commit().await?;
    Ok(found)
}

fn search_query(filter: &PeopleFilter) -> Select<person::Entity> {
    let mut condition = Condition::all();
    match &filter.q {
        Some(PeopleSearch::Pnc(pnc)) => {
            condition = condition.add(person::Column::PncId.eq(pnc.as_str()));
        }
        Some(PeopleSearch::Crn(crn)) => {
            condition = condition.add(person::Column::Crn.eq(crn.as_str()));
        }
        Some(PeopleSearch::Name(prefix)) => {
            condition = condition.add(starts_with(NameKey::FamilyKey, &prefix.family));
            if let Some(given) = &prefix.given {
                condition = condition.add(starts_with(NameKey::GivenKey, given));
            }
        }
        None => {}
    }
    if let Some(strand) = &filter.strand {
        condition = condition.add(person::Column::Strand.eq(strand.as_str()));
    }
    if let Some(status) = &filter.status {
        condition = condition.add(person::Column::CohortStatus.eq(status.as_str()));
    }
    if let Some(staff_id) = filter.allocated_to {
        condition = condition.add(
            person::Column::Id.in_subquery(
                Query::select()
                    .column(allocation::Column::PersonId)
                    .from(allocation::Entity)
                    .and_where(allocation::Column::StaffId.eq(staff_id))
                    .and_where(allocation::Column::ToAt.is_null())
                    .to_owned(),
            ),
        );
    }
    if let Some(ids) = &filter.only_ids {
        condition = condition.add(person::Column::Id.is_in(ids.iter().copied()));
    }
    person::Entity::find()
        .filter(condition)
        .order_by_asc(Expr::col((person::Entity, NameKey::FamilyKey)))
        .order_by_asc(Expr::col((person::Entity, NameKey::GivenKey)))
        .order_by_asc(person::Column::Id)
}

/// `key >= prefix AND key < upper bound`: the keys that start with `prefix`, as a range an index serves.
/// No `LIKE`, so nothing in the prefix is a wildcard.
fn starts_with(key: NameKey, prefix: &str) -> Condition {
    let column = Expr::col((person::Entity, key));
    let range = Condition::all().add(column.clone().gte(prefix));
    match prefix_upper_bound(prefix) {
        Some(bound) => range.add(column.lt(bound)),
        None => range,
    }
}

/// Adds the name keys to an update of one person, computed from the names it leaves in place.
fn with_name_keys(
    update: UpdateMany<person::Entity>,
    given_name: &str,
    family_name: &str,
) -> UpdateMany<person::Entity> {
    update
        .col_expr(NameKey::FamilyKey, Expr::val(name_key(family_name)))
        .col_expr(NameKey::GivenKey, Expr::val(name_key(given_name)))
}

/// Applies `change` to the person if its version is still `expected_version`, bumping the version.
/// A stale version is a conflict: someone else changed the record since the caller read it.
pub async fn update_versioned(
    db: &impl ConnectionTrait,
    id: Uuid,
    expected_version: Option<i32>,
    now: DateTime<Utc>,
    change: impl FnOnce(&mut person::ActiveModel),
) -> Result<person::Model, PersistenceError> {
    let current = find(db, id)
        .await?
        .ok_or(PersistenceError::NotFound { entity: "person" })?;
    let version = expected_version.unwrap_or(current.version);
    // A version with no successor (the caller's, taken from If-Match) is one no record can be at.
    let next_version = version.checked_add(1).ok_or_else(stale_version)?;
    let mut model = current.into_active_model();
    change(&mut model);
    model.version = Set(next_version);
    model.updated_at = Set(now);
    let mut update = person::Entity::update_many();
    if let (Some(given), Some(family)) = (
        model.given_name.try_as_ref(),
        model.family_name.try_as_ref(),
    ) {
        update = with_name_keys(update, given, family);
    }
    // The version check is in the WHERE clause, so two concurrent writers cannot both succeed.
    let result = update
        .set(model)
        .filter(person::Column::Id.eq(id))
        .filter(person::Column::Version.eq(version))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(stale_version());
    }
    find(db, id)
        .await?
        .ok_or(PersistenceError::NotFound { entity: "person" })
}

fn stale_version() -> PersistenceError {
    PersistenceError::Conflict(
        "the person was changed by someone else; reload and try again".to_owned(),
    )
}

pub async fn count(db: &impl ConnectionTrait) -> Result<u64, PersistenceError> {
    Ok(person::Entity::find().count(db).await?)
}

/// Several people by id, in one query.
pub async fn find_many(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<Vec<person::Model>, PersistenceError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(person::Entity::find()
        .filter(person::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// How many people have this mobile number on record: a number shared by two people on the scheme must
/// not receive either's reminders (each would read the other's appointments).
pub async fn count_with_mobile(
    db: &impl ConnectionTrait,
    mobile: &str,
) -> Result<u64, PersistenceError> {
    Ok(person::Entity::find()
        .filter(person::Column::Mobile.eq(mobile))
        .count(db)
        .await?)
}

/// People with this mobile number (inbound texts are matched by the sender's number).
pub async fn with_mobile(
    db: &impl ConnectionTrait,
    mobile: &str,
) -> Result<Vec<person::Model>, PersistenceError> {
    Ok(person::Entity::find()
        .filter(person::Column::Mobile.eq(mobile))
        .all(db)
        .await?)
}

/// Records an SMS opt-out (STOP) or opt-in (START) without touching the version: it is the person's own
/// choice arriving by text, not an edit racing an officer's.
pub async fn set_sms_opt_out(
    db: &impl ConnectionTrait,
    id: Uuid,
    opted_out_at: Option<DateTime<Utc>>,
) -> Result<(), PersistenceError> {
    person::Entity::update_many()
        .col_expr(person::Column::SmsOptedOutAt, opted_out_at.into())
        .filter(person::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}
