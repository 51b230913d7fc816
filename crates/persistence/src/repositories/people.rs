//! People: create, read, search and versioned partial update.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use super::page::{Page, PageRequest};
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
    Ok(model.insert(db).await?)
}

pub async fn find(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<person::Model>, PersistenceError> {
    Ok(person::Entity::find_by_id(id).one(db).await?)
}

/// What a people search may filter on. Every filter is optional and they combine with AND.
#[derive(Debug, Clone, Default)]
pub struct PeopleFilter {
    /// Matches a name (given or family, case-insensitive, anywhere in it), or exactly a PNC ID or CRN.
    pub q: Option<String>,
    pub strand: Option<String>,
    pub status: Option<String>,
    /// People with an active allocation to this member of staff.
    pub allocated_to: Option<Uuid>,
    /// Restricts the search to these people (a partner's view); `None` means no restriction.
    pub only_ids: Option<Vec<Uuid>>,
}

pub async fn search(
    db: &impl ConnectionTrait,
    filter: &PeopleFilter,
    page: PageRequest,
) -> Result<Page<person::Model>, PersistenceError> {
    let mut condition = Condition::all();
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", escape_like(&q.to_lowercase()));
        let exact = q.to_uppercase();
        condition = condition.add(
            Condition::any()
                .add(
                    Expr::expr(Func::lower(Expr::col(person::Column::GivenName)))
                        .like(LikeExpr::new(pattern.as_str()).escape('\\')),
                )
                .add(
                    Expr::expr(Func::lower(Expr::col(person::Column::FamilyName)))
                        .like(LikeExpr::new(pattern.as_str()).escape('\\')),
                )
                .add(person::Column::PncId.eq(exact.as_str()))
                .add(person::Column::Crn.eq(exact.as_str())),
        );
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
    let query = person::Entity::find()
        .filter(condition)
        .order_by_asc(person::Column::FamilyName)
        .order_by_asc(person::Column::GivenName)
        .order_by_asc(person::Column::Id);
    super::page::fetch(db, query, page).await
}

/// Escapes LIKE wildcards in user input so that `%` and `_` match themselves (with `ESCAPE '\\'`).
fn escape_like(input: &str) -> String {
    input
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
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
    let mut model = current.into_active_model();
    change(&mut model);
    model.version = Set(version + 1);
    model.updated_at = Set(now);
    // The version check is in the WHERE clause, so two concurrent writers cannot both succeed.
    let result = person::Entity::update_many()
        .set(model)
        .filter(person::Column::Id.eq(id))
        .filter(person::Column::Version.eq(version))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(PersistenceError::Conflict(
            "the person was changed by someone else; reload and try again".to_owned(),
        ));
    }
    find(db, id)
        .await?
        .ok_or(PersistenceError::NotFound { entity: "person" })
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

#[cfg(test)]
mod tests {
    use super::escape_like;

    #[test]
    fn wildcards_in_a_search_match_themselves() {
        assert_eq!(escape_like("100%_a\\b"), "100\\%\\_a\\\\b");
    }
}
