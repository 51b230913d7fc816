//! Helpers shared by the scheduler's database tests.

use chrono::{DateTime, TimeZone, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::json;
use uuid::Uuid;
use vigil_persistence::DatabaseConnection;
use vigil_persistence::entities::job;
use vigil_scheduler::queue::{self, EnqueueOutcome, NewJob};

pub fn at(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, minute, 0)
        .unwrap()
}

/// A Monday in winter, so UTC and London agree.
pub fn start() -> DateTime<Utc> {
    at(2026, 1, 12, 9, 0)
}

pub fn job(kind: &str, run_at: DateTime<Utc>) -> NewJob {
    NewJob::new(kind, json!({ "kind": kind }), run_at)
}

/// Enqueues and returns the new id (panics if the job already existed).
pub async fn add(db: &DatabaseConnection, new_job: NewJob, now: DateTime<Utc>) -> Uuid {
    match queue::enqueue(db, new_job, now).await.unwrap() {
        EnqueueOutcome::Created(id) => id,
        EnqueueOutcome::AlreadyExists => panic!("job unexpectedly existed"),
    }
}

pub async fn row(db: &DatabaseConnection, id: Uuid) -> job::Model {
    job::Entity::find_by_id(id).one(db).await.unwrap().unwrap()
}

pub async fn count(db: &DatabaseConnection) -> u64 {
    job::Entity::find().count(db).await.unwrap()
}

/// Jobs of `kind`, oldest run time first.
pub async fn of_kind(db: &DatabaseConnection, kind: &str) -> Vec<job::Model> {
    job::Entity::find()
        .filter(job::Column::Kind.eq(kind))
        .order_by_asc(job::Column::RunAt)
        .all(db)
        .await
        .unwrap()
}
