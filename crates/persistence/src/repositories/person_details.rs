//! The parts of a person's record kept as their own rows: addresses (with dates) and risk-to-staff markers.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::entities::{address, risk_marker};
use crate::error::PersistenceError;

#[derive(Debug, Clone)]
pub struct NewAddress {
    pub line1: String,
    pub line2: Option<String>,
    pub town: String,
    pub postcode: Option<String>,
    pub from_date: NaiveDate,
}

/// Adds an address as the current one, closing the previous current address the day before.
pub async fn move_to_address(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    new: NewAddress,
) -> Result<address::Model, PersistenceError> {
    let closing_date = new.from_date.pred_opt().unwrap_or(new.from_date);
    address::Entity::update_many()
        .col_expr(address::Column::ToDate, Some(closing_date).into())
        .filter(address::Column::PersonId.eq(person_id))
        .filter(address::Column::ToDate.is_null())
        .exec(db)
        .await?;
    let model = address::ActiveModel {
        id: Set(Uuid::now_v7()),
        person_id: Set(person_id),
        line1: Set(new.line1),
        line2: Set(new.line2),
        town: Set(new.town),
        postcode: Set(new.postcode),
        from_date: Set(new.from_date),
        to_date: Set(None),
    };
    Ok(model.insert(db).await?)
}

/// The address history, newest first.
pub async fn addresses(
    db: &impl ConnectionTrait,
    person_id: Uuid,
) -> Result<Vec<address::Model>, PersistenceError> {
    Ok(address::Entity::find()
        .filter(address::Column::PersonId.eq(person_id))
        .order_by_desc(address::Column::FromDate)
        .all(db)
        .await?)
}

pub async fn add_risk_marker(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    marker: &str,
    notes: Option<String>,
    created_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<risk_marker::Model, PersistenceError> {
    let model = risk_marker::ActiveModel {
        id: Set(Uuid::now_v7()),
        person_id: Set(person_id),
        marker: Set(marker.to_owned()),
        notes: Set(notes),
        created_by: Set(created_by),
        created_at: Set(now),
        ended_at: Set(None),
    };
    Ok(model.insert(db).await?)
}

/// Risk-to-staff markers still in force.
pub async fn active_risk_markers(
    db: &impl ConnectionTrait,
    person_id: Uuid,
) -> Result<Vec<risk_marker::Model>, PersistenceError> {
    active_risk_markers_of(db, &[person_id]).await
}

/// The active risk markers of these people, oldest first, in one query (a page of visits shows each
/// visit's person's markers).
pub async fn active_risk_markers_of(
    db: &impl ConnectionTrait,
    person_ids: &[Uuid],
) -> Result<Vec<risk_marker::Model>, PersistenceError> {
    if person_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(risk_marker::Entity::find()
        .filter(risk_marker::Column::PersonId.is_in(person_ids.iter().copied()))
        .filter(risk_marker::Column::EndedAt.is_null())
        .order_by_asc(risk_marker::Column::CreatedAt)
        .order_by_asc(risk_marker::Column::Id)
        .all(db)
        .await?)
}

/// The current address on one line (`line1, line2, town, postcode`), as copied onto a planned visit.
pub async fn current_address_line(
    db: &impl ConnectionTrait,
    person_id: Uuid,
) -> Result<Option<String>, PersistenceError> {
    Ok(addresses(db, person_id)
        .await?
        .into_iter()
        .find(|a| a.to_date.is_none())
        .map(|a| {
            [Some(a.line1), a.line2, Some(a.town), a.postcode]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ")
        }))
}
