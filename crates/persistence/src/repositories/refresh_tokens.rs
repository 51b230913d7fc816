//! Refresh tokens, stored as SHA-256 hashes. Tokens issued from one sign-in share a family, so reuse of a
//! spent token can revoke every token descended from that sign-in.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::entities::refresh_token;
use crate::error::PersistenceError;

pub async fn insert(
    db: &impl ConnectionTrait,
    staff_id: Uuid,
    family_id: Uuid,
    token_hash: &str,
    issued_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<refresh_token::Model, PersistenceError> {
    let model = refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        staff_id: Set(staff_id),
        family_id: Set(family_id),
        token_hash: Set(token_hash.to_owned()),
        issued_at: Set(issued_at),
        expires_at: Set(expires_at),
        spent_at: Set(None),
        revoked_at: Set(None),
    };
    Ok(model.insert(db).await?)
}

pub async fn find_by_hash(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> Result<Option<refresh_token::Model>, PersistenceError> {
    Ok(refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(token_hash))
        .one(db)
        .await?)
}

/// Marks the token spent, only if it is still unspent and unrevoked; false means someone else spent it
/// first (a concurrent refresh with the same token), which the caller treats as reuse.
pub async fn spend(
    db: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, PersistenceError> {
    let result = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::SpentAt, Some(now).into())
        .filter(refresh_token::Column::Id.eq(id))
        .filter(refresh_token::Column::SpentAt.is_null())
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Revokes every token of a family (reuse detected, or sign-out).
pub async fn revoke_family(
    db: &impl ConnectionTrait,
    family_id: Uuid,
    now: DateTime<Utc>,
) -> Result<u64, PersistenceError> {
    let result = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Some(now).into())
        .filter(refresh_token::Column::FamilyId.eq(family_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Revokes every token of a user (deactivation).
pub async fn revoke_all_for_staff(
    db: &impl ConnectionTrait,
    staff_id: Uuid,
    now: DateTime<Utc>,
) -> Result<u64, PersistenceError> {
    let result = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Some(now).into())
        .filter(refresh_token::Column::StaffId.eq(staff_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
