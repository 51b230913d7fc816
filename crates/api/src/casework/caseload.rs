//! The caseload worklist: each person allocated to an officer, with strand, tier, next appointment, last
//! completed contact, and what is due and overdue — contact standards (kept as data), appointments past
//! their end without an outcome, enforcement deadlines and planned home visits. A fixed handful of
//! queries for the whole caseload, never one per person. People with overdue items come first.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use vigil_domain::{
    AuditAction, CompletedContact, ContactType, MemberContext, Strand, Tier,
    assess_contact_standards,
};
use vigil_persistence::TransactionTrait;
use vigil_persistence::entities::{appointment, person};
use vigil_persistence::repositories::{
    allocations, appointments, audit, contacts, custody, enforcement, home_visits, memberships,
    people,
};

use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiQuery, path_id};
use crate::people::views::PersonSummary;
use crate::policy::{Permission, require};
use crate::state::AppState;
use crate::validation::Validator;

/// How far back contacts are read to assess the standards: two of the longest period (3 months).
const CONTACT_LOOKBACK_DAYS: i64 = 190;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkItem {
    /// contact_standard | appointment_outcome | enforcement | home_visit
    pub kind: String,
    pub description: String,
    pub due_by: DateTime<Utc>,
    /// The record it is about (appointment, enforcement action or visit), if any.
    pub reference_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NextAppointment {
    pub id: Uuid,
    #[serde(rename = "type")]
    pub appointment_type: String,
    pub starts_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseloadItem {
    pub person: PersonSummary,
    /// The allocation role: offender_manager, police_spoc or support_officer.
    pub allocation_role: String,
    pub strand: Option<String>,
    pub tier: Option<String>,
    pub next_appointment: Option<NextAppointment>,
    pub last_contact: Option<DateTime<Utc>>,
    pub due: Vec<WorkItem>,
    pub overdue: Vec<WorkItem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Caseload {
    pub staff_id: Uuid,
    pub generated_at: DateTime<Utc>,
    pub items: Vec<CaseloadItem>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CaseloadQuery {
    pub strand: Option<String>,
    /// Only people with something overdue.
    pub overdue_only: Option<bool>,
}

#[utoipa::path(get, path = "/api/v1/caseload", tag = "casework", security(("bearer" = [])),
    params(CaseloadQuery),
    responses(
        (status = 200, description = "The caller's caseload, overdue first", body = Caseload),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem),
    ))]
pub async fn own_caseload(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<CaseloadQuery>,
) -> Result<Json<Caseload>, ApiError> {
    require(&caller, Permission::ReadOwnCaseload)?;
    let staff_id = caller.id;
    caseload(&state, &caller, staff_id, query).await.map(Json)
}

#[utoipa::path(get, path = "/api/v1/staff/{id}/caseload", tag = "casework", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Staff id"), CaseloadQuery),
    responses(
        (status = 200, description = "That officer's caseload, overdue first", body = Caseload),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem),
    ))]
pub async fn staff_caseload(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<CaseloadQuery>,
) -> Result<Json<Caseload>, ApiError> {
    require(&caller, Permission::ReadAnyCaseload)?;
    let staff_id = path_id(&id)?;
    caseload(&state, &caller, staff_id, query).await.map(Json)
}

