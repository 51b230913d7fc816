//! `GET /people/{id}/notifications` and `GET /notifications`: every message planned or sent, with its
//! status and, when suppressed, failed or withdrawn, the reason.

use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use vigil_domain::{AuditAction, NotificationChannel, NotificationStatus};
use vigil_persistence::entities::notification;
use vigil_persistence::repositories::notifications::{self, NotificationFilter};
use vigil_persistence::repositories::{PageRequest, audit};

use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiQuery, path_id};
use crate::people::access::load_visible;
use crate::policy::{Permission, require};
use crate::state::AppState;
use crate::validation::{Validator, parse_instant};

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: Uuid,
    pub person_id: Option<Uuid>,
    pub appointment_id: Option<Uuid>,
    /// sms | email
    pub channel: String,
    pub template: String,
    pub send_at: DateTime<Utc>,
    /// pending | sending | sent | delivered | failed | suppressed | unknown
    pub status: String,
    /// Why it was suppressed, failed or is `unknown`; on a message still `sending`, the change to its
    /// appointment that withdrew it (it is suppressed with this reason if it turns out not to have gone).
    pub reason: Option<String>,
    pub attempts: i32,
    pub updated_at: DateTime<Utc>,
}

impl From<notification::Model> for NotificationView {
    fn from(n: notification::Model) -> Self {
        Self {
            id: n.id,
            person_id: n.person_id,
            appointment_id: n.appointment_id,
            channel: n.channel,
            template: n.template,
            send_at: n.send_at,
            status: n.status,
            reason: n.reason,
            attempts: n.attempts,
            updated_at: n.updated_at,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/people/{id}/notifications", tag = "notifications", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Person id")),
    responses(
        (status = 200, description = "Every message planned or sent, newest first", body = [NotificationView]),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
    ))]
pub async fn for_person(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<NotificationView>>, ApiError> {
    require(&caller, Permission::ReadCasework)?;
    let person_id = path_id(&id)?;
    let txn = state.db.begin().await?;
    load_visible(&state, &txn, &caller, person_id).await?;
    let all = notifications::for_person(&txn, person_id).await?;
    audit::append(
        &txn,
        caller.audit(AuditAction::Consult, "notifications", Some(person_id)),
        state.clock.now(),
    )
    .await?;
    txn.commit().await?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct NotificationQuery {
    pub status: Option<String>,
    pub channel: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationPage {
    pub items: Vec<NotificationView>,
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
}

#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", security(("bearer" = [])),
    params(NotificationQuery),
    responses(
        (status = 200, description = "Messages by send time, newest first", body = NotificationPage),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem),
    ))]
pub async fn list_all(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<NotificationQuery>,
) -> Result<Json<NotificationPage>, ApiError> {
    require(&caller, Permission::ReadAllNotifications)?;
    let mut v = Validator::new();
    let status = v.optional(
        "status",
        query.status.as_deref(),
        str::parse::<NotificationStatus>,
    );
    let channel = v.optional(
        "channel",
        query.channel.as_deref(),
        str::parse::<NotificationChannel>,
    );
    let from = v.optional("from", query.from.as_deref(), parse_instant);
    let to = v.optional("to", query.to.as_deref(), parse_instant);
    v.finish()?;
    let filter = NotificationFilter {
        status: status.map(|s| s.as_str().to_owned()),
        channel: channel.map(|c| c.as_str().to_owned()),
        from,
        to,
    };
    let page = notifications::list(
        state.db.connection(),
        &filter,
        PageRequest::new(query.page, query.per_page),
    )
    .await?;
    Ok(Json(NotificationPage {
        items: page.items.into_iter().map(Into::into).collect(),
        page: page.page,
        per_page: page.per_page,
        total: page.total,
    }))
}
