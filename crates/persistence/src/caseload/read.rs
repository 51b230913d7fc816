//! The one read behind a worklist: the people allocated to a member of staff, each with their allocation
//! role, their summary columns and their stored facts, in a single statement. On PostgreSQL the API wraps
//! it so that the same statement also writes the consultation audit (see `super::consult`).

use std::sync::LazyLock;

use sea_orm::sea_query::{Alias, Cond, Expr, ExprTrait, Query};
use sea_orm::sqlx::Row;
use sea_orm::{DbBackend, DbErr, QueryResult, Statement, Value};
use uuid::Uuid;

use super::facts::Part;
use super::store::{self, StoredFacts};
use crate::entities::{allocation, caseload_fact, person};
use crate::person_summary::PersonSummary;

/// The facts columns, each under its own name in the answer so that none can meet a person column.
const FACTS_COLUMNS: [(Part, &str); 5] = [
    (Part::StandardsSince, "facts_standards_since"),
    (Part::Contacts, "facts_contacts"),
    (Part::Appointments, "facts_appointments"),
    (Part::Enforcement, "facts_enforcement"),
    (Part::HomeVisits, "facts_home_visits"),
];

/// One line of the read: the person as a worklist shows them, the role they are allocated to the officer
/// in, and the stored facts (every part `None` if the person has no facts row yet), borrowed from the row.
#[derive(Debug, Clone)]
pub(crate) struct AllocatedPerson<'r> {
    pub person: PersonSummary,
    pub allocation_role: String,
    pub stored: StoredFacts<'r>,
}

/// Which of the officer's people a worklist reads: everyone, or those on a strand, a tier, or both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PeopleFilter<'a> {
    pub strand: Option<&'a str>,
    pub tier: Option<&'a str>,
}

impl PeopleFilter<'_> {
    /// Every shape of filter, in [`Self::shape`] order: the kept texts are made for each.
    pub(crate) const SHAPES: [PeopleFilter<'static>; 4] = [
        PeopleFilter {
            strand: None,
            tier: None,
        },
        PeopleFilter {
            strand: Some(""),
            tier: None,
        },
        PeopleFilter {
            strand: None,
            tier: Some(""),
        },
        PeopleFilter {
            strand: Some(""),
            tier: Some(""),
        },
    ];

    /// Which filters are set (not their values), as an index into [`Self::SHAPES`]: the statement's text
    /// depends on this alone.
    pub(crate) fn shape(&self) -> usize {
        usize::from(self.strand.is_some()) | usize::from(self.tier.is_some()) << 1
    }
}

/// The people with an active allocation to `staff_id`, each once, narrowed by `filter`: their summary
/// columns only (the worklist shows no more; less to send, receive and decode). If the officer holds two
/// roles for someone, the line is the latest allocation's (one line per person, and the person listed once
/// in the worklist's audit event). The order is left to the caller, which sorts by what is due.
///
/// The text is [`build`]'s, made once per process ([`text`]): it is the same for every worklist, and
/// building it each time took about 18 µs, 4 % of the server's CPU for a worklist.
pub(crate) fn select(backend: DbBackend, staff_id: Uuid, filter: PeopleFilter<'_>) -> Statement {
    let Some(sql) = text(backend, filter.shape()) else {
        return build(backend, staff_id, filter);
    };
    Statement::from_sql_and_values(backend, sql, parameters(staff_id, filter))
}

/// [`select`]'s text on `backend` for a [`PeopleFilter::shape`]; `None` on an engine Vigil does not run
/// on (the statement is then built each time).
pub(crate) fn text(backend: DbBackend, shape: usize) -> Option<&'static str> {
    /// One text per shape; any staff id and filter values make the same text.
    fn all(backend: DbBackend) -> [String; 4] {
        PeopleFilter::SHAPES.map(|filter| build(backend, Uuid::nil(), filter).sql)
    }
    static POSTGRES: LazyLock<[String; 4]> = LazyLock::new(|| all(DbBackend::Postgres));
    static SQLITE: LazyLock<[String; 4]> = LazyLock::new(|| all(DbBackend::Sqlite));
    let texts = match backend {
        DbBackend::Postgres => &POSTGRES,
        DbBackend::Sqlite => &SQLITE,
        _ => return None,
    };
    texts.get(shape).map(String::as_str)
}

/// [`select`]'s parameters in the order [`build`] writes them: the officer (the held allocation), the
/// officer again (a later allocation), then the strand and the tier if filtered on. A test holds the two
/// together.
pub(crate) fn parameters(staff_id: Uuid, filter: PeopleFilter<'_>) -> Vec<Value> {
    let mut values = vec![staff_id.into(), staff_id.into()];
    values.extend(filter.strand.map(Value::from));
    values.extend(filter.tier.map(Value::from));
    values
}