async fn caseload(
    state: &AppState,
    caller: &Caller,
    staff_id: Uuid,
    query: CaseloadQuery,
) -> Result<Caseload, ApiError> {
    let mut v = Validator::new();
    let strand = v.optional("strand", query.strand.as_deref(), str::parse::<Strand>);
    v.finish()?;
    let now = state.clock.now();
    let txn = state.db.connection().begin().await?;
    let allocated = allocations::active_for_staff(&txn, staff_id).await?;
    let ids: Vec<Uuid> = allocated.iter().map(|a| a.person_id).collect();
    let persons = people::find_many(&txn, &ids).await?;
    let booked = appointments::booked_for_people(&txn, &ids).await?;
    let recent = contacts::completed_for_people_since(
        &txn,
        &ids,
        now - Duration::days(CONTACT_LOOKBACK_DAYS),
    )
    .await?;
    let last = contacts::last_completed_for_people(&txn, &ids).await?;
    let adoptions = memberships::adoptions_for_people(&txn, &ids).await?;
    let custody_periods = custody::for_people(&txn, &ids).await?;
    let steps = enforcement::pending_for_people(&txn, &ids).await?;
    let visits = home_visits::planned_for_people(&txn, &ids).await?;

    let role_of: HashMap<Uuid, String> = allocated
        .into_iter()
        .map(|a| (a.person_id, a.role))
        .collect();
    let last_contact: HashMap<Uuid, DateTime<Utc>> = last.into_iter().collect();
    // The standards run from adoption or the latest release from custody, whichever is later.
    let mut since: HashMap<Uuid, DateTime<Utc>> = HashMap::new();
    for adoption in adoptions {
        since.insert(adoption.person_id, adoption.occurred_at);
    }
    for period in custody_periods {
        if let Some(released) = period.released_at {
            let entry = since.entry(period.person_id).or_insert(released);
            *entry = (*entry).max(released);
        }
    }
    let mut items_by_person: HashMap<Uuid, Vec<WorkItem>> = HashMap::new();
    let mut next_by_person: HashMap<Uuid, &appointment::Model> = HashMap::new();
    for a in &booked {
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
    for c in recent {
        if let Ok(contact_type) = c.contact_type.parse::<ContactType>() {
            contacts_by_person
                .entry(c.person_id)
                .or_default()
                .push(CompletedContact {
                    occurred_at: c.occurred_at,
                    contact_type,
                });
        }
    }

    let mut items = Vec::new();
    let mut audit_entries = Vec::new();
    for person in persons {
        if strand.is_some_and(|s| person.strand.as_deref() != Some(s.as_str())) {
            continue;
        }
        let mut work = items_by_person.remove(&person.id).unwrap_or_default();
        work.extend(standard_items(
            state,
            &person,
            since.get(&person.id).copied(),
            &contacts_by_person,
            now,
        ));
        let (mut overdue, mut due): (Vec<WorkItem>, Vec<WorkItem>) =
            work.into_iter().partition(|item| item.due_by < now);
        if query.overdue_only == Some(true) && overdue.is_empty() {
            continue;
        }
        overdue.sort_by_key(|item| item.due_by);
        due.sort_by_key(|item| item.due_by);
        audit_entries.push(caller.audit(AuditAction::Consult, "caseload", Some(person.id)));
        items.push(CaseloadItem {
            allocation_role: role_of.get(&person.id).cloned().unwrap_or_default(),
            strand: person.strand.clone(),
            tier: person.tier.clone(),
            next_appointment: next_by_person.get(&person.id).map(|a| NextAppointment {
                id: a.id,
                appointment_type: a.appointment_type.clone(),
                starts_at: a.starts_at,
            }),
            last_contact: last_contact.get(&person.id).copied(),
            person: person.into(),
            due,
            overdue,
        });
    }
    // Overdue first (the most overdue at the top), then by the next thing due, then by name.
    items.sort_by(|a, b| {
        let key = |item: &CaseloadItem| {
            (
                item.overdue.is_empty(),
                item.overdue.first().or(item.due.first()).map(|w| w.due_by),
                item.person.family_name.clone(),
            )
        };
        let (a_key, b_key) = (key(a), key(b));
        a_key
            .0
            .cmp(&b_key.0)
            .then_with(|| match (a_key.1, b_key.1) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            })
            .then_with(|| a_key.2.cmp(&b_key.2))
    });
    audit::append_many(&txn, audit_entries, now).await?;
    txn.commit().await?;
    Ok(Caseload {
        staff_id,
        generated_at: now,
        items,
    })
}

/// Due and overdue contact-standard items of an adopted person.
fn standard_items(
    state: &AppState,
    person: &person::Model,
    since: Option<DateTime<Utc>>,
    contacts_by_person: &HashMap<Uuid, Vec<CompletedContact>>,
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
    let contacts = contacts_by_person
        .get(&person.id)
        .map(Vec::as_slice)
        .unwrap_or_default();
    assess_contact_standards(
        &state.rules.contact_standards,
        &member,
        contacts,
        now,
        state.time_zone,
        &state.calendar,
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

fn kind_words(kind: vigil_domain::StandardKind) -> &'static str {
    match kind {
        vigil_domain::StandardKind::FaceToFace => "face-to-face",
        vigil_domain::StandardKind::HomeVisit => "home visit",
        vigil_domain::StandardKind::AnyContact => "any",
    }
}
