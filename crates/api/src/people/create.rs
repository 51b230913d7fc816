//! `POST /people`: collects a person, with every field validated at the edge.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::ToSchema;
use vigil_domain::{AuditAction, Postcode};
use vigil_persistence::repositories::people::NewPerson;
use vigil_persistence::repositories::{audit, people, person_details};

use super::fields;
use super::read::{PersonRead, full_view, with_etag};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::ApiJson;
use crate::policy::{Permission, require};
use crate::state::AppState;
use crate::validation::{Validator, parse_date};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressInput {
    pub line1: String,
    pub line2: Option<String>,
    pub town: String,
    pub postcode: Option<String>,
    /// Since when (YYYY-MM-DD); defaults to today.
    pub from_date: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPersonRequest {
    pub given_name: String,
    pub family_name: String,
    /// YYYY-MM-DD
    pub date_of_birth: String,
    /// Police National Computer id, long (`2001/0012345Z`) or short (`01/12345Z`) form.
    pub pnc_id: Option<String>,
    /// Case reference number: one letter and six digits.
    pub crn: Option<String>,
    /// UK mobile number; stored as E.164.
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub address: Option<AddressInput>,
    /// `en` (default) or `cy`.
    pub language: Option<String>,
    #[serde(default)]
    pub sms_consent: bool,
    #[serde(default)]
    pub email_consent: bool,
    /// Management tier A (highest) to G.
    pub tier: Option<String>,
    /// Risk of serious harm: low, medium, high, very_high.
    pub rosh: Option<String>,
    /// MAPPA level 1 to 3.
    pub mappa_level: Option<String>,
}

/// A validated address, ready to store.
pub fn parse_address(
    v: &mut Validator,
    input: &AddressInput,
    today: chrono::NaiveDate,
) -> Option<person_details::NewAddress> {
    let line1 = input.line1.trim();
    let town = input.town.trim();
    if line1.is_empty() {
        v.add("address.line1", "must not be empty");
    }
    if town.is_empty() {
        v.add("address.town", "must not be empty");
    }
    // Blank is no postcode; anything else must be one (and is stored in its standard form).
    let postcode = match input.postcode.as_deref().map(str::trim) {
        Some(raw) if !raw.is_empty() => v.check("address.postcode", Postcode::parse(raw)).map(Some),
        _ => Some(None),
    };
    let from_date = match &input.from_date {
        Some(raw) => v.check("address.from_date", parse_date(raw)),
        None => Some(today),
    };
    let (Some(postcode), Some(from_date)) = (postcode, from_date) else {
        return None;
    };
    (!line1.is_empty() && !town.is_empty()).then(|| person_details::NewAddress {
        line1: line1.to_owned(),
        line2: input
            .line2
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        town: town.to_owned(),
        postcode: postcode.map(String::from),
        from_date,
    })
}

#[utoipa::path(post, path = "/api/v1/people", tag = "people", security(("bearer" = [])),
    request_body = NewPersonRequest,
    responses(
        (status = 201, description = "Created", body = PersonRead),
        (status = 400, body = Problem, content_type = "application/problem+json"), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "PNC ID or CRN already on record", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_person(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<NewPersonRequest>,
) -> Result<Response, ApiError> {
    require(&caller, Permission::CreatePerson)?;
    let now = state.clock.now();
    let today = vigil_domain::local_date(now, state.time_zone);
    let mut v = Validator::new();
    let given_name = fields::name(&mut v, "given_name", &request.given_name);
    let family_name = fields::name(&mut v, "family_name", &request.family_name);
    let date_of_birth = v.check("date_of_birth", parse_date(&request.date_of_birth));
    if date_of_birth.is_some_and(|dob| dob >= today) {
        v.add("date_of_birth", "must be in the past");
    }
    let new = NewPerson {
        given_name: given_name.unwrap_or_default(),
        family_name: family_name.unwrap_or_default(),
        date_of_birth: date_of_birth.unwrap_or_default(),
        pnc_id: request
            .pnc_id
            .as_deref()
            .and_then(|raw| fields::pnc_id(&mut v, raw)),
        crn: request
            .crn
            .as_deref()
            .and_then(|raw| fields::crn(&mut v, raw)),
        mobile: request
            .mobile
            .as_deref()
            .and_then(|raw| fields::mobile(&mut v, raw)),
        email: request
            .email
            .as_deref()
            .and_then(|raw| fields::email(&mut v, raw)),
        language: fields::language(&mut v, request.language.as_deref().unwrap_or("en"))
            .unwrap_or_default(),
        sms_consent: request.sms_consent,
        email_consent: request.email_consent,
        tier: request
            .tier
            .as_deref()
            .and_then(|raw| fields::tier(&mut v, raw)),
        rosh: request
            .rosh
            .as_deref()
            .and_then(|raw| fields::rosh(&mut v, raw)),
        mappa_level: request
            .mappa_level
            .as_deref()
            .and_then(|raw| fields::mappa_level(&mut v, raw)),
    };
    if new.sms_consent && new.mobile.is_none() && request.mobile.is_none() {
        v.add("sms_consent", "needs a mobile number");
    }
    if new.email_consent && new.email.is_none() && request.email.is_none() {
        v.add("email_consent", "needs an email address");
    }
    let address = request
        .address
        .as_ref()
        .and_then(|input| parse_address(&mut v, input, today));
    v.finish()?;

    let txn = state.db.begin().await?;
    let person = people::create(&txn, new, now).await?;
    if let Some(address) = address {
        person_details::move_to_address(&txn, person.id, address).await?;
    }
    audit::append(
        &txn,
        caller.audit(AuditAction::Collect, "person", Some(person.id)),
        now,
    )
    .await?;
    let version = person.version;
    let view = full_view(&txn, person).await?;
    txn.commit().await?;
    let mut response = with_etag(PersonRead::Full(Box::new(view)), version);
    *response.status_mut() = StatusCode::CREATED;
    Ok(response.into_response())
}
