//! Row locks that serialise writers deciding from what they read (a clash check, the open custody
//! period): `SELECT … FOR NO KEY UPDATE` of the row a decision is about, in the transaction that then
//! writes. A second writer waits for the first to commit, and under READ COMMITTED its next statement
//! sees the first's rows. It does not wait for inserts that only reference the row (foreign-key checks
//! take a weaker lock). SQLite has one writer at a time and ignores the clause.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, IntoTableRef, LockType, Query};
use sea_orm::{ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::error::PersistenceError;

/// Locks the row `id` of `entity` (whose key column is `id`). Lock several in one fixed order everywhere,
/// so that two transactions cannot wait for each other.
pub async fn lock_row<E: EntityTrait>(
    db: &impl ConnectionTrait,
    entity: E,
    id: Uuid,
) -> Result<(), PersistenceError> {
    let lock = Query::select()
        // A literal: only the lock matters.
        .expr(Expr::cust("1"))
        .from(entity.into_table_ref())
        .and_where(Expr::col(Alias::new("id")).eq(id))
        .lock(LockType::NoKeyUpdate)
        .to_owned();
    db.query_one(&lock).await?;
    Ok(())
}
