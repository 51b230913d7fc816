//! A worklist as the API serves it: the caseload, filtered, with its consultation recorded in the same
//! transaction as the read — one event listing every person shown (Data Protection Act 2018 s.62: list
//! reads included).

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};
use uuid::Uuid;

use super::read::{self, PeopleFilter};
use super::{CaseloadEntry, CaseloadRules, entries_from_rows};
use crate::database::begin_write;
use crate::error::PersistenceError;
use crate::repositories::audit::{self, AuditEntry};

/// Whose worklist, and which of its people.
#[derive(Debug, Clone, Default)]
pub struct WorklistRequest {
    pub staff_id: Uuid,
    /// Only people on this strand.
    pub strand: Option<String>,
    /// Only people on this tier.
    pub tier: Option<String>,
    /// Only people with something overdue.
    pub overdue_only: bool,
}

/// The worklist, with its consultation recorded: one event, `template` listing the people shown.
///
/// On PostgreSQL, when everyone read is shown (no `overdue_only`, the one filter that needs the
/// assessment), the read and its audit are one statement ([`audit::select_recording_listing`]): one round
/// trip, committed together. Otherwise the read, the assessment and the audit of the people kept share a
/// transaction.
pub async fn consult(
    db: &DatabaseConnection,
    request: &WorklistRequest,
    rules: CaseloadRules<'_>,
    template: AuditEntry,
    now: DateTime<Utc>,
) -> Result<Vec<CaseloadEntry>, PersistenceError> {
    let backend = db.get_database_backend();
    let filter = PeopleFilter {
        strand: request.strand.as_deref(),
        tier: request.tier.as_deref(),
    };
    if backend == DbBackend::Postgres && !request.overdue_only {
        let sql = audited_text(filter.shape()).to_owned();
        let parameters = read::parameters(request.staff_id, filter);
        let audited = audit::with_listing_recorded(parameters, sql, template, now);
        let rows = db.query_all_raw(audited).await?;
        return entries_from_rows(db, &rows, rules, now).await;
    }
    let select = read::select(backend, request.staff_id, filter);
    let txn = begin_write(db).await?;
    let rows = txn.query_all_raw(select).await?;
    let mut entries = entries_from_rows(&txn, &rows, rules, now).await?;
    if request.overdue_only {
        entries.retain(|entry| !entry.overdue.is_empty());
    }
    let listing = template.listing(entries.iter().map(|entry| entry.person.id));
    audit::append_listing(&txn, listing, now).await?;
    txn.commit().await?;
    Ok(entries)
}

/// The text of the worklist's read with its audit on PostgreSQL, for each [`PeopleFilter::shape`]: the
/// same for every worklist, so made once (see [`read::select`]).
fn audited_text(shape: usize) -> &'static str {
    static TEXTS: LazyLock<[String; 4]> = LazyLock::new(|| {
        PeopleFilter::SHAPES.map(|filter| {
            let select = read::select(DbBackend::Postgres, Uuid::nil(), filter);
            audit::recording_listing_sql(&select, "id")
        })
    });
    &TEXTS[shape]
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_kept_audited_text_is_the_one_made_around_the_read() {
        let template = AuditEntry {
            actor_id: Some(Uuid::now_v7()),
            actor_role: Some("offender_manager".to_owned()),
            action: "consult".to_owned(),
            person_id: None,
            entity: "caseload".to_owned(),
            entity_id: None,
            purpose: "offender_management".to_owned(),
            request_id: None,
            detail: None,
            people: Vec::new(),
        };
        for filter in PeopleFilter::SHAPES {
            let filter = PeopleFilter {
                strand: filter.strand.map(|_| "prevent_deter"),
                tier: filter.tier.map(|_| "C"),
            };
            let select = read::select(DbBackend::Postgres, Uuid::now_v7(), filter);
            let made = audit::select_recording_listing(select, "id", template.clone(), Utc::now());
            assert_eq!(audited_text(filter.shape()), made.sql, "{filter:?}");
        }
    }
}
