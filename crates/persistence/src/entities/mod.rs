//! sea-orm entities, one per table. Enumerations are kept as their API strings; repositories convert.

pub mod address;
pub mod agency;
pub mod allocation;
pub mod appointment;
pub mod audit_event;
pub mod caseload_fact;
pub mod contact;
pub mod court_event;
pub mod custody_period;
pub mod enforcement_action;
pub mod home_visit;
pub mod job;
pub mod membership;
pub mod notification;
pub mod offence;
pub mod person;
pub mod person_alias;
pub mod referral;
pub mod refresh_token;
pub mod risk_marker;
pub mod staff;
