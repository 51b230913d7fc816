//! The same data as `dataset.sql`, for SQLite: written through the entities (in chunks, one transaction),
//! so that ids and instants are stored exactly as the application stores them.

use anyhow::Result;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait, TransactionTrait,
};
use uuid::Uuid;
use vigil_persistence::entities::{appointment, job, notification, person};

/// Rows per INSERT: well under SQLite's limit of bound values.
const CHUNK: usize = 1_000;

fn id(table: u8, n: u64) -> Uuid {
    Uuid::from_u128(
        (0x0190_0000_u128 + u128::from(table)) << 96 | 0x7000_8000_u128 << 48 | u128::from(n),
    )
}

pub async fn reload(db: &DatabaseConnection, people: u32, per_person: u32) -> Result<()> {
    let now = Utc::now();
    let txn = db.begin().await?;
    for table in [
        "jobs",
        "notifications",
        "appointments",
        "custody_periods",
        "people",
    ] {
        txn.execute_unprepared(&format!("DELETE FROM {table}"))
            .await?;
    }
    let person_rows: Vec<person::ActiveModel> = (1..=u64::from(people))
        .map(|p| person_row(p, now))
        .collect();
    for chunk in person_rows.chunks(CHUNK) {
        person::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    let first_start = now
        .date_naive()
        .and_hms_opt(9, 0, 0)
        .unwrap_or_default()
        .and_utc()
        + Duration::days(3);
    let send_at = now - Duration::minutes(1);
    let mut rows = (Vec::new(), Vec::new(), Vec::new());
    for p in 1..=u64::from(people) {
        for k in 1..=u64::from(per_person) {
            let n = (p - 1) * u64::from(per_person) + k;
            let starts_at = first_start + Duration::hours(i64::try_from(k)?);
            rows.0.push(appointment_row(n, p, starts_at, now));
            rows.1.push(notification_row(n, p, send_at, now));
            rows.2.push(job_row(n, send_at, now));
            if rows.0.len() == CHUNK {
                flush(&txn, &mut rows).await?;
            }
        }
    }
    flush(&txn, &mut rows).await?;
    txn.commit().await?;
    db.execute_unprepared("ANALYZE").await?;
    Ok(())
}

type Rows = (
    Vec<appointment::ActiveModel>,
    Vec<notification::ActiveModel>,
    Vec<job::ActiveModel>,
);

async fn flush(txn: &impl ConnectionTrait, rows: &mut Rows) -> Result<()> {
    if rows.0.is_empty() {
        return Ok(());
    }
    appointment::Entity::insert_many(std::mem::take(&mut rows.0))
        .exec_without_returning(txn)
        .await?;
    notification::Entity::insert_many(std::mem::take(&mut rows.1))
        .exec_without_returning(txn)
        .await?;
    job::Entity::insert_many(std::mem::take(&mut rows.2))
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

fn person_row(p: u64, now: DateTime<Utc>) -> person::ActiveModel {
    person::ActiveModel {
        id: Set(id(1, p)),
        given_name: Set("Bench".to_owned()),
        family_name: Set(format!("Person {p}")),
        date_of_birth: Set(NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()),
        pnc_id: Set(None),
        crn: Set(None),
        mobile: Set(Some(format!("+4477009{p:05}"))),
        email: Set(None),
        language: Set("en".to_owned()),
        sms_consent: Set(true),
        email_consent: Set(false),
        sms_opted_out_at: Set(None),
        tier: Set(None),
        rosh: Set(None),
        mappa_level: Set(None),
        photo_ref: Set(None),
        wanted: Set(false),
        cohort_status: Set(Some("adopted".to_owned())),
        strand: Set(Some("rehabilitate_resettle".to_owned())),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

fn appointment_row(
    n: u64,
    p: u64,
    starts_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> appointment::ActiveModel {
    const TYPES: [&str; 5] = [
        "office_visit",
        "telephone",
        "drug_test",
        "unpaid_work",
        "court_hearing",
    ];
    appointment::ActiveModel {
        id: Set(id(2, n)),
        person_id: Set(id(1, p)),
        staff_id: Set(None),
        appointment_type: Set(TYPES[(n % 5) as usize].to_owned()),
        starts_at: Set(starts_at),
        ends_at: Set(starts_at + Duration::hours(1)),
        location: Set(Some("Bench Probation Office, 1 High Street".to_owned())),
        status: Set("booked".to_owned()),
        remind: Set(true),
        outcome: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

fn notification_row(
    n: u64,
    p: u64,
    send_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> notification::ActiveModel {
    notification::ActiveModel {
        id: Set(id(3, n)),
        person_id: Set(Some(id(1, p))),
        appointment_id: Set(Some(id(2, n))),
        channel: Set("sms".to_owned()),
        template: Set("appointment_reminder".to_owned()),
        idempotency_key: Set(format!("{}:48h:{n}:sms", id(2, n))),
        send_at: Set(send_at),
        status: Set("pending".to_owned()),
        reason: Set(None),
        provider_ref: Set(None),
        provider_id: Set(None),
        attempts: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

fn job_row(n: u64, run_at: DateTime<Utc>, now: DateTime<Utc>) -> job::ActiveModel {
    let notification_id = id(3, n);
    job::ActiveModel {
        id: Set(id(4, n)),
        kind: Set("send_notification".to_owned()),
        payload: Set(serde_json::json!({ "notification_id": notification_id })),
        run_at: Set(run_at),
        priority: Set(0),
        attempts: Set(0),
        max_attempts: Set(5),
        unique_key: Set(Some(format!("send_notification:{notification_id}"))),
        state: Set("available".to_owned()),
        lease_expires_at: Set(None),
        epoch: Set(0),
        locked_by: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
}
