//! Casework: appointments, contacts, enforcement actions, home visits and resettlement referrals.

use crate::columns::{
    code, create_table, drop_tables, foreign_key, id, index, instant, optional_code,
    optional_instant, optional_reference, reference,
};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{boolean, integer, string_null, text_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_table(
            manager,
            Table::create()
                .table("appointments")
                .col(id())
                .col(reference("person_id"))
                .col(optional_reference("staff_id"))
                .col(code("appointment_type"))
                .col(instant("starts_at"))
                .col(instant("ends_at"))
                .col(string_null("location"))
                .col(code("status"))
                .col(boolean("remind"))
                .col(optional_code("outcome"))
                .col(integer("version"))
                .col(instant("created_at"))
                .col(instant("updated_at"))
                .foreign_key(&mut foreign_key("appointments", "person_id", "people"))
                .foreign_key(&mut foreign_key("appointments", "staff_id", "staff"))
                .to_owned(),
            vec![
                index("appointments", &["person_id", "starts_at"]),
                index("appointments", &["staff_id", "starts_at"]),
                index("appointments", &["starts_at"]),
            ],
        )
        .await?;
        create_table(
            manager,
            Table::create()
                .table("home_visits")
                .col(id())
                .col(reference("person_id"))
                .col(instant("window_start"))
                .col(instant("window_end"))
                .col(text_null("address"))
                .col(optional_reference("assigned_to"))
                .col(boolean("announced"))
                .col(code("status"))
                .col(optional_reference("follow_up_of"))
                .col(optional_reference("created_by"))
                .col(instant("created_at"))
                .foreign_key(&mut foreign_key("home_visits", "person_id", "people"))
                .to_owned(),
            vec![
                index("home_visits", &["assigned_to", "window_end"]),
                index("home_visits", &["person_id", "window_start"]),
            ],
        )
        .await?;
        create_table(
            manager,
            Table::create()
                .table("contacts")
                .col(id())
                .col(reference("person_id"))
                .col(optional_reference("staff_id"))
                .col(code("contact_type"))
                .col(instant("occurred_at"))
                .col(code("status"))
                .col(optional_code("outcome"))
                .col(text_null("notes"))
                .col(boolean("sensitive"))
                .col(optional_reference("appointment_id"))
                .col(optional_reference("home_visit_id"))
                // A correction is a new contact pointing at the one it supersedes; both are kept.
                .col(optional_reference("supersedes_id"))
                .col(instant("created_at"))
                .foreign_key(&mut foreign_key("contacts", "person_id", "people"))
                .to_owned(),
            vec![
                index("contacts", &["person_id", "occurred_at"]),
                index("contacts", &["appointment_id"]),
            ],
        )
        .await?;
        create_table(
            manager,
            Table::create()
                .table("enforcement_actions")
                .col(id())
                .col(reference("person_id"))
                .col(optional_reference("contact_id"))
                .col(code("action"))
                .col(code("status"))
                .col(instant("due_by"))
                .col(optional_instant("completed_at"))
                .col(optional_reference("completed_by"))
                .col(instant("created_at"))
                .foreign_key(&mut foreign_key(
                    "enforcement_actions",
                    "person_id",
                    "people",
                ))
                .to_owned(),
            vec![index("enforcement_actions", &["person_id", "due_by"])],
        )
        .await?;
        create_table(
            manager,
            Table::create()
                .table("referrals")
                .col(id())
                .col(reference("person_id"))
                .col(code("pathway"))
                .col(reference("agency_id"))
                .col(code("status"))
                .col(text_null("notes"))
                .col(instant("referred_at"))
                .col(optional_instant("started_at"))
                .col(optional_instant("ended_at"))
                .col(optional_reference("created_by"))
                .foreign_key(&mut foreign_key("referrals", "person_id", "people"))
                .foreign_key(&mut foreign_key("referrals", "agency_id", "agencies"))
                .to_owned(),
            vec![
                index("referrals", &["agency_id", "status"]),
                index("referrals", &["person_id"]),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            &[
                "referrals",
                "enforcement_actions",
                "contacts",
                "home_visits",
                "appointments",
            ],
        )
        .await
    }
}
