//! `GET /people/{id}`. Every read writes its audit event in the same transaction (the list is in `search.rs`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use vigil_persistence::ConnectionTrait;
use vigil_persistence::entities::person;
use vigil_persistence::repositories::{allocations, custody, person_details};

use super::access::{Visibility, load_visible};
use super::views::{PartnerPersonView, PersonView};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::path_id;
use crate::policy::{Permission, require};
use crate::state::AppState;

/// One person as the caller may see them.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum PersonRead {
    Full(Box<PersonView>),
    Partner(Box<PartnerPersonView>),
}

/// Builds the full record: the person row plus addresses, markers, allocations and custody.
pub async fn full_view(
    db: &impl ConnectionTrait,
    person: person::Model,
) -> Result<PersonView, ApiError> {
    let addresses = person_details::addresses(db, person.id).await?;
    let markers = person_details::active_risk_markers(db, person.id).await?;
    let allocations = allocations::for_person(db, person.id).await?;
    let custody = custody::for_person(db, person.id).await?;
    let current_address = addresses.iter().find(|a| a.to_date.is_none()).cloned();
    Ok(PersonView {
        id: person.id,
        given_name: person.given_name,
        family_name: person.family_name,
        date_of_birth: person.date_of_birth,
        pnc_id: person.pnc_id,
        crn: person.crn,
        mobile: person.mobile,
        email: person.email,
        language: person.language,
        sms_consent: person.sms_consent,
        email_consent: person.email_consent,
        sms_opted_out: person.sms_opted_out_at.is_some(),
        tier: person.tier,
        rosh: person.rosh,
        mappa_level: person.mappa_level,
        photo_ref: person.photo_ref,
        wanted: person.wanted,
        status: person.cohort_status,
        strand: person.strand,
        address: current_address.map(Into::into),
        address_history: addresses.into_iter().map(Into::into).collect(),
        risk_markers: markers.into_iter().map(Into::into).collect(),
        allocations: allocations.into_iter().map(Into::into).collect(),
        custody: custody.into_iter().map(Into::into).collect(),
        version: person.version,
        created_at: person.created_at,
        updated_at: person.updated_at,
    })
}

/// The view the caller is entitled to.
pub async fn view_for(
    db: &impl ConnectionTrait,
    person: person::Model,
    visibility: Visibility,
) -> Result<PersonRead, ApiError> {
    Ok(match visibility {
        Visibility::Full => PersonRead::Full(Box::new(full_view(db, person).await?)),
        Visibility::Partner => {
            let address = person_details::addresses(db, person.id)
                .await?
                .into_iter()
                .find(|a| a.to_date.is_none());
            let mut view = PartnerPersonView::from(person);
            view.address = address.map(Into::into);
            PersonRead::Partner(Box::new(view))
        }
    })
}

/// The answer with an `ETag` carrying the version, for `If-Match` on the next update.
pub fn with_etag(read: PersonRead, version: i32) -> Response {
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(&format!("\"{version}\"")) {
        headers.insert(header::ETAG, value);
    }
    (headers, Json(read)).into_response()
}

#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "people", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Person id")),
    responses(
        (status = 200, description = "The person, as the caller may see them", body = PersonRead),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown, or not visible to this caller", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_person(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    require(&caller, Permission::ReadPeople)?;
    let id = path_id(&id)?;
    // A partner is checked before the transaction, so that a refused look is audited on its own
    // connection rather than waiting on this request's write lock (SQLite).
    if Visibility::of(&caller) == Visibility::Partner {
        load_visible(&state, state.db.connection(), &caller, id).await?;
    }
    let txn = state.db.begin().await?;
    let (person, visibility) = load_visible(&state, &txn, &caller, id).await?;
    let version = person.version;
    let read = view_for(&txn, person, visibility).await?;
    vigil_persistence::repositories::audit::append(
        &txn,
        caller.audit(visibility.read_action(), "person", Some(id)),
        state.clock.now(),
    )
    .await?;
    txn.commit().await?;
    Ok(with_etag(read, version))
}
