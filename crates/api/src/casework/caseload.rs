//! The caseload worklist: each person allocated to an officer, with strand, tier, next appointment, last
//! completed contact, and what is due and overdue — contact standards (kept as data), appointments past
//! their end without an outcome, enforcement deadlines and planned home visits. One read for the whole
//! caseload (on PostgreSQL the same statement records the consultation), never one per person. People
//! with overdue items come first.

use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use vigil_domain::{AuditAction, Strand, Tier};
use vigil_persistence::caseload::{self, CaseloadRules, WorklistRequest, consult};
use vigil_persistence::repositories::staff;

use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiQuery, path_id};
// The worklist's instants are written by `instant`: a worklist carries a couple of hundred of them.
use crate::instant;
use crate::people::views::PersonSummary;
use crate::policy::{Permission, require};
use crate::sized_json::SizedJson;
use crate::state::AppState;
use crate::validation::Validator;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkItem {
    /// contact_standard | appointment_outcome | enforcement | home_visit
    pub kind: &'static str,
    pub description: String,
    #[serde(serialize_with = "instant::rfc3339")]
    pub due_by: DateTime<Utc>,
    /// The record it is about (appointment, enforcement action or visit), if any.
    pub reference_id: Option<Uuid>,
}

impl From<caseload::WorkItem> for WorkItem {
    fn from(item: caseload::WorkItem) -> Self {
        Self {
            kind: item.kind,
            description: item.description,
            due_by: item.due_by,
            reference_id: item.reference_id,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NextAppointment {
    pub id: Uuid,
    #[serde(rename = "type")]
    pub appointment_type: String,
    #[serde(serialize_with = "instant::rfc3339")]
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
    #[serde(serialize_with = "instant::rfc3339_option")]
    pub last_contact: Option<DateTime<Utc>>,
    pub due: Vec<WorkItem>,
    pub overdue: Vec<WorkItem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Caseload {
    pub staff_id: Uuid,
    #[serde(serialize_with = "instant::rfc3339")]
    pub generated_at: DateTime<Utc>,
    pub items: Vec<CaseloadItem>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CaseloadQuery {
    /// Only people on this strand: prevent_deter | catch_convict | rehabilitate_resettle.
    pub strand: Option<String>,
    /// Only people on this tier: A to G.
    pub tier: Option<String>,
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
) -> Result<SizedJson<Caseload>, ApiError> {
    require(&caller, Permission::ReadOwnCaseload)?;
    let staff_id = caller.id;
    caseload(&state, &caller, staff_id, query).await.map(sized)
}

#[utoipa::path(get, path = "/api/v1/staff/{id}/caseload", tag = "casework", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Staff id"), CaseloadQuery),
    responses(
        (status = 200, description = "That officer's caseload, overdue first", body = Caseload),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, description = "No member of staff with this id", body = Problem),
        (status = 422, body = Problem),
    ))]
pub async fn staff_caseload(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<CaseloadQuery>,
) -> Result<SizedJson<Caseload>, ApiError> {
    require(&caller, Permission::ReadAnyCaseload)?;
    let staff_id = path_id(&id)?;
    if staff::find(state.db.connection(), staff_id)
        .await?
        .is_none()
    {
        return Err(ApiError::NotFound);
    }
    caseload(&state, &caller, staff_id, query).await.map(sized)
}

/// A worklist line is 600 to 1,000 bytes of JSON (a benchmark caseload of 40 averaged 780): room for
/// 1 kB a line, so that the answer is written without being copied as it grows.
fn sized(caseload: Caseload) -> SizedJson<Caseload> {
    const LINE: usize = 1024;
    const ENVELOPE: usize = 128;
    SizedJson {
        expected_len: ENVELOPE + LINE * caseload.items.len(),
        value: caseload,
    }
}

async fn caseload(
    state: &AppState,
    caller: &Caller,
    staff_id: Uuid,
    query: CaseloadQuery,
) -> Result<Caseload, ApiError> {
    let mut v = Validator::new();
    let strand = v.optional("strand", query.strand.as_deref(), str::parse::<Strand>);
    let tier = v.optional("tier", query.tier.as_deref(), str::parse::<Tier>);
    v.finish()?;
    let now = state.clock.now();
    let rules = CaseloadRules {
        standards: &state.rules.contact_standards,
        time_zone: state.time_zone,
        calendar: &state.calendar,
    };
    let request = WorklistRequest {
        staff_id,
        strand: strand.map(|s| s.as_str().to_owned()),
        tier: tier.map(|t| t.as_str().to_owned()),
        overdue_only: query.overdue_only == Some(true),
    };
    let template = caller.audit(AuditAction::Consult, "caseload", None);
    let entries = consult(state.db.connection(), &request, rules, template, now).await?;
    let items = entries
        .into_iter()
        .map(|entry| CaseloadItem {
            allocation_role: entry.allocation_role,
            strand: entry.person.strand.clone(),
            tier: entry.person.tier.clone(),
            next_appointment: entry.next_appointment.map(|a| NextAppointment {
                id: a.id,
                appointment_type: a.appointment_type,
                starts_at: a.starts_at,
            }),
            last_contact: entry.last_contact,
            person: entry.person.into(),
            due: entry.due.into_iter().map(Into::into).collect(),
            overdue: entry.overdue.into_iter().map(Into::into).collect(),
        })
        .collect();
    Ok(Caseload {
        staff_id,
        generated_at: now,
        items,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use axum::response::IntoResponse;
    use chrono::{NaiveDate, TimeZone};

    fn line(n: u32) -> CaseloadItem {
        let at = Utc.with_ymd_and_hms(2026, 10, 25, 1, 30, n).unwrap();
        let item = |kind| WorkItem {
            kind,
            description: format!("1 face-to-face contact(s) (cc_a_{n})"),
            due_by: at,
            reference_id: Some(Uuid::now_v7()),
        };
        CaseloadItem {
            person: PersonSummary {
                id: Uuid::now_v7(),
                given_name: "Siân".to_owned(),
                family_name: "O'Neil \"Nan\"".to_owned(),
                date_of_birth: NaiveDate::from_ymd_opt(1990, 1, 2).unwrap(),
                pnc_id: Some("12/1234567X".to_owned()),
                crn: None,
                status: Some("adopted".to_owned()),
                strand: Some("catch_convict".to_owned()),
                tier: Some("A".to_owned()),
                rosh: None,
            },
            allocation_role: "offender_manager".to_owned(),
            strand: Some("catch_convict".to_owned()),
            tier: Some("A".to_owned()),
            next_appointment: n.is_multiple_of(2).then(|| NextAppointment {
                id: Uuid::now_v7(),
                appointment_type: "office_visit".to_owned(),
                starts_at: at,
            }),
            last_contact: n.is_multiple_of(3).then_some(at),
            due: vec![item("contact_standard")],
            overdue: vec![item("home_visit"), item("enforcement")],
        }
    }

    #[tokio::test]
    async fn the_answer_is_the_json_serde_json_writes_and_fits_its_buffer() {
        let caseload = Caseload {
            staff_id: Uuid::now_v7(),
            generated_at: Utc::now(),
            items: (0..40).map(line).collect(),
        };
        let expected = serde_json::to_vec(&caseload).unwrap();
        let answer = sized(caseload);
        assert!(
            answer.expected_len >= expected.len(),
            "{} < {}",
            answer.expected_len,
            expected.len()
        );
        let body = axum::body::to_bytes(answer.into_response().into_body(), usize::MAX)
            .await
            .unwrap();
        assert_eq!(body, expected);
    }
}
