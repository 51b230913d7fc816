//! Who may see which person. Cohort staff see everyone; a partner sees only people with a referral to its
//! own agency, and gets 404 (not 403) for anyone else, so it cannot even learn that a person exists.
//! A refused look is itself recorded in the audit log.

use serde_json::json;
use uuid::Uuid;
use vigil_domain::{AuditAction, StaffRole};
use vigil_persistence::ConnectionTrait;
use vigil_persistence::entities::person;
use vigil_persistence::repositories::{audit, people, referrals};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// The whole record.
    Full,
    /// The partner's narrowed view.
    Partner,
}

impl Visibility {
    pub fn of(caller: &Caller) -> Self {
        if caller.role == StaffRole::Partner {
            Visibility::Partner
        } else {
            Visibility::Full
        }
    }

    /// Reading a person is a consultation; a partner reading one is a disclosure to that agency.
    pub fn read_action(self) -> AuditAction {
        match self {
            Visibility::Full => AuditAction::Consult,
            Visibility::Partner => AuditAction::Disclose,
        }
    }
}

/// The person, if it exists and the caller may see it; otherwise 404 (with an audit trace for a partner).
pub async fn load_visible(
    state: &AppState,
    db: &impl ConnectionTrait,
    caller: &Caller,
    person_id: Uuid,
) -> Result<(person::Model, Visibility), ApiError> {
    let visibility = Visibility::of(caller);
    let found = people::find(db, person_id).await?;
    let allowed = match (&found, visibility, caller.agency_id) {
        (None, _, _) => false,
        (Some(_), Visibility::Full, _) => true,
        (Some(_), Visibility::Partner, Some(agency_id)) => {
            referrals::is_referred_to(db, person_id, agency_id).await?
        }
        (Some(_), Visibility::Partner, None) => false,
    };
    match found {
        Some(person) if allowed => Ok((person, visibility)),
        _ => {
            if visibility == Visibility::Partner {
                record_refusal(state, caller, person_id).await?;
            }
            Err(ApiError::NotFound)
        }
    }
}

/// Written outside the request's transaction, which is about to be abandoned.
async fn record_refusal(
    state: &AppState,
    caller: &Caller,
    person_id: Uuid,
) -> Result<(), ApiError> {
    let mut entry = caller.audit(AuditAction::Consult, "person", Some(person_id));
    entry.detail =
        Some(json!({"outcome": "refused", "reason": "no referral to the caller's agency"}));
    audit::append(state.db.connection(), entry, state.clock.now()).await?;
    Ok(())
}

/// The people a partner may see (those referred to its agency); `None` for cohort staff.
pub async fn partner_scope(
    db: &impl ConnectionTrait,
    caller: &Caller,
) -> Result<Option<Vec<Uuid>>, ApiError> {
    match (Visibility::of(caller), caller.agency_id) {
        (Visibility::Full, _) => Ok(None),
        (Visibility::Partner, Some(agency_id)) => {
            Ok(Some(referrals::people_referred_to(db, agency_id).await?))
        }
        (Visibility::Partner, None) => Ok(Some(Vec::new())),
    }
}
