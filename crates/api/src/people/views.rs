//! What a person looks like in answers: the full record for cohort staff, a summary in lists, and the
//! narrow view a partner agency gets (no identifiers, risk, cohort position, contacts or offences).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;
use vigil_persistence::entities::{address, allocation, custody_period, person, risk_marker};

#[derive(Debug, Serialize, ToSchema)]
pub struct AddressView {
    pub line1: String,
    pub line2: Option<String>,
    pub town: String,
    pub postcode: Option<String>,
    pub from_date: NaiveDate,
    pub to_date: Option<NaiveDate>,
}

impl From<address::Model> for AddressView {
    fn from(a: address::Model) -> Self {
        Self {
            line1: a.line1,
            line2: a.line2,
            town: a.town,
            postcode: a.postcode,
            from_date: a.from_date,
            to_date: a.to_date,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RiskMarkerView {
    pub marker: String,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<risk_marker::Model> for RiskMarkerView {
    fn from(m: risk_marker::Model) -> Self {
        Self {
            marker: m.marker,
            notes: m.notes,
            created_at: m.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AllocationView {
    pub id: Uuid,
    pub staff_id: Uuid,
    pub role: String,
    pub from: DateTime<Utc>,
    pub to: Option<DateTime<Utc>>,
}

impl From<allocation::Model> for AllocationView {
    fn from(a: allocation::Model) -> Self {
        Self {
            id: a.id,
            staff_id: a.staff_id,
            role: a.role,
            from: a.from_at,
            to: a.to_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustodyView {
    pub id: Uuid,
    pub received_at: DateTime<Utc>,
    pub expected_release_at: Option<DateTime<Utc>>,
    pub released_at: Option<DateTime<Utc>>,
}

impl From<custody_period::Model> for CustodyView {
    fn from(c: custody_period::Model) -> Self {
        Self {
            id: c.id,
            received_at: c.received_at,
            expected_release_at: c.expected_release_at,
            released_at: c.released_at,
        }
    }
}

/// A person in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonSummary {
    pub id: Uuid,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    pub pnc_id: Option<String>,
    pub crn: Option<String>,
    pub status: Option<String>,
    pub strand: Option<String>,
    pub tier: Option<String>,
    pub rosh: Option<String>,
}

impl From<vigil_persistence::PersonSummary> for PersonSummary {
    fn from(p: vigil_persistence::PersonSummary) -> Self {
        Self {
            id: p.id,
            given_name: p.given_name,
            family_name: p.family_name,
            date_of_birth: p.date_of_birth,
            pnc_id: p.pnc_id,
            crn: p.crn,
            status: p.cohort_status,
            strand: p.strand,
            tier: p.tier,
            rosh: p.rosh,
        }
    }
}

impl From<person::Model> for PersonSummary {
    fn from(p: person::Model) -> Self {
        vigil_persistence::PersonSummary::from(p).into()
    }
}

/// The whole record, for cohort staff.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonView {
    pub id: Uuid,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    pub pnc_id: Option<String>,
    pub crn: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub language: String,
    pub sms_consent: bool,
    pub email_consent: bool,
    pub sms_opted_out: bool,
    pub tier: Option<String>,
    pub rosh: Option<String>,
    pub mappa_level: Option<String>,
    pub photo_ref: Option<String>,
    pub wanted: bool,
    /// Cohort membership status: proposed, adopted or deselected (none before a proposal).
    pub status: Option<String>,
    pub strand: Option<String>,
    pub address: Option<AddressView>,
    pub address_history: Vec<AddressView>,
    /// Risk-to-staff warning markers: shown wherever a visit is planned.
    pub risk_markers: Vec<RiskMarkerView>,
    pub allocations: Vec<AllocationView>,
    pub custody: Vec<CustodyView>,
    /// For optimistic locking: send it back as `If-Match` (or `version`) when updating.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The partner agency's view: enough to act on a referral, nothing more.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerPersonView {
    pub id: Uuid,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    pub language: String,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub address: Option<AddressView>,
}

impl From<person::Model> for PartnerPersonView {
    fn from(p: person::Model) -> Self {
        Self {
            id: p.id,
            given_name: p.given_name,
            family_name: p.family_name,
            date_of_birth: p.date_of_birth,
            language: p.language,
            mobile: p.mobile,
            email: p.email,
            address: None,
        }
    }
}
