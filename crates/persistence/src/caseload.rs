//! Assembling an officer's caseload: each allocated person with their next appointment, last completed
//! contact, and what is due and overdue — contact standards (kept as data, assessed by the domain),
//! appointments past their end without an outcome, enforcement deadlines and planned home visits.
//! A fixed handful of queries for the whole caseload, never one per person. Shared by the API's worklist
//! and the scheduler's morning digest.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use sea_orm::ConnectionTrait;
use uuid::Uuid;
use vigil_domain::{
    CompletedContact, ContactStandard, ContactType, MemberContext, StandardKind, Strand, Tier,
    WorkingCalendar, assess_contact_standards,
};

use crate::entities::{appointment, person};
use crate::error::PersistenceError;
use crate::repositories::{
    allocations, appointments, contacts, custody, enforcement, home_visits, memberships, people,
};

/// How far back contacts are read to assess the standards: two of the longest period (3 months).
const CONTACT_LOOKBACK_DAYS: i64 = 190;

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
    pub kind: String,
    pub description: String,
    pub due_by: DateTime<Utc>,
    /// The record it is about (appointment, enforcement action or visit), if any.
    pub reference_id: Option<Uuid>,
}

#[derive(Debug, Clone)]
pub struct CaseloadEntry {
    pub person: person::Model,
    pub allocation_role: String,
    pub next_appointment: Option<appointment::Model>,
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
    let allocated = allocations::active_for_staff(db, staff_id).await?;
    let ids: Vec<Uuid> = allocated.iter().map(|a| a.person_id).collect();
    let persons = people::find_many(db, &ids).await?;
    let booked = appointments::booked_for_people(db, &ids).await?;
    let recent =
        contacts::completed_for_people_since(db, &ids, now - Duration::days(CONTACT_LOOKBACK_DAYS))
            .await?;
    // The recent contacts (oldest first) give most people's latest; only people with none in the window
    // need their older history searched.
    let mut last_contact: HashMap<Uuid, DateTime<Utc>> = recent
        .iter()
        .map(|(person_id, occurred_at, _)| (*person_id, *occurred_at))
        .collect();
    let without_recent: Vec<Uuid> = ids
        .iter()
        .filter(|id| !last_contact.contains_key(id))
        .copied()
        .collect();
    last_contact.extend(contacts::last_completed_for_people(db, &without_recent).await?);
    let since = standards_start(db, &ids).await?;
    let steps = enforcement::pending_for_people(db, &ids).await?;
    let visits = home_visits::planned_for_people(db, &ids).await?;
    let role_of: HashMap<Uuid, String> = allocated
        .into_iter()
        .map(|a| (a.person_id, a.role))
        .collect();

    let mut items_by_person: HashMap<Uuid, Vec<WorkItem>> = HashMap::new();
    let mut next_by_person: HashMap<Uuid, appointment::Model> = HashMap::new();
    for a in booked {
        if a.ends_at < now {
            items_by_person
                .entry(a.person_id)
                .or_default()
                .push(WorkItem {
                    kind: "appointment_outcome".to_owned(),
                    description: format!("record the outcome of the {}", a.appointment_type),
                    due_by: a.ends_at,
                    reference_id: Some(a.id),
                });
        } else if a.starts_at >= now {
            next_by_person.entry(a.person_id).or_insert(a);
        }
    }
    for step in steps {
        items_by_person
            .entry(step.person_id)
            .or_default()
            .push(WorkItem {
                kind: "enforcement".to_owned(),
                description: format!("{} to be actioned", step.action),
                due_by: step.due_by,
                reference_id: Some(step.id),
            });
    }
    for visit in visits {
        items_by_person
            .entry(visit.person_id)
            .or_default()
            .push(WorkItem {
                kind: "home_visit".to_owned(),
                description: if visit.announced {
                    "announced home visit"
                } else {
                    "unannounced home visit"
                }
                .to_owned(),
                due_by: visit.window_end,
                reference_id: Some(visit.id),
            });
    }
    let mut contacts_by_person: HashMap<Uuid, Vec<CompletedContact>> = HashMap::new();
    for (person_id, occurred_at, contact_type) in recent {
        if let Ok(contact_type) = contact_type.parse::<ContactType>() {
            contacts_by_person
                .entry(person_id)
                .or_default()
                .push(CompletedContact {
                    occurred_at,
                    contact_type,
                });
        }
    }

    let mut entries: Vec<CaseloadEntry> = persons
        .into_iter()
        .map(|person| {
            let mut work = items_by_person.remove(&person.id).unwrap_or_default();
            let contacts = contacts_by_person
                .get(&person.id)
                .map(Vec::as_slice)
                .unwrap_or_default();
            work.extend(standard_items(
                rules,
                &person,
                since.get(&person.id).copied(),
                contacts,
                now,
            ));
            let (mut overdue, mut due): (Vec<WorkItem>, Vec<WorkItem>) =
                work.into_iter().partition(|item| item.due_by < now);
            overdue.sort_by_key(|item| item.due_by);
            due.sort_by_key(|item| item.due_by);
            CaseloadEntry {
                allocation_role: role_of.get(&person.id).cloned().unwrap_or_default(),
                next_appointment: next_by_person.remove(&person.id),
                last_contact: last_contact.get(&person.id).copied(),
                person,
                due,
                overdue,
            }
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

/// When each person's contact standards run from: adoption or the latest release from custody,
/// whichever is later.
async fn standards_start(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, DateTime<Utc>>, PersistenceError> {
    let mut since: HashMap<Uuid, DateTime<Utc>> = HashMap::new();
    for adoption in memberships::adoptions_for_people(db, ids).await? {
        since.insert(adoption.person_id, adoption.occurred_at);
    }
    for period in custody::for_people(db, ids).await? {
        if let Some(released) = period.released_at {
            let entry = since.entry(period.person_id).or_insert(released);
            *entry = (*entry).max(released);
        }
    }
    Ok(since)
}

/// Due and overdue contact-standard items of an adopted person.
fn standard_items(
    rules: CaseloadRules<'_>,
    person: &person::Model,
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
        kind: "contact_standard".to_owned(),
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
