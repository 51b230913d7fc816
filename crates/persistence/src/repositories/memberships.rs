//! Cohort membership: an append-only history, with the current position copied onto the person.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::caseload::Part;
use crate::caseload::store::refresh;
use crate::entities::{membership, person};
use crate::error::PersistenceError;

/// One membership step, decided by the domain's membership rules.
#[derive(Debug, Clone, Default)]
pub struct MembershipStep {
    pub action: String,
    pub status: String,
    pub strand: String,
    pub reason: Option<String>,
    pub exit_plan: Option<String>,
    pub police_lead_id: Option<Uuid>,
    pub probation_lead_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
}

/// Appends the step to the history and moves the person's current status and strand, in the caller's
/// transaction so the two can never disagree.
pub async fn record(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    step: MembershipStep,
    now: DateTime<Utc>,
) -> Result<membership::Model, PersistenceError> {
    let row = membership::ActiveModel {
        id: Set(Uuid::now_v7()),
        person_id: Set(person_id),
        action: Set(step.action),
        status: Set(step.status.clone()),
        strand: Set(step.strand.clone()),
        reason: Set(step.reason),
        exit_plan: Set(step.exit_plan),
        police_lead_id: Set(step.police_lead_id),
        probation_lead_id: Set(step.probation_lead_id),
        actor_id: Set(step.actor_id),
        occurred_at: Set(now),
    }
    .insert(db)
    .await?;
    let updated = person::Entity::update_many()
        .col_expr(person::Column::CohortStatus, step.status.into())
        .col_expr(person::Column::Strand, step.strand.into())
        .col_expr(person::Column::UpdatedAt, now.into())
        // The cohort position is part of the record: a cached copy (ETag) is now stale.
        .col_expr(
            person::Column::Version,
            Expr::col(person::Column::Version).add(1),
        )
        .filter(person::Column::Id.eq(person_id))
        .exec(db)
        .await?;
    if updated.rows_affected == 0 {
        return Err(PersistenceError::NotFound { entity: "person" });
    }
    refresh(db, person_id, Part::StandardsSince, now).await?;
    Ok(row)
}

/// The whole history, oldest first.
pub async fn history(
    db: &impl ConnectionTrait,
    person_id: Uuid,
) -> Result<Vec<membership::Model>, PersistenceError> {
    Ok(membership::Entity::find()
        .filter(membership::Column::PersonId.eq(person_id))
        .order_by_asc(membership::Column::OccurredAt)
        .order_by_asc(membership::Column::Id)
        .all(db)
        .await?)
}

/// Adoption steps of these people, oldest first (the caseload takes each person's latest), in one query.
pub async fn adoptions_for_people(
    db: &impl ConnectionTrait,
    person_ids: &[Uuid],
) -> Result<Vec<membership::Model>, PersistenceError> {
    if person_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(membership::Entity::find()
        .filter(membership::Column::PersonId.is_in(person_ids.iter().copied()))
        .filter(membership::Column::Action.eq("adopt"))
        .order_by_asc(membership::Column::OccurredAt)
        .all(db)
        .await?)
}
