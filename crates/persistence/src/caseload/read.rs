//! The one read behind a worklist: the people allocated to a member of staff, each with their allocation
//! role and their stored facts, in a single statement. On PostgreSQL the API wraps it so that the same
//! statement also writes the consultation audit (see `super::consult`).

use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Order, Query};
use sea_orm::{DbBackend, DbErr, FromQueryResult, QueryResult, Statement};
use uuid::Uuid;

use crate::entities::{allocation, caseload_fact, person};

/// The facts columns, each under its own name in the answer so that none can meet a person column.
const FACTS_COLUMNS: [(caseload_fact::Column, &str); 5] = [
    (
        caseload_fact::Column::StandardsSince,
        "facts_standards_since",
    ),
    (caseload_fact::Column::Contacts, "facts_contacts"),
    (caseload_fact::Column::Appointments, "facts_appointments"),
    (caseload_fact::Column::Enforcement, "facts_enforcement"),
    (caseload_fact::Column::HomeVisits, "facts_home_visits"),
];

/// One line of the read: the person, the role they are allocated to the officer in, and the stored facts
/// (every part `None` if the person has no facts row yet).
#[derive(Debug, Clone)]
pub(crate) struct AllocatedPerson {
    pub person: person::Model,
    pub allocation_role: String,
    pub stored: caseload_fact::Model,
}

/// The people with an active allocation to `staff_id`, each once, on `strand` if given. If the officer holds
/// two roles for someone, the role is the latest allocation's (one line per person, and the person listed
/// once in the worklist's audit event). The order is left to the caller, which sorts by what is due.
pub(crate) fn select(backend: DbBackend, staff_id: Uuid, strand: Option<&str>) -> Statement {
    let allocated = Query::select()
        .column(allocation::Column::PersonId)
        .from(allocation::Entity)
        .and_where(Expr::col(allocation::Column::StaffId).eq(staff_id))
        .and_where(Expr::col(allocation::Column::ToAt).is_null())
        .to_owned();
    let role = Query::select()
        .column(allocation::Column::Role)
        .from(allocation::Entity)
        .and_where(
            Expr::col((allocation::Entity, allocation::Column::PersonId))
                .equals((person::Entity, person::Column::Id)),
        )
        .and_where(Expr::col((allocation::Entity, allocation::Column::StaffId)).eq(staff_id))
        .and_where(Expr::col((allocation::Entity, allocation::Column::ToAt)).is_null())
        .order_by(
            (allocation::Entity, allocation::Column::FromAt),
            Order::Desc,
        )
        // Made in the same instant: the later id (UUIDv7) is the later allocation.
        .order_by((allocation::Entity, allocation::Column::Id), Order::Desc)
        .limit(1)
        .to_owned();
    let mut query = Query::select();
    query
        .column((person::Entity, Asterisk))
        .expr_as(
            Expr::SubQuery(None, Box::new(role.into())),
            Alias::new("allocation_role"),
        )
        .from(person::Entity)
        .left_join(
            caseload_fact::Entity,
            Expr::col((caseload_fact::Entity, caseload_fact::Column::PersonId))
                .equals((person::Entity, person::Column::Id)),
        )
        .and_where(Expr::col((person::Entity, person::Column::Id)).in_subquery(allocated));
    for (column, name) in FACTS_COLUMNS {
        query.expr_as(Expr::col((caseload_fact::Entity, column)), Alias::new(name));
    }
    if let Some(strand) = strand {
        query.and_where(Expr::col((person::Entity, person::Column::Strand)).eq(strand));
    }
    backend.build(&query)
}

/// A row of [`select`]'s answer.
pub(crate) fn decode(row: &QueryResult) -> Result<AllocatedPerson, DbErr> {
    let person = person::Model::from_query_result(row, "")?;
    let text = |name: &str| row.try_get::<Option<String>>("", name);
    let stored = caseload_fact::Model {
        person_id: person.id,
        standards_since: text(FACTS_COLUMNS[0].1)?,
        contacts: text(FACTS_COLUMNS[1].1)?,
        appointments: text(FACTS_COLUMNS[2].1)?,
        enforcement: text(FACTS_COLUMNS[3].1)?,
        home_visits: text(FACTS_COLUMNS[4].1)?,
    };
    Ok(AllocatedPerson {
        allocation_role: row.try_get("", "allocation_role")?,
        person,
        stored,
    })
}
