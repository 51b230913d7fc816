//! The authenticated caller of a request: who (re-read from the database on every request, so that
//! deactivating a user or changing their role takes effect at once), why (the purpose) and under which
//! request id.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use uuid::Uuid;
use vigil_domain::{AuditAction, StaffRole};
use vigil_persistence::repositories::audit::AuditEntry;
use vigil_persistence::repositories::staff;

use crate::error::ApiError;
use crate::request_id::current_request_id;
use crate::state::AppState;

/// The header a client uses to state why it is processing personal data.
pub const PURPOSE_HEADER: &str = "x-vigil-purpose";

#[derive(Debug, Clone)]
pub struct Caller {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: StaffRole,
    pub agency_id: Option<Uuid>,
    pub purpose: String,
}

impl Caller {
    /// An audit entry for this caller; the request id is taken from the request in flight. What a partner
    /// is shown is disclosed to its agency: the event names that agency as the recipient (DPA 2018 s.62),
    /// as it stood at the time, whatever later happens to the user.
    pub fn audit(&self, action: AuditAction, entity: &str, person_id: Option<Uuid>) -> AuditEntry {
        let recipient = self
            .agency_id
            .filter(|_| action == AuditAction::Disclose && self.role == StaffRole::Partner);
        AuditEntry {
            actor_id: Some(self.id),
            actor_role: Some(self.role.as_str().to_owned()),
            action: action.as_str().to_owned(),
            person_id,
            entity: entity.to_owned(),
            entity_id: None,
            purpose: self.purpose.clone(),
            request_id: current_request_id(),
            detail: recipient.map(|agency| serde_json::json!({ "recipient_agency_id": agency })),
            people: Vec::new(),
        }
    }
}

/// Each role's usual purpose, used when a request states none.
pub fn default_purpose(role: StaffRole) -> &'static str {
    match role {
        StaffRole::Admin => "administration",
        StaffRole::Coordinator => "cohort_management",
        StaffRole::OffenderManager => "offender_management",
        StaffRole::Police => "policing",
        StaffRole::Partner => "partner_referral",
    }
}

fn parse_purpose(raw: &str) -> Result<String, ApiError> {
    let purpose = raw.trim();
    let valid = !purpose.is_empty()
        && purpose.len() <= 64
        && purpose
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ' '));
    if valid {
        Ok(purpose.to_owned())
    } else {
        Err(ApiError::field(
            PURPOSE_HEADER,
            "1 to 64 letters, digits, spaces, '-' or '_'",
        ))
    }
}

fn bearer_token(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer_token(parts).ok_or(ApiError::Unauthorized)?;
        let claims = state
            .tokens
            .verify_access_token(token, state.clock.now())
            .ok_or(ApiError::Unauthorized)?;
        let user = staff::find_active_caller(state.db.connection(), claims.sub)
            .await?
            .ok_or(ApiError::Unauthorized)?;
        let role: StaffRole = user
            .role
            .parse()
            .map_err(|_| ApiError::Internal(format!("user {} has an unknown role", user.id)))?;
        let purpose = match parts.headers.get(PURPOSE_HEADER) {
            Some(value) => parse_purpose(value.to_str().unwrap_or_default())?,
            None => default_purpose(role).to_owned(),
        };
        Ok(Caller {
            id: user.id,
            email: user.email,
            name: user.name,
            role,
            agency_id: user.agency_id,
            purpose,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::parse_purpose;

    #[test]
    fn purposes_are_short_and_plain() {
        assert_eq!(
            parse_purpose(" case review ").ok().as_deref(),
            Some("case review")
        );
        assert!(parse_purpose("").is_err());
        assert!(parse_purpose("drop table;").is_err());
        assert!(parse_purpose(&"x".repeat(65)).is_err());
    }
}
