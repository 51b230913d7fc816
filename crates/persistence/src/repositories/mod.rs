//! Repositories: one module per resource. Each function takes any `ConnectionTrait` (a pool or an open
//! transaction), so callers decide the transaction boundary.

pub mod agencies;
pub mod allocations;
pub mod appointments;
pub mod audit;
pub mod contacts;
pub mod custody;
pub mod enforcement;
pub mod home_visits;
pub mod jobs;
pub mod memberships;
pub mod notifications;
pub mod page;
pub mod people;
pub mod person_details;
pub mod referrals;
pub mod refresh_tokens;
pub mod reminders;
pub mod row_locks;
pub mod send_context;
pub mod staff;

pub use page::{Page, PageRequest};
