//! Helpers shared by the appointment and reminder tests.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use uuid::Uuid;
use vigil_persistence::entities::{job, notification};
use vigil_persistence::repositories::{jobs, notifications};

use crate::TestApp;

pub fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

pub fn instant(v: &Value) -> DateTime<Utc> {
    v.as_str()
        .unwrap_or_else(|| panic!("not an instant: {v}"))
        .parse()
        .unwrap()
}

pub fn id_of(v: &Value) -> Uuid {
    v.as_str().unwrap().parse().unwrap()
}

/// The person's notifications for one appointment, by send time then channel.
pub async fn reminders_of(
    app: &TestApp,
    person: Uuid,
    appointment: Uuid,
) -> Vec<notification::Model> {
    let mut all: Vec<_> = notifications::for_person(app.db(), person)
        .await
        .unwrap()
        .into_iter()
        .filter(|n| n.appointment_id == Some(appointment))
        .collect();
    all.sort_by(|a, b| (a.send_at, &a.channel).cmp(&(b.send_at, &b.channel)));
    all
}

pub fn pending(all: &[notification::Model]) -> Vec<&notification::Model> {
    all.iter().filter(|n| n.status == "pending").collect()
}

pub async fn send_jobs(app: &TestApp) -> Vec<job::Model> {
    jobs::of_kind(app.db(), notifications::SEND_JOB_KIND)
        .await
        .unwrap()
}

/// Every unstarted send job matches exactly one pending notification (same id, run at its send time)
/// and every pending notification has exactly one.
pub async fn assert_jobs_match_pending(app: &TestApp, pending: &[&notification::Model]) {
    let open: Vec<job::Model> = send_jobs(app)
        .await
        .into_iter()
        .filter(|j| j.state == "available")
        .collect();
    assert_eq!(open.len(), pending.len(), "jobs {open:?} vs {pending:?}");
    for n in pending {
        let matching: Vec<_> = open
            .iter()
            .filter(|j| j.payload["notification_id"] == json!(n.id))
            .collect();
        assert_eq!(matching.len(), 1, "one job for notification {}", n.id);
        assert_eq!(matching[0].run_at, n.send_at);
    }
}

pub fn send_times(all: &[&notification::Model]) -> Vec<DateTime<Utc>> {
    all.iter().map(|n| n.send_at).collect()
}
