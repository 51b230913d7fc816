//! Vigil's schema, as sea-orm migrations that run unchanged on SQLite and PostgreSQL.
//!
//! Every change to the schema is a new migration with both `up` and `down`; a released migration is never
//! edited. Enumerations are stored as their API string forms (see `vigil-domain`), which keeps the schema the
//! same on both engines and lets the domain crate own the allowed values.

pub use sea_orm_migration::prelude::*;

mod columns;
mod m20261122_000001_agencies_and_staff;
mod m20261122_000002_people;
mod m20261122_000003_cohort;
mod m20261122_000004_casework;
mod m20261122_000005_notifications_jobs_audit;
mod m20261122_000006_people_name_search;
mod m20261122_000007_jobs_claim_index;
mod m20261122_000008_people_name_keys;
mod m20261122_000009_caseload_facts;
mod m20261122_000010_caseload_facts_integer_times;
mod m20261122_000011_audit_event_people;
mod m20261122_000012_contacts_one_correction;
mod m20261123_000013_caseload_facts_binary;
mod m20261123_000014_allocations_held_index;
mod m20261123_000015_home_visit_teams;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_agencies_and_staff::Migration),
            Box::new(m20261122_000002_people::Migration),
            Box::new(m20261122_000003_cohort::Migration),
            Box::new(m20261122_000004_casework::Migration),
            Box::new(m20261122_000005_notifications_jobs_audit::Migration),
            Box::new(m20261122_000006_people_name_search::Migration),
            Box::new(m20261122_000007_jobs_claim_index::Migration),
            Box::new(m20261122_000008_people_name_keys::Migration),
            Box::new(m20261122_000009_caseload_facts::Migration),
            Box::new(m20261122_000010_caseload_facts_integer_times::Migration),
            Box::new(m20261122_000011_audit_event_people::Migration),
            Box::new(m20261122_000012_contacts_one_correction::Migration),
            Box::new(m20261123_000013_caseload_facts_binary::Migration),
            Box::new(m20261123_000014_allocations_held_index::Migration),
            Box::new(m20261123_000015_home_visit_teams::Migration),
        ]
    }
}
