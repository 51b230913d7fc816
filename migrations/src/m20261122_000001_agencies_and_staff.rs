//! Agencies of the partnership, staff users and their refresh tokens.

use crate::columns::{
    code, create_table, drop_tables, foreign_key, id, index, instant, optional_instant,
    optional_reference, reference,
};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{boolean, string, string_len_uniq, string_uniq};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_table(
            manager,
            Table::create()
                .table("agencies")
                .col(id())
                .col(string_uniq("name"))
                .col(code("kind"))
                .col(instant("created_at"))
                .to_owned(),
            vec![],
        )
        .await?;
        create_table(
            manager,
            Table::create()
                .table("staff")
                .col(id())
                .col(string_len_uniq("email", 254))
                .col(string("name"))
                .col(code("role"))
                .col(optional_reference("agency_id"))
                .col(string("password_hash"))
                .col(boolean("active"))
                .col(instant("created_at"))
                .col(instant("updated_at"))
                .foreign_key(&mut foreign_key("staff", "agency_id", "agencies"))
                .to_owned(),
            vec![index("staff", &["agency_id"])],
        )
        .await?;
        create_table(
            manager,
            Table::create()
                .table("refresh_tokens")
                .col(id())
                .col(reference("staff_id"))
                .col(reference("family_id"))
                .col(string_len_uniq("token_hash", 64))
                .col(instant("issued_at"))
                .col(instant("expires_at"))
                .col(optional_instant("spent_at"))
                .col(optional_instant("revoked_at"))
                .foreign_key(&mut foreign_key("refresh_tokens", "staff_id", "staff"))
                .to_owned(),
            vec![
                index("refresh_tokens", &["family_id"]),
                index("refresh_tokens", &["staff_id"]),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["refresh_tokens", "staff", "agencies"]).await
    }
}
