//! A contact is corrected at most once: the correction is what gets corrected next. The API checks this
//! before it writes, but two corrections of the same contact sent at once could both pass the check; the
//! unique index makes the second fail (409) instead of leaving two versions that each claim to be the
//! latest. It also serves the lookups of superseded contacts. Unique indexes let NULLs repeat on both
//! engines; the partial index keeps the contacts that correct nothing out of it.
//!
//! Corrections already stored twice for one contact (that race, before this migration) are chained first,
//! oldest first, so the index can be made and every record is kept: each later one becomes the correction
//! of the one before it, and the newest is the latest version, as its author saw it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;
use sea_orm_migration::sea_orm::prelude::Uuid;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Re-points every correction but the oldest of a contact at the correction before it.
async fn chain_duplicate_corrections(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let connection = manager.get_connection();
    let doubled = Query::select()
        .column("supersedes_id")
        .from("contacts")
        .and_where(Expr::col("supersedes_id").is_not_null())
        .group_by_col("supersedes_id")
        .and_having(Expr::col("id").count().gt(1))
        .to_owned();
    let corrections = connection
        .query_all(
            &Query::select()
                .columns(["id", "supersedes_id"])
                .from("contacts")
                .and_where(Expr::col("supersedes_id").in_subquery(doubled))
                .order_by("supersedes_id", Order::Asc)
                .order_by("created_at", Order::Asc)
                .order_by("id", Order::Asc)
                .to_owned(),
        )
        .await?;
    let mut previous: Option<(Uuid, Uuid)> = None;
    for row in corrections {
        let id: Uuid = row.try_get("", "id")?;
        let original: Uuid = row.try_get("", "supersedes_id")?;
        if let Some((before, before_original)) = previous
            && before_original == original
        {
            connection
                .execute(
                    &Query::update()
                        .table("contacts")
                        .value("supersedes_id", before)
                        .and_where(Expr::col("id").eq(id))
                        .to_owned(),
                )
                .await?;
        }
        previous = Some((id, original));
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        chain_duplicate_corrections(manager).await?;
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_contacts_supersedes_id ON contacts (supersedes_id) \
                 WHERE supersedes_id IS NOT NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS ux_contacts_supersedes_id")
            .await?;
        Ok(())
    }
}
