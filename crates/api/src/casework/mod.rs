//! Casework: appointments and their reminders, contacts, enforcement, home visits, referrals, the
//! caseload worklist and the notifications planned for a person.

pub mod absences;
pub mod appointments;
pub mod caseload;
pub mod contacts;
pub mod enforcement;
pub mod home_visits;
pub mod notifications;
pub mod outcomes;
pub mod recording;
pub mod referrals;
pub mod reminders;
