//! `PATCH /people/{id}`: a partial update under optimistic locking. The version comes from `If-Match`
//! (the `ETag` of the last read) or a `version` field; a stale one answers 409 and changes nothing.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use sea_orm::Set;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use vigil_domain::AuditAction;
use vigil_persistence::repositories::{audit, people, person_details};

use super::create::{AddressInput, parse_address};
use super::fields;
use super::read::{PersonRead, full_view, with_etag};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, path_id};
use crate::policy::{Permission, require};
use crate::state::AppState;
use crate::validation::{Validator, nullable, parse_date};

/// Every field is optional: absent means unchanged; `null` clears an optional field.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonPatch {
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub date_of_birth: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub pnc_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub crn: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub mobile: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    pub language: Option<String>,
    pub sms_consent: Option<bool>,
    pub email_consent: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub tier: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub rosh: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub mappa_level: Option<Option<String>>,
    pub wanted: Option<bool>,
    /// A move to a new address: the previous one is closed and kept in the history.
    pub address: Option<AddressInput>,
    /// The version being updated, when not sent as `If-Match`.
    pub version: Option<i32>,
}

fn expected_version(headers: &HeaderMap, body: Option<i32>) -> Result<Option<i32>, ApiError> {
    match headers.get(axum::http::header::IF_MATCH) {
        // `*` matches any current version (RFC 9110).
        Some(value) if value.as_bytes() == b"*" => Ok(body),
        Some(value) => value
            .to_str()
            .ok()
            .map(|raw| raw.trim().trim_start_matches("W/").trim_matches('"'))
            .and_then(|raw| raw.parse().ok())
            .map(Some)
            .ok_or_else(|| {
                ApiError::field("If-Match", "must be the ETag of the person, e.g. \"3\"")
            }),
        None => Ok(body),
    }
}

/// An optional field: `None` unchanged, `Some(None)` cleared, `Some(Some(raw))` parsed.
fn optional_field(
    v: &mut Validator,
    input: Option<Option<String>>,
    parse: impl FnOnce(&mut Validator, &str) -> Option<String>,
) -> Option<Option<String>> {
    match input {
        None => None,
        Some(None) => Some(None),
        Some(Some(raw)) => parse(v, &raw).map(Some),
    }
}

#[utoipa::path(patch, path = "/api/v1/people/{id}", tag = "people", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Person id"),
           ("If-Match" = Option<String>, Header, description = "The ETag (version) being updated")),
    request_body = PersonPatch,
    responses(
        (status = 200, description = "Updated", body = PersonRead),
        (status = 400, body = Problem, content_type = "application/problem+json"), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Stale version, or a duplicate PNC ID / CRN", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_person(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(patch): ApiJson<PersonPatch>,
) -> Result<Response, ApiError> {
    require(&caller, Permission::UpdatePerson)?;
    let id = path_id(&id)?;
    let version = expected_version(&headers, patch.version)?;
    let now = state.clock.now();
    let today = vigil_domain::local_date(now, state.time_zone);
    let mut v = Validator::new();
    let given_name = patch
        .given_name
        .as_deref()
        .and_then(|raw| fields::name(&mut v, "given_name", raw));
    let family_name = patch
        .family_name
        .as_deref()
        .and_then(|raw| fields::name(&mut v, "family_name", raw));
    let date_of_birth = v.optional("date_of_birth", patch.date_of_birth.as_deref(), parse_date);
    if date_of_birth.is_some_and(|dob| dob >= today) {
        v.add("date_of_birth", "must be in the past");
    }
    let pnc_id = optional_field(&mut v, patch.pnc_id, fields::pnc_id);
    let crn = optional_field(&mut v, patch.crn, fields::crn);
    let mobile = optional_field(&mut v, patch.mobile, fields::mobile);
    let email = optional_field(&mut v, patch.email, fields::email);
    let tier = optional_field(&mut v, patch.tier, fields::tier);
    let rosh = optional_field(&mut v, patch.rosh, fields::rosh);
    let mappa_level = optional_field(&mut v, patch.mappa_level, fields::mappa_level);
    let language = patch
        .language
        .as_deref()
        .and_then(|raw| fields::language(&mut v, raw));
    let address = patch
        .address
        .as_ref()
        .and_then(|input| parse_address(&mut v, input, today));
    v.finish()?;

    let txn = state.db.begin().await?;
    // Consent needs a channel, as on create: judged on the record as it will be after the change.
    let current = people::find(&txn, id).await?.ok_or(ApiError::NotFound)?;
    let mut v = Validator::new();
    let mobile_after = mobile.clone().unwrap_or(current.mobile);
    let email_after = email.clone().unwrap_or(current.email);
    if patch.sms_consent.unwrap_or(current.sms_consent) && mobile_after.is_none() {
        v.add("sms_consent", "needs a mobile number");
    }
    if patch.email_consent.unwrap_or(current.email_consent) && email_after.is_none() {
        v.add("email_consent", "needs an email address");
    }
    v.finish()?;
    let mut changed = Vec::new();
    let person = people::update_versioned(&txn, id, version, now, |model| {
        macro_rules! apply {
            ($field:ident) => {
                if let Some(value) = $field {
                    model.$field = Set(value);
                    changed.push(stringify!($field));
                }
            };
        }
        apply!(given_name);
        apply!(family_name);
        apply!(date_of_birth);
        apply!(pnc_id);
        apply!(crn);
        apply!(mobile);
        apply!(email);
        apply!(tier);
        apply!(rosh);
        apply!(mappa_level);
        apply!(language);
        let sms_consent = patch.sms_consent;
        let email_consent = patch.email_consent;
        let wanted = patch.wanted;
        apply!(sms_consent);
        apply!(email_consent);
        apply!(wanted);
    })
    .await?;
    if let Some(address) = address {
        person_details::move_to_address(&txn, id, address).await?;
        changed.push("address");
    }
    let mut entry = caller.audit(AuditAction::Alter, "person", Some(id));
    entry.detail = Some(json!({ "fields": changed }));
    audit::append(&txn, entry, now).await?;
    let version = person.version;
    let view = full_view(&txn, person).await?;
    txn.commit().await?;
    Ok(with_etag(PersonRead::Full(Box::new(view)), version))
}
