//! Notifications: one row per message, keyed by an idempotency key, each sent by one job. Planning twice
//! creates nothing new; a reschedule suppresses the old messages and plans new ones; a cancellation
//! suppresses them. The rows are the history of every message planned or sent for a person.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{LockType, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::jobs::{self, NewJob};
use super::page::{Page, PageRequest, fetch};
use crate::entities::notification;
use crate::error::PersistenceError;

/// Message templates: an appointment reminder, and the confirmations of a STOP or START text.
pub const TEMPLATE_REMINDER: &str = "appointment_reminder";
pub const TEMPLATE_OPT_OUT_CONFIRMATION: &str = "opt_out_confirmation";
pub const TEMPLATE_OPT_IN_CONFIRMATION: &str = "opt_in_confirmation";

/// The job kind that sends one notification.
pub const SEND_JOB_KIND: &str = "send_notification";

/// Reasons a reminder is withdrawn by a change to its appointment; such a reminder comes back to life if
/// the change is undone (rescheduled back to the original time).
pub const REASON_RESCHEDULED: &str = "appointment_rescheduled";
pub const REASON_CANCELLED: &str = "appointment_cancelled";
pub const REASON_OUTCOMED: &str = "appointment_outcomed";
/// A reminder whose time had come before it could be sent: planned too late, or its appointment started.
pub const REASON_TOO_LATE: &str = "too_late";

#[derive(Debug, Clone)]
pub struct PlannedMessage {
    pub person_id: Uuid,
    pub appointment_id: Option<Uuid>,
    pub channel: String,
    pub template: String,
    pub idempotency_key: String,
    pub send_at: DateTime<Utc>,
}

fn send_job_key(notification_id: Uuid) -> String {
    format!("{SEND_JOB_KIND}:{notification_id}")
}

/// Plans a message and its send job, idempotently. Returns the notification.
pub async fn plan(
    db: &impl ConnectionTrait,
    message: PlannedMessage,
    now: DateTime<Utc>,
) -> Result<notification::Model, PersistenceError> {
    let (key, send_at) = (message.idempotency_key.clone(), message.send_at);
    insert_unless_keyed(db, message, "pending", None, now).await?;
    // Locked, so that what is decided below is not undone by a sender changing the row meanwhile (a
    // withdrawn message found not to have gone, suppressed at this moment); SQLite has one writer.
    let mut stored = notification::Entity::find()
        .filter(notification::Column::IdempotencyKey.eq(key))
        .lock(LockType::NoKeyUpdate)
        .one(db)
        .await?
        .ok_or(PersistenceError::NotFound {
            entity: "notification",
        })?;
    let withdrawn = stored.status == "suppressed"
        && matches!(
            stored.reason.as_deref(),
            Some(REASON_RESCHEDULED | REASON_CANCELLED)
        );
    if withdrawn {
        let mut model = stored.into_active_model();
        model.status = Set("pending".to_owned());
        model.reason = Set(None);
        model.send_at = Set(send_at);
        model.updated_at = Set(now);
        stored = model.update(db).await?;
    } else if stored.status == "sending" && stored.reason.is_some() {
        undo_withdrawal_of_sending(db, &stored.idempotency_key, now).await?;
        stored.reason = None;
    }
    if stored.status == "pending" {
        let job = NewJob::new(
            SEND_JOB_KIND,
            serde_json::json!({ "notification_id": stored.id }),
            stored.send_at,
        )
        .with_unique_key(send_job_key(stored.id));
        if withdrawn {
            // Its job may have ended when the message was withdrawn (a worker that had already claimed it
            // found it suppressed): without this the revived message would wait for ever.
            jobs::enqueue_again(db, job, now).await?;
        } else {
            jobs::enqueue(db, job, now).await?;
        }
    }
    Ok(stored)
}

