//! `GET /people`: the people list and search. Every person shown is audited in the same transaction.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use vigil_domain::{MembershipStatus, PeopleSearch, Strand};
use vigil_persistence::repositories::people::PeopleFilter;
use vigil_persistence::repositories::{PageRequest, people};

use super::access::{Visibility, partner_scope};
use super::views::{PartnerPersonView, PersonSummary};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::ApiQuery;
use crate::policy::{Permission, require};
use crate::state::AppState;
use crate::validation::Validator;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PeopleQuery {
    /// A PNC ID (long `2003/0012345D` or short `03/12345D` form) or a CRN (`X123456`): that person
    /// exactly. Otherwise the start of a name, ignoring case, surrounding and repeated spaces, full stops
    /// and apostrophes: one word is the start of a family name (`smi` finds Smith and Smithson); several
    /// words are given name(s) then the start of the family name (`john smi`); with a comma the family
    /// name comes first (`smith, jo`, also for family names with spaces: `ap rhys, gw`). A name may
    /// contain letters (accented too), spaces, hyphens, apostrophes, commas and full stops; anything
    /// else, or more than 202 characters, is a 422. Results are in family name, given name order.
    pub q: Option<String>,
    pub strand: Option<String>,
    pub status: Option<String>,
    /// A staff id, or `me`.
    pub allocated_to: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum PersonListItem {
    Full(PersonSummary),
    Partner(PartnerPersonView),
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PeoplePage {
    pub items: Vec<PersonListItem>,
    pub page: u64,
    pub per_page: u64,
    /// Every match, counted up to 1,000; when there are more it is 1,000 and `total_capped` is true.
    pub total: u64,
    /// True when more people match than `total` (narrow the search to see an exact count).
    pub total_capped: bool,
}

fn people_filter(
    query: PeopleQuery,
    caller: &Caller,
) -> Result<(PeopleFilter, PageRequest), ApiError> {
    let mut v = Validator::new();
    let q = v
        .optional("q", query.q.as_deref(), PeopleSearch::parse)
        .flatten();
    let strand = v.optional("strand", query.strand.as_deref(), str::parse::<Strand>);
    let status = v.optional(
        "status",
        query.status.as_deref(),
        str::parse::<MembershipStatus>,
    );
    let allocated_to = v.optional("allocated_to", query.allocated_to.as_deref(), |raw| {
        if raw == "me" {
            Ok(caller.id)
        } else {
            Uuid::parse_str(raw).map_err(|_| "must be a staff id or \"me\"")
        }
    });
    v.finish()?;
    Ok((
        PeopleFilter {
            q,
            strand: strand.map(|s| s.as_str().to_owned()),
            status: status.map(|s| s.as_str().to_owned()),
            allocated_to,
            only_ids: None,
        },
        PageRequest::new(query.page, query.per_page),
    ))
}

#[utoipa::path(get, path = "/api/v1/people", tag = "people", security(("bearer" = [])),
    params(PeopleQuery),
    responses(
        (status = 200, description = "A page of people (a partner sees only those referred to its agency)", body = PeoplePage),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_people(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<PeopleQuery>,
) -> Result<Json<PeoplePage>, ApiError> {
    require(&caller, Permission::ReadPeople)?;
    let (mut filter, page) = people_filter(query, &caller)?;
    let visibility = Visibility::of(&caller);
    let db = state.db.connection();
    filter.only_ids = partner_scope(db, &caller).await?;
    // A list shows personal data too: one audit event listing the people shown, committed with the read.
    let audit = caller.audit(visibility.read_action(), "people_search", None);
    let found = people::search_audited(db, &filter, page, audit, state.clock.now()).await?;
    Ok(Json(PeoplePage {
        items: found
            .items
            .into_iter()
            .map(|person| match visibility {
                Visibility::Full => PersonListItem::Full(person.into()),
                Visibility::Partner => PersonListItem::Partner(person.into()),
            })
            .collect(),
        page: found.page,
        per_page: found.per_page,
        total: found.total,
        total_capped: found.total_capped,
    }))
}
