//! Cohort membership history, allocations to staff, custody periods, offences and court events.

use crate::columns::{
    code, create_table, drop_tables, foreign_key, id, index, instant, optional_instant,
    optional_reference, reference,
};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{date_null, string, text, text_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_table(
            manager,
            Table::create()
                .table("memberships")
                .col(id())
                .col(reference("person_id"))
                .col(code("action"))
                .col(code("status"))
                .col(code("strand"))
                .col(text_null("reason"))
                .col(text_null("exit_plan"))
                .col(optional_reference("police_lead_id"))
                .col(optional_reference("probation_lead_id"))
                .col(optional_reference("actor_id"))
                .col(instant("occurred_at"))
                .foreign_key(&mut foreign_key("memberships", "person_id", "people"))
                .to_owned(),
            vec![index("memberships", &["person_id", "occurred_at"])],
        )
        .await?;
        create_table(
            manager,
            Table::create()
                .table("allocations")
                .col(id())
                .col(reference("person_id"))
                .col(reference("staff_id"))
                .col(code("role"))
                .col(instant("from_at"))
                .col(optional_instant("to_at"))
                .col(optional_reference("created_by"))
                .foreign_key(&mut foreign_key("allocations", "person_id", "people"))
                .foreign_key(&mut foreign_key("allocations", "staff_id", "staff"))
                .to_owned(),
            vec![
                index("allocations", &["staff_id", "to_at"]),
                index("allocations", &["person_id", "role"]),
            ],
        )
        .await?;
        create_table(
            manager,
            Table::create()
                .table("custody_periods")
                .col(id())
                .col(reference("person_id"))
                .col(instant("received_at"))
                .col(optional_instant("expected_release_at"))
                .col(optional_instant("released_at"))
                .col(instant("created_at"))
                .foreign_key(&mut foreign_key("custody_periods", "person_id", "people"))
                .to_owned(),
            vec![index("custody_periods", &["person_id", "received_at"])],
        )
        .await?;
        create_table(
            manager,
            Table::create()
                .table("offences")
                .col(id())
                .col(reference("person_id"))
                .col(text("description"))
                .col(date_null("committed_on"))
                .col(instant("recorded_at"))
                .foreign_key(&mut foreign_key("offences", "person_id", "people"))
                .to_owned(),
            vec![index("offences", &["person_id"])],
        )
        .await?;
        create_table(
            manager,
            Table::create()
                .table("court_events")
                .col(id())
                .col(reference("person_id"))
                .col(string("court"))
                .col(instant("hearing_at"))
                .col(text_null("outcome"))
                .foreign_key(&mut foreign_key("court_events", "person_id", "people"))
                .to_owned(),
            vec![index("court_events", &["person_id", "hearing_at"])],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            &[
                "court_events",
                "offences",
                "custody_periods",
                "allocations",
                "memberships",
            ],
        )
        .await
    }
}