/// Records, idempotently, a message that was already too late when it was planned: suppressed, with
/// reason [`REASON_TOO_LATE`], and no send job. A message already stored under the key is left as it is
/// (planned earlier and since sent, or withdrawn by a change to its appointment), except that one being
/// sent is no longer withdrawn: its appointment is back as it was.
pub async fn record_too_late(
    db: &impl ConnectionTrait,
    message: PlannedMessage,
    now: DateTime<Utc>,
) -> Result<(), PersistenceError> {
    let key = message.idempotency_key.clone();
    insert_unless_keyed(
        db,
        message,
        "suppressed",
        Some(REASON_TOO_LATE.to_owned()),
        now,
    )
    .await?;
    undo_withdrawal_of_sending(db, &key, now).await
}

/// A message withdrawn while in `sending` (see [`withdraw_sending`]) whose appointment has been changed
/// back: wanted again, so it goes if it has not gone already.
async fn undo_withdrawal_of_sending(
    db: &impl ConnectionTrait,
    key: &str,
    now: DateTime<Utc>,
) -> Result<(), PersistenceError> {
    notification::Entity::update_many()
        .col_expr(notification::Column::Reason, Option::<String>::None.into())
        .col_expr(notification::Column::UpdatedAt, now.into())
        .filter(notification::Column::IdempotencyKey.eq(key))
        .filter(notification::Column::Status.eq("sending"))
        .filter(notification::Column::Reason.is_not_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Inserts the message in `status`, unless a message is already stored under its idempotency key.
async fn insert_unless_keyed(
    db: &impl ConnectionTrait,
    message: PlannedMessage,
    status: &str,
    reason: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), PersistenceError> {
    let row = notification::ActiveModel {
        id: Set(Uuid::now_v7()),
        person_id: Set(Some(message.person_id)),
        appointment_id: Set(message.appointment_id),
        channel: Set(message.channel),
        template: Set(message.template),
        idempotency_key: Set(message.idempotency_key),
        send_at: Set(message.send_at),
        status: Set(status.to_owned()),
        reason: Set(reason),
        provider_ref: Set(None),
        provider_id: Set(None),
        attempts: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    };
    notification::Entity::insert(row)
        .on_conflict(
            OnConflict::column(notification::Column::IdempotencyKey)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The appointment's messages in `status` whose key is not in `keep` (all of them if `keep` is empty:
/// `NOT IN ()` is not valid SQL everywhere).
fn unwanted(appointment_id: Uuid, status: &str, keep: &[String]) -> Condition {
    let condition = Condition::all()
        .add(notification::Column::AppointmentId.eq(appointment_id))
        .add(notification::Column::Status.eq(status));
    if keep.is_empty() {
        return condition;
    }
    condition.add(notification::Column::IdempotencyKey.is_not_in(keep.iter().cloned()))
}

/// Suppresses the appointment's pending messages (except those whose key is in `keep`) with `reason`,
/// and deletes their send jobs that have not started. Its messages being sent are marked withdrawn (see
/// [`withdraw_sending`]).
pub async fn suppress_pending_for_appointment(
    db: &impl ConnectionTrait,
    appointment_id: Uuid,
    keep: &[String],
    reason: &str,
    now: DateTime<Utc>,
) -> Result<u64, PersistenceError> {
    let condition = unwanted(appointment_id, "pending", keep);
    let withdrawn = notification::Entity::find()
        .filter(condition.clone())
        .all(db)
        .await?;
    if !withdrawn.is_empty() {
        notification::Entity::update_many()
            .col_expr(notification::Column::Status, "suppressed".into())
            .col_expr(notification::Column::Reason, Some(reason.to_owned()).into())
            .col_expr(notification::Column::UpdatedAt, now.into())
            .filter(condition)
            .exec(db)
            .await?;
        jobs::delete_unstarted(db, withdrawn.iter().map(|n| send_job_key(n.id)).collect()).await?;
    }
    // After the pending ones, not before: under READ COMMITTED each statement sees the latest commits, so a
    // message a worker moves from `pending` to `sending` in between is seen by this one. The other way
    // round it would escape both.
    withdraw_sending(db, appointment_id, keep, reason, now).await?;
    Ok(withdrawn.len() as u64)
}

/// Marks the appointment's messages in `sending` (except those whose key is in `keep`) as withdrawn, with
/// `reason`. Such a message may already have reached the provider (its send is under way, or in doubt
/// after a provider's 5xx), so it cannot be suppressed outright: its status stays `sending` and its reason
/// says it is no longer wanted. The sender then suppresses it with that reason instead of sending it
/// again, if it turns out not to have gone (the provider does not have it, or certainly did not take it;
/// see [`unsent`]). A `sending` message has no reason otherwise (every move to `sending` clears it).
async fn withdraw_sending(
    db: &impl ConnectionTrait,
    appointment_id: Uuid,
    keep: &[String],
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), PersistenceError> {
    notification::Entity::update_many()
        .col_expr(notification::Column::Reason, Some(reason.to_owned()).into())
        .col_expr(notification::Column::UpdatedAt, now.into())
        .filter(unwanted(appointment_id, "sending", keep))
        .exec(db)
        .await?;
    Ok(())
}

/// A message in `sending` that certainly did not go (the provider refused the connection, rate-limited
/// it, or answered "try later"): back to `pending` to be sent again or, if it was withdrawn meanwhile (it
/// has a reason, see [`withdraw_sending`]), `suppressed` with that reason. One statement, so a withdrawal
/// made at the same moment is either seen or waited for, never overwritten. Returns the new status, or
/// `None` if the message was not in `sending`.
pub async fn unsent(
    db: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<String>, PersistenceError> {
    use sea_orm::sea_query::CaseStatement;
    let status = CaseStatement::new()
        .case(notification::Column::Reason.is_null(), "pending")
        .finally("suppressed");
    // The new status comes back from the same statement (`RETURNING`): read afterwards, it could already
    // be another writer's.
    let changed = notification::Entity::update_many()
        .col_expr(notification::Column::Status, status.into())
        .col_expr(notification::Column::UpdatedAt, now.into())
        .filter(notification::Column::Id.eq(id))
        .filter(notification::Column::Status.eq("sending"))
        .exec_with_returning(db)
        .await?;
    Ok(changed.into_iter().next().map(|message| message.status))
}

/// Every message planned or sent for a person, newest send time first.
pub async fn for_person(
    db: &impl ConnectionTrait,
    person_id: Uuid,
) -> Result<Vec<notification::Model>, PersistenceError> {
    Ok(notification::Entity::find()
        .filter(notification::Column::PersonId.eq(person_id))
        .order_by_desc(notification::Column::SendAt)
        .all(db)
        .await?)
}

#[derive(Debug, Clone, Default)]
pub struct NotificationFilter {
    pub status: Option<String>,
    pub channel: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

pub async fn list(
    db: &impl ConnectionTrait,
    filter: &NotificationFilter,
    page: PageRequest,
) -> Result<Page<notification::Model>, PersistenceError> {
    let mut condition = Condition::all();
    if let Some(status) = &filter.status {
        condition = condition.add(notification::Column::Status.eq(status.as_str()));
    }
    if let Some(channel) = &filter.channel {
        condition = condition.add(notification::Column::Channel.eq(channel.as_str()));
    }
    if let Some(from) = filter.from {
        condition = condition.add(notification::Column::SendAt.gte(from));
    }
    if let Some(to) = filter.to {
        condition = condition.add(notification::Column::SendAt.lt(to));
    }
    let query = notification::Entity::find()
        .filter(condition)
        .order_by_desc(notification::Column::SendAt)
        .order_by_desc(notification::Column::Id);
    fetch(db, query, page).await
}

pub async fn find(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<notification::Model>, PersistenceError> {
    Ok(notification::Entity::find_by_id(id).one(db).await?)
}

/// A change of a notification's state, applied only if it is still in one of `from`: two workers (or a
/// worker and a webhook) can never both move the same message.
#[derive(Debug, Clone, Default)]
pub struct Transition<'a> {
    pub from: &'a [&'a str],
    pub to: &'a str,
    pub reason: Option<String>,
    pub provider_ref: Option<String>,
    pub provider_id: Option<String>,
    pub count_attempt: bool,
    /// A further condition the change needs, checked in the same statement (the scheduler's fence: the
    /// job sending the message must still be held by this worker).
    pub guard: Option<sea_orm::sea_query::SimpleExpr>,
}

pub async fn transition(
    db: &impl ConnectionTrait,
    id: Uuid,
    change: Transition<'_>,
    now: DateTime<Utc>,
) -> Result<bool, PersistenceError> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    let mut update = notification::Entity::update_many()
        .col_expr(notification::Column::Status, change.to.into())
        .col_expr(notification::Column::Reason, change.reason.into())
        .col_expr(notification::Column::UpdatedAt, now.into())
        .filter(notification::Column::Id.eq(id))
        .filter(notification::Column::Status.is_in(change.from.iter().copied()));
    if let Some(reference) = change.provider_ref {
        update = update.col_expr(notification::Column::ProviderRef, Some(reference).into());
    }
    if let Some(provider_id) = change.provider_id {
        update = update.col_expr(notification::Column::ProviderId, Some(provider_id).into());
    }
    if let Some(guard) = change.guard {
        update = update.filter(guard);
    }
    if change.count_attempt {
        update = update.col_expr(
            notification::Column::Attempts,
            Expr::col(notification::Column::Attempts).add(1),
        );
    }
    Ok(update.exec(db).await?.rows_affected == 1)
}

/// The notification a job sends, if it is a send job.
pub fn sent_by_job(job_kind: &str, payload: &serde_json::Value) -> Option<Uuid> {
    if job_kind != SEND_JOB_KIND {
        return None;
    }
    payload.get("notification_id")?.as_str()?.parse().ok()
}

/// Ends a message whose send job ended without sending it (attempts used up, a permanent error, a worker
/// that stopped during the final attempt), to be called in the transaction that ends the job. Otherwise
/// the message would stay `pending` with no reason, and planning it again could not revive it (its job
/// key is taken). A `pending` message becomes `failed`, saying why; a `sending` one may have reached the
/// provider, so it becomes `unknown` rather than `failed`. Any other state is already an outcome.
pub async fn give_up(
    db: &impl ConnectionTrait,
    id: Uuid,
    cause: &str,
    now: DateTime<Utc>,
) -> Result<(), PersistenceError> {
    let not_sent = Transition {
        from: &["pending"],
        to: "failed",
        reason: Some(format!("not sent: {cause}")),
        ..Default::default()
    };
    let may_have_gone = Transition {
        from: &["sending"],
        to: "unknown",
        reason: Some(format!(
            "the send was interrupted and its job ended ({cause}); not resent to avoid a duplicate"
        )),
        ..Default::default()
    };
    if !transition(db, id, not_sent, now).await? {
        transition(db, id, may_have_gone, now).await?;
    }
    Ok(())
}

/// The notification a provider's id (or our reference) names: delivery receipts carry both.
pub async fn find_by_provider(
    db: &impl ConnectionTrait,
    provider_id: Option<&str>,
    reference: Option<&str>,
) -> Result<Option<notification::Model>, PersistenceError> {
    let mut any = Condition::any();
    if let Some(provider_id) = provider_id {
        any = any.add(notification::Column::ProviderId.eq(provider_id));
    }
    if let Some(reference) = reference {
        any = any.add(notification::Column::ProviderRef.eq(reference));
    }
    if provider_id.is_none() && reference.is_none() {
        return Ok(None);
    }
    Ok(notification::Entity::find().filter(any).one(db).await?)
}
