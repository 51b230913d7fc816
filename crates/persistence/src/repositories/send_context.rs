//! Everything the sender must know about one notification before it may send it, read in one query:
//! the message, its person, its appointment, how many people share the person's mobile number, and
//! whether the person is in custody now. Sending is the hottest path of the scheduler (a morning can
//! bring tens of thousands of reminders due at once), so this is one round trip, not five.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, IdenStatic, Iterable, JoinType,
    QueryFilter, QuerySelect, QueryTrait,
};
use uuid::Uuid;

use crate::entities::{appointment, custody_period, notification, person};
use crate::error::PersistenceError;

// Prefixes for the joined rows' columns; they must not make a name the notification already has
// (`person_` + `id` would be its own `person_id`).
const PERSON_PREFIX: &str = "p__";
const APPOINTMENT_PREFIX: &str = "a__";
const MOBILE_HOLDERS: &str = "mobile_holders";
const OPEN_CUSTODY_PERIODS: &str = "open_custody_periods";

#[derive(Debug, Clone)]
pub struct SendContext {
    pub message: notification::Model,
    pub person: Option<person::Model>,
    pub appointment: Option<appointment::Model>,
    /// People (this one included) with the person's mobile number; 0 when it has none.
    pub mobile_holders: i64,
    /// Whether the person is in custody at the time asked about.
    pub in_custody: bool,
}

/// The notification `id` with its person, appointment and the facts suppression depends on, at `now`.
pub async fn send_context(
    db: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<SendContext>, PersistenceError> {
    let sharing = Alias::new("sharing");
    let mobile_holders = Query::select()
        .expr(Func::count(Expr::col((
            sharing.clone(),
            person::Column::Id,
        ))))
        .from_as(person::Entity, sharing.clone())
        .and_where(
            Expr::col((sharing, person::Column::Mobile))
                .equals((person::Entity, person::Column::Mobile)),
        )
        .to_owned();
    let open_custody = Query::select()
        .expr(Func::count(Expr::col((
            custody_period::Entity,
            custody_period::Column::Id,
        ))))
        .from(custody_period::Entity)
        .and_where(
            Expr::col((custody_period::Entity, custody_period::Column::PersonId))
                .equals((person::Entity, person::Column::Id)),
        )
        .and_where(Expr::col((custody_period::Entity, custody_period::Column::ReceivedAt)).lte(now))
        .and_where(
            Expr::col((custody_period::Entity, custody_period::Column::ReleasedAt))
                .is_null()
                .or(
                    Expr::col((custody_period::Entity, custody_period::Column::ReleasedAt)).gt(now),
                ),
        )
        .to_owned();

    let mut select = notification::Entity::find()
        .filter(notification::Column::Id.eq(id))
        .join(JoinType::LeftJoin, to_person())
        .join(JoinType::LeftJoin, to_appointment());
    for column in person::Column::iter() {
        select = select.column_as(column, format!("{PERSON_PREFIX}{}", column.as_str()));
    }
    for column in appointment::Column::iter() {
        select = select.column_as(column, format!("{APPOINTMENT_PREFIX}{}", column.as_str()));
    }
    let statement = select
        .expr_as(Expr::from(mobile_holders), MOBILE_HOLDERS)
        .expr_as(Expr::from(open_custody), OPEN_CUSTODY_PERIODS)
        .into_query();
    let Some(row) = db.query_one(&statement).await? else {
        return Ok(None);
    };
    Ok(Some(SendContext {
        message: notification::Model::from_query_result(&row, "")?,
        person: person::Model::from_query_result_optional(&row, PERSON_PREFIX)?,
        appointment: appointment::Model::from_query_result_optional(&row, APPOINTMENT_PREFIX)?,
        mobile_holders: row.try_get::<Option<i64>>("", MOBILE_HOLDERS)?.unwrap_or(0),
        in_custody: row
            .try_get::<Option<i64>>("", OPEN_CUSTODY_PERIODS)?
            .unwrap_or(0)
            > 0,
    }))
}

fn to_person() -> sea_orm::RelationDef {
    notification::Entity::belongs_to(person::Entity)
        .from(notification::Column::PersonId)
        .to(person::Column::Id)
        .into()
}

fn to_appointment() -> sea_orm::RelationDef {
    notification::Entity::belongs_to(appointment::Entity)
        .from(notification::Column::AppointmentId)
        .to(appointment::Column::Id)
        .into()
}
