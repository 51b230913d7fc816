//! Notifications to people on the scheme, the durable job queue and the append-only audit log.

use crate::columns::{
    code, create_table, drop_tables, foreign_key, id, index, instant, optional_instant,
    optional_reference,
};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, integer, json, json_null, string, string_len_null, string_len_uniq, string_null,
    text_null,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_table(
            manager,
            Table::create()
                .table("notifications")
                .col(id())
                .col(optional_reference("person_id"))
                .col(optional_reference("appointment_id"))
                .col(code("channel"))
                .col(string("template"))
                // appointment + offset + start: planning twice finds the row instead of adding one.
                .col(string_len_uniq("idempotency_key", 200))
                .col(instant("send_at"))
                .col(code("status"))
                .col(string_null("reason"))
                // Opaque to the provider: never a case number or a name.
                .col(string_len_null("provider_ref", 64))
                .col(string_null("provider_id"))
                .col(integer("attempts"))
                .col(instant("created_at"))
                .col(instant("updated_at"))
                .foreign_key(&mut foreign_key("notifications", "person_id", "people"))
                .to_owned(),
            vec![
                index("notifications", &["person_id", "send_at"]),
                index("notifications", &["status", "send_at"]),
                index("notifications", &["appointment_id"]),
            ],
        )
        .await?;
        create_table(
            manager,
            Table::create()
                .table("jobs")
                .col(id())
                .col(string("kind"))
                .col(json("payload"))
                .col(instant("run_at"))
                .col(integer("priority"))
                .col(integer("attempts"))
                .col(integer("max_attempts"))
                // Cron ticks and reminders carry a key so that every worker creating them creates one.
                .col(string_len_null("unique_key", 200).unique_key())
                .col(code("state"))
                .col(optional_instant("lease_expires_at"))
                // Fencing token: completing a job is conditional on the epoch its worker claimed it with.
                .col(big_integer("epoch"))
                .col(string_null("locked_by"))
                .col(text_null("last_error"))
                .col(instant("created_at"))
                .col(instant("updated_at"))
                .to_owned(),
            vec![
                index("jobs", &["state", "run_at"]),
                index("jobs", &["state", "lease_expires_at"]),
            ],
        )
        .await?;
        create_table(
            manager,
            Table::create()
                .table("audit_events")
                .col(id())
                .col(instant("occurred_at"))
                .col(optional_reference("actor_id"))
                .col(string_len_null("actor_role", 48))
                .col(code("action"))
                .col(optional_reference("person_id"))
                .col(string("entity"))
                .col(optional_reference("entity_id"))
                .col(string("purpose"))
                .col(string_null("request_id"))
                .col(json_null("detail"))
                .to_owned(),
            vec![
                index("audit_events", &["person_id", "occurred_at"]),
                index("audit_events", &["actor_id", "occurred_at"]),
                index("audit_events", &["occurred_at"]),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["audit_events", "jobs", "notifications"]).await
    }
}
