//! The cohort: membership workflow and history, allocations to staff, custody periods.

pub mod allocations;
pub mod custody;
pub mod membership;
