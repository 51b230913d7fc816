//! Planned work: jobs that create casework records (appointments, visits, referrals) or send digests.
//! Database-only effects commit in the same transaction as the job's completion.

pub mod digest;
pub mod digest_officer;
pub mod home_visits;
pub mod release;
