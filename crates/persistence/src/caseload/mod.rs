//! Assembling an officer's caseload: each allocated person with their next appointment, last completed
//! contact, and what is due and overdue — contact standards (kept as data, assessed by the domain),
//! appointments past their end without an outcome, enforcement deadlines and planned home visits.
//! One read for the whole caseload (the allocated people with their stored facts — see [`read`],
//! [`facts`] and [`store`]), never one per person. Shared by the API's worklist ([`consult`], which also
//! records the consultation) and the scheduler's morning digest ([`assemble`]).

mod consult;
pub mod facts;
mod read;
pub mod store;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use uuid::Uuid;
use vigil_domain::{
    CompletedContact, ContactStandard, MemberContext, StandardKind, Strand, Tier, WorkingCalendar,
    assess_contact_standards,
};

pub use consult::{WorklistRequest, consult};
pub use facts::{BookedAppointment, CaseloadFacts, Part};

use crate::error::PersistenceError;
use crate::person_summary::PersonSummary;
use store::StoredFacts;

/// The rules a caseload is assessed by.
#[derive(Debug, Clone, Copy)]
pub struct CaseloadRules<'a> {
    pub standards: &'a [ContactStandard],
    pub time_zone: Tz,
    pub calendar: &'a WorkingCalendar,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WorkItem {
    /// contact_standard | appointment_outcome | enforcement | home_visit
    pub kind: &'static str,
    pub description: String,
    pub due_by: DateTime<Utc>,
    /// The record it is about (appointment, enforcement action or visit), if any.
    pub reference_id: Option<Uuid>,
}

#[derive(Debug, Clone)]
pub struct CaseloadEntry {
    pub person: PersonSummary,
    pub allocation_role: String,
    pub next_appointment: Option<BookedAppointment>,
    pub last_contact: Option<DateTime<Utc>>,
    /// Due, soonest first.
    pub due: Vec<WorkItem>,
    /// Overdue, most overdue first.
    pub overdue: Vec<WorkItem>,
}

/// The staff member's caseload at `now`: people with overdue items first (the most overdue at the top),
/// then by the next thing due, then by name.
pub async fn assemble(
    db: &impl ConnectionTrait,
    staff_id: Uuid,
    rules: CaseloadRules<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<CaseloadEntry>, PersistenceError> {
    let select = read::select(db.get_database_backend(), staff_id, Default::default());
    let rows = db.query_all_raw(select).await?;
    entries_from_rows(db, &rows, rules, now).await
}

/// The one read behind `staff_id`'s worklist (before any audit is added to it), for a benchmark to
/// EXPLAIN the very statement the worklist sends.
pub fn worklist_read(backend: sea_orm::DbBackend, staff_id: Uuid) -> sea_orm::Statement {
    read::select(backend, staff_id, Default::default())
}

/// The rows of [`read::select`] assessed at `now` and in worklist order. Facts not stored yet are worked
/// out (and stored) here.
async fn entries_from_rows(
    db: &impl ConnectionTrait,
    rows: &[QueryResult],
    rules: CaseloadRules<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<CaseloadEntry>, PersistenceError> {
    let allocated = rows
        .iter()
        .map(read::decode)
        .collect::<Result<Vec<_>, DbErr>>()?;
    let (people, stored): (Vec<_>, Vec<StoredFacts<'_>>) = allocated
        .into_iter()
        .map(|line| ((line.person, line.allocation_role), line.stored))
        .unzip();
    let mut facts = store::complete(db, &stored, now).await?;
    let mut entries: Vec<CaseloadEntry> = people
        .into_iter()
        .map(|(person, role)| {
            let facts = facts.remove(&person.id).unwrap_or_default();
            entry(rules, person, role, facts, now)
        })
        .collect();
    entries.sort_by(|a, b| {
        let first = |entry: &CaseloadEntry| {
            entry
                .overdue
                .first()
                .or(entry.due.first())
                .map(|w| w.due_by)
        };
        a.overdue
            .is_empty()
            .cmp(&b.overdue.is_empty())
            .then_with(|| match (first(a), first(b)) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            })
            .then_with(|| a.person.family_name.cmp(&b.person.family_name))
    });
    Ok(entries)
}

/// One person's line: their facts assessed at `now`.
fn entry(
    rules: CaseloadRules<'_>,
    person: PersonSummary,
    allocation_role: String,
    facts: CaseloadFacts,
    now: DateTime<Utc>,
) -> CaseloadEntry {
    let mut work = Vec::new();
    let mut next_appointment = None;
    for a in facts.appointments {
        if a.ends_at < now {
            work.push(WorkItem {
                kind: "appointment_outcome",
                description: format!("record the outcome of the {}", a.appointment_type),
                due_by: a.ends_at,
                reference_id: Some(a.id),
            });
        } else if a.starts_at >= now && next_appointment.is_none() {
            next_appointment = Some(a);
        }
    }
    work.extend(facts.enforcement.into_iter().map(|step| WorkItem {
        kind: "enforcement",
        description: format!("{} to be actioned", step.action),
        due_by: step.due_by,
        reference_id: Some(step.id),
    }));
    work.extend(facts.home_visits.into_iter().map(|visit| {
        WorkItem {
            kind: "home_visit",
            description: if visit.announced {
                "announced home visit"
            } else {
                "unannounced home visit"
            }
            .to_owned(),
            due_by: visit.window_end,
            reference_id: Some(visit.id),
        }
    }));
    let contacts: Vec<CompletedContact> = facts
        .contacts
        .for_assessment()
        .map(|c| CompletedContact {
            occurred_at: c.at,
            contact_type: c.contact_type,
        })
        .collect();
    work.extend(standard_items(
        rules,
        &person,
        facts.standards_since,
        &contacts,
        now,
    ));
    let (mut overdue, mut due): (Vec<WorkItem>, Vec<WorkItem>) =
        work.into_iter().partition(|item| item.due_by < now);
    overdue.sort_by_key(|item| item.due_by);
    due.sort_by_key(|item| item.due_by);
    CaseloadEntry {
        person,
        allocation_role,
        next_appointment,
        last_contact: facts.contacts.last_completed(),
        due,
        overdue,
    }
}

/// Due and overdue contact-standard items of an adopted person.
fn standard_items(
    rules: CaseloadRules<'_>,
    person: &PersonSummary,
    since: Option<DateTime<Utc>>,
    contacts: &[CompletedContact],
    now: DateTime<Utc>,
) -> Vec<WorkItem> {
    let adopted = person.cohort_status.as_deref() == Some("adopted");
    let strand = person
        .strand
        .as_deref()
        .and_then(|s| s.parse::<Strand>().ok());
    let tier = person.tier.as_deref().and_then(|t| t.parse::<Tier>().ok());
    let (true, Some(strand), Some(tier), Some(since)) = (adopted, strand, tier, since) else {
        return Vec::new();
    };
    let member = MemberContext {
        strand,
        tier,
        since,
    };
    assess_contact_standards(
        rules.standards,
        &member,
        contacts,
        now,
        rules.time_zone,
        rules.calendar,
    )
    .into_iter()
    .map(|item| WorkItem {
        kind: "contact_standard",
        description: format!(
            "{} {} contact(s) ({})",
            item.outstanding,
            kind_words(item.kind),
            item.standard_code
        ),
        due_by: item.due_by,
        reference_id: None,
    })
    .collect()
}

fn kind_words(kind: StandardKind) -> &'static str {
    match kind {
        StandardKind::FaceToFace => "face-to-face",
        StandardKind::HomeVisit => "home visit",
        StandardKind::AnyContact => "any",
    }
}
