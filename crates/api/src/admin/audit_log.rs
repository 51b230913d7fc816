//! `GET /audit`: the audit log for administrators. Append-only: there is no way to change it here.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use vigil_domain::AuditAction;
use vigil_persistence::entities::audit_event;
use vigil_persistence::repositories::PageRequest;
use vigil_persistence::repositories::audit::{self, AuditFilter};

use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::ApiQuery;
use crate::policy::{Permission, require};
use crate::state::AppState;
use crate::validation::{Validator, parse_instant};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    pub person_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    /// collect | alter | consult | disclose | combine | erase
    pub action: Option<String>,
    /// RFC 3339; inclusive.
    pub from: Option<String>,
    /// RFC 3339; exclusive.
    pub to: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventView {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor_role: Option<String>,
    pub action: String,
    pub person_id: Option<Uuid>,
    pub entity: String,
    pub entity_id: Option<Uuid>,
    pub purpose: String,
    pub request_id: Option<String>,
    pub detail: Option<serde_json::Value>,
    /// For a list read (a search, a worklist, a list of referrals or visits): every person it showed,
    /// each once; `person_id` is then empty. Empty for any other event.
    pub people: Vec<Uuid>,
}

impl From<audit_event::Model> for AuditEventView {
    fn from(e: audit_event::Model) -> Self {
        Self {
            id: e.id,
            occurred_at: e.occurred_at,
            actor_id: e.actor_id,
            actor_role: e.actor_role,
            action: e.action,
            person_id: e.person_id,
            entity: e.entity,
            entity_id: e.entity_id,
            purpose: e.purpose,
            request_id: e.request_id,
            detail: e.detail,
            people: listed_people(e.people),
        }
    }
}

/// The stored `people` column: a JSON array of ids, written only by Vigil.
fn listed_people(stored: Option<serde_json::Value>) -> Vec<Uuid> {
    stored
        .and_then(|people| serde_json::from_value(people).ok())
        .unwrap_or_default()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEventView>,
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "administration", security(("bearer" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "Matching events, newest first", body = AuditPage),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_audit_events(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    require(&caller, Permission::ReadAudit)?;
    let mut v = Validator::new();
    let action = v.optional("action", query.action.as_deref(), str::parse::<AuditAction>);
    let from = v.optional("from", query.from.as_deref(), parse_instant);
    let to = v.optional("to", query.to.as_deref(), parse_instant);
    v.finish()?;
    let filter = AuditFilter {
        person_id: query.person_id,
        actor_id: query.actor_id,
        action: action.map(|a| a.as_str().to_owned()),
        from,
        to,
    };
    let page = audit::query(
        state.db.connection(),
        &filter,
        PageRequest::new(query.page, query.per_page),
    )
    .await?;
    Ok(Json(AuditPage {
        items: page.items.into_iter().map(Into::into).collect(),
        page: page.page,
        per_page: page.per_page,
        total: page.total,
    }))
}
