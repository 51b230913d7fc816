//! Vigil's pure domain: validated identifiers, the IOM vocabulary, and the rules (membership,
//! contact standards, enforcement, reminder plans) as plain functions of their inputs.
//!
//! No IO, no database, no async: "now" is always a parameter or a [`Clock`], so every rule can
//! be tested by moving time rather than waiting for it.

mod enum_macro;
mod newtype_macro;

pub mod audit;
pub mod calendar;
pub mod casework;
pub mod clock;
pub mod cohort;
pub mod contact_assessment;
pub mod contact_standard;
pub mod crn;
pub mod email;
pub mod enforcement;
pub mod home_visit_cadence;
pub mod membership;
pub mod messages;
pub mod mobile;
pub mod name;
pub mod name_search;
pub mod notification;
pub mod period;
pub mod pnc;
pub mod postcode;
pub mod reminder_offset;
pub mod reminders;
pub mod sending_rules;
pub mod staff;
pub mod time;
pub mod twilio_signature;

pub use audit::*;
pub use calendar::*;
pub use casework::*;
pub use clock::*;
pub use cohort::*;
pub use contact_assessment::*;
pub use contact_standard::*;
pub use crn::*;
pub use email::*;
pub use enforcement::*;
pub use enum_macro::UnknownVariant;
pub use home_visit_cadence::*;
pub use membership::*;
pub use messages::*;
pub use mobile::*;
pub use name::*;
pub use name_search::*;
pub use notification::*;
pub use period::*;
pub use pnc::*;
pub use postcode::*;
pub use reminder_offset::*;
pub use reminders::*;
pub use sending_rules::*;
pub use staff::*;
pub use time::*;
pub use twilio_signature::{twilio_signature, verify_twilio_signature};
