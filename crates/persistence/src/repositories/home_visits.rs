//! Home visits: planned by hand or by the scheduler's cadence, outcomed by the visiting officer.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use super::page::{Page, PageRequest, fetch};
use crate::caseload::Part;
use crate::caseload::store::refresh;
use crate::entities::home_visit;
use crate::error::PersistenceError;
use crate::repositories::row_locks::lock_row;

pub const STATUS_PLANNED: &str = "planned";

#[derive(Debug, Clone)]
pub struct NewHomeVisit {
    pub person_id: Uuid,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    pub address: Option<String>,
    pub assigned_to: Option<Uuid>,
    /// The team (a police agency) it is given to.
    pub assigned_team_id: Option<Uuid>,
    pub announced: bool,
    pub follow_up_of: Option<Uuid>,
    pub created_by: Option<Uuid>,
}

pub async fn create(
    db: &impl ConnectionTrait,
    new: NewHomeVisit,
    now: DateTime<Utc>,
) -> Result<home_visit::Model, PersistenceError> {
    let model = home_visit::ActiveModel {
        id: Set(Uuid::now_v7()),
        person_id: Set(new.person_id),
        window_start: Set(new.window_start),
        window_end: Set(new.window_end),
        address: Set(new.address),
        assigned_to: Set(new.assigned_to),
        assigned_team_id: Set(new.assigned_team_id),
        announced: Set(new.announced),
        status: Set(STATUS_PLANNED.to_owned()),
        follow_up_of: Set(new.follow_up_of),
        created_by: Set(new.created_by),
        created_at: Set(now),
    };
    let visit = model.insert(db).await?;
    refresh(db, visit.person_id, Part::HomeVisits, now).await?;
    Ok(visit)
}

pub async fn find(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<home_visit::Model>, PersistenceError> {
    Ok(home_visit::Entity::find_by_id(id).one(db).await?)
}

/// Records the outcome of a planned visit; a visit already outcomed is a conflict. The visit's row is
/// locked first, so of two outcomes sent at once the second sees the first's and is refused.
pub async fn record_outcome(
    db: &impl ConnectionTrait,
    id: Uuid,
    status: &str,
    now: DateTime<Utc>,
) -> Result<home_visit::Model, PersistenceError> {
    lock_row(db, home_visit::Entity, id).await?;
    let current = find(db, id).await?.ok_or(PersistenceError::NotFound {
        entity: "home visit",
    })?;
    if current.status != STATUS_PLANNED {
        return Err(PersistenceError::Conflict(format!(
            "the visit is already {}",
            current.status
        )));
    }
    let mut model = current.into_active_model();
    model.status = Set(status.to_owned());
    let visit = model.update(db).await?;
    refresh(db, visit.person_id, Part::HomeVisits, now).await?;
    Ok(visit)
}

/// Which visits a list wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitState {
    /// Planned and the window has not closed.
    Due,
    /// Planned and the window has closed.
    Overdue,
    /// Outcomed (completed, not at home, refused entry).
    Completed,
}

#[derive(Debug, Clone, Default)]
pub struct VisitFilter {
    pub assigned_to: Option<Uuid>,
    /// Visits given to this team (a police agency).
    pub assigned_team_id: Option<Uuid>,
    pub state: Option<VisitState>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub person_ids: Option<Vec<Uuid>>,
}

/// Visits by window end, earliest first.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &VisitFilter,
    now: DateTime<Utc>,
    page: PageRequest,
) -> Result<Page<home_visit::Model>, PersistenceError> {
    let mut condition = Condition::all();
    if let Some(staff_id) = filter.assigned_to {
        condition = condition.add(home_visit::Column::AssignedTo.eq(staff_id));
    }
    if let Some(team_id) = filter.assigned_team_id {
        condition = condition.add(home_visit::Column::AssignedTeamId.eq(team_id));
    }
    condition = match filter.state {
        Some(VisitState::Due) => condition
            .add(home_visit::Column::Status.eq(STATUS_PLANNED))
            .add(home_visit::Column::WindowEnd.gte(now)),
        Some(VisitState::Overdue) => condition
            .add(home_visit::Column::Status.eq(STATUS_PLANNED))
            .add(home_visit::Column::WindowEnd.lt(now)),
        Some(VisitState::Completed) => condition.add(home_visit::Column::Status.ne(STATUS_PLANNED)),
        None => condition,
    };
    if let Some(from) = filter.from {
        condition = condition.add(home_visit::Column::WindowEnd.gte(from));
    }
    if let Some(to) = filter.to {
        condition = condition.add(home_visit::Column::WindowStart.lt(to));
    }
    if let Some(ids) = &filter.person_ids {
        condition = condition.add(home_visit::Column::PersonId.is_in(ids.iter().copied()));
    }
    let query = home_visit::Entity::find()
        .filter(condition)
        .order_by_asc(home_visit::Column::WindowEnd)
        .order_by_asc(home_visit::Column::Id);
    fetch(db, query, page).await
}

/// Planned visits of these people, in one query (the caseload's visit items).
pub async fn planned_for_people(
    db: &impl ConnectionTrait,
    person_ids: &[Uuid],
) -> Result<Vec<home_visit::Model>, PersistenceError> {
    if person_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(home_visit::Entity::find()
        .filter(home_visit::Column::PersonId.is_in(person_ids.iter().copied()))
        .filter(home_visit::Column::Status.eq(STATUS_PLANNED))
        .order_by_asc(home_visit::Column::WindowEnd)
        .all(db)
        .await?)
}

/// Visits of these people whose window started since `since`, any status, in one query.
pub async fn for_people_since(
    db: &impl ConnectionTrait,
    person_ids: &[Uuid],
    since: DateTime<Utc>,
) -> Result<Vec<home_visit::Model>, PersistenceError> {
    if person_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(home_visit::Entity::find()
        .filter(home_visit::Column::PersonId.is_in(person_ids.iter().copied()))
        .filter(home_visit::Column::WindowStart.gte(since))
        .order_by_asc(home_visit::Column::WindowStart)
        .all(db)
        .await?)
}
