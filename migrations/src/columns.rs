//! Column and index builders shared by every migration, so that the same concept (an id, a reference to a
//! person, an instant) is declared the same way in every table.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema;

/// A UUID primary key named `id`.
pub fn id() -> ColumnDef {
    schema::pk_uuid("id")
}

/// A required reference to another table's `id`.
pub fn reference(column: &'static str) -> ColumnDef {
    schema::uuid(column)
}

/// An optional reference to another table's `id`.
pub fn optional_reference(column: &'static str) -> ColumnDef {
    schema::uuid_null(column)
}

/// An instant, stored in UTC.
pub fn instant(column: &'static str) -> ColumnDef {
    schema::timestamp_with_time_zone(column)
}

/// An optional instant, stored in UTC.
pub fn optional_instant(column: &'static str) -> ColumnDef {
    schema::timestamp_with_time_zone_null(column)
}

/// An enumeration stored as its API string form.
pub fn code(column: &'static str) -> ColumnDef {
    schema::string_len(column, 48)
}

/// An optional enumeration stored as its API string form.
pub fn optional_code(column: &'static str) -> ColumnDef {
    schema::string_len_null(column, 48)
}

/// A foreign key from `table.column` to `target.id`.
pub fn foreign_key(
    table: &'static str,
    column: &'static str,
    target: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(target, "id")
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

/// A non-unique index named after its table and columns.
pub fn index(table: &'static str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut statement = Index::create();
    statement
        .name(format!("ix_{table}_{}", columns.join("_")))
        .table(table);
    for column in columns {
        statement.col(*column);
    }
    statement.to_owned()
}

/// Creates a table and its indexes.
pub async fn create_table(
    manager: &SchemaManager<'_>,
    table: TableCreateStatement,
    indexes: Vec<IndexCreateStatement>,
) -> Result<(), DbErr> {
    manager.create_table(table).await?;
    for index in indexes {
        manager.create_index(index).await?;
    }
    Ok(())
}

/// Drops tables in the order given (dependants first).
pub async fn drop_tables(
    manager: &SchemaManager<'_>,
    tables: &[&'static str],
) -> Result<(), DbErr> {
    for table in tables {
        manager
            .drop_table(Table::drop().table(*table).to_owned())
            .await?;
    }
    Ok(())
}