/// [`select`], built by sea-query.
fn build(backend: DbBackend, staff_id: Uuid, filter: PeopleFilter<'_>) -> Statement {
    let held = Alias::new("held");
    let later = Alias::new("later");
    let column = |table: &Alias, column: allocation::Column| Expr::col((table.clone(), column));
    // A later active allocation of the same person to the same officer: the held one is then not the line.
    let superseded = Query::select()
        // A literal, not a bound value: only whether a row exists matters.
        .expr(Expr::cust("1"))
        .from_as(allocation::Entity, later.clone())
        .and_where(
            column(&later, allocation::Column::PersonId)
                .equals((held.clone(), allocation::Column::PersonId)),
        )
        .and_where(column(&later, allocation::Column::StaffId).eq(staff_id))
        .and_where(column(&later, allocation::Column::ToAt).is_null())
        .cond_where(
            Cond::any()
                .add(
                    column(&later, allocation::Column::FromAt)
                        .gt(column(&held, allocation::Column::FromAt)),
                )
                // Made in the same instant: the later id (UUIDv7) is the later allocation.
                .add(
                    column(&later, allocation::Column::FromAt)
                        .eq(column(&held, allocation::Column::FromAt))
                        .and(
                            column(&later, allocation::Column::Id)
                                .gt(column(&held, allocation::Column::Id)),
                        ),
                ),
        )
        .to_owned();
    // The person's columns come first, then the role: `decode` reads them by position.
    let mut query = Query::select();
    for person_column in PersonSummary::COLUMNS {
        query.column((person::Entity, person_column));
    }
    query
        .expr_as(
            column(&held, allocation::Column::Role),
            Alias::new("allocation_role"),
        )
        .from_as(allocation::Entity, held.clone())
        .inner_join(
            person::Entity,
            Expr::col((person::Entity, person::Column::Id))
                .equals((held.clone(), allocation::Column::PersonId)),
        )
        .left_join(
            caseload_fact::Entity,
            Expr::col((caseload_fact::Entity, caseload_fact::Column::PersonId))
                .equals((person::Entity, person::Column::Id)),
        )
        .and_where(column(&held, allocation::Column::StaffId).eq(staff_id))
        .and_where(column(&held, allocation::Column::ToAt).is_null())
        .and_where(Expr::exists(superseded).not());
    for (part, name) in FACTS_COLUMNS {
        query.expr_as(
            Expr::col((caseload_fact::Entity, store::column(part))),
            Alias::new(name),
        );
    }
    if let Some(strand) = filter.strand {
        query.and_where(Expr::col((person::Entity, person::Column::Strand)).eq(strand));
    }
    if let Some(tier) = filter.tier {
        query.and_where(Expr::col((person::Entity, person::Column::Tier)).eq(tier));
    }
    backend.build(&query)
}

/// A row of [`select`]'s answer. The facts are not copied out of the row: they are decoded straight from it.
pub(crate) fn decode(row: &QueryResult) -> Result<AllocatedPerson<'_>, DbErr> {
    let person = PersonSummary::from_leading_columns(row)?;
    let allocation_role = row.try_get_by_index(PersonSummary::COLUMNS.len())?;
    let mut stored = StoredFacts::none(person.id);
    for (part, name) in FACTS_COLUMNS {
        stored.set(part, borrowed_bytes(row, name)?);
    }
    Ok(AllocatedPerson {
        stored,
        person,
        allocation_role,
    })
}

/// A binary column as the driver received it, without copying it (the facts are most of what a worklist
/// reads, and are only decoded).
fn borrowed_bytes<'r>(row: &'r QueryResult, name: &str) -> Result<Option<&'r [u8]>, DbErr> {
    let read = if let Some(row) = row.try_as_pg_row() {
        row.try_get::<Option<&[u8]>, _>(name)
    } else if let Some(row) = row.try_as_sqlite_row() {
        row.try_get::<Option<&[u8]>, _>(name)
    } else {
        return Err(DbErr::Type(format!(
            "column {name}: the worklist reads from PostgreSQL or SQLite only"
        )));
    };
    read.map_err(|e| DbErr::Type(format!("column {name}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kept_text_and_parameters_are_what_sea_query_builds() {
        let staff_id = Uuid::now_v7();
        for backend in [DbBackend::Postgres, DbBackend::Sqlite] {
            for strand in [None, Some("catch_convict")] {
                for tier in [None, Some("B")] {
                    let filter = PeopleFilter { strand, tier };
                    assert_eq!(
                        select(backend, staff_id, filter),
                        build(backend, staff_id, filter),
                        "{backend:?}, {filter:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn each_shape_has_its_own_text() {
        for (shape, filter) in PeopleFilter::SHAPES.iter().enumerate() {
            assert_eq!(filter.shape(), shape);
        }
        let texts: std::collections::HashSet<_> = (0..PeopleFilter::SHAPES.len())
            .map(|shape| text(DbBackend::Postgres, shape))
            .collect();
        assert_eq!(texts.len(), PeopleFilter::SHAPES.len());
    }
}
