#![allow(clippy::unwrap_used, clippy::expect_used)]
//! How the database answers the worklist's read: its two reads of the officer's allocations (those held,
//! and whether a later one supersedes each) come from `ix_allocations_held` alone, never from the
//! allocation rows (migration `m20261123_000014`; bench/CASELOAD_RESULTS.md has what that saves).

use chrono::Duration;
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, Set, Statement};
use uuid::Uuid;
use vigil_e2e::spawn_app;
use vigil_persistence::caseload::worklist_read;
use vigil_persistence::entities::allocation;

/// The plan's lines for `statement`, as the engine explains it.
async fn plan(db: &impl ConnectionTrait, statement: Statement) -> Vec<String> {
    let backend = statement.db_backend;
    let (prefix, column) = match backend {
        DbBackend::Postgres => ("EXPLAIN ", "QUERY PLAN"),
        _ => ("EXPLAIN QUERY PLAN ", "detail"),
    };
    let explained = Statement {
        sql: format!("{prefix}{}", statement.sql),
        ..statement
    };
    db.query_all_raw(explained)
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get::<String>("", column).unwrap())
        .collect()
}

#[tokio::test]
async fn the_worklists_allocation_reads_use_only_the_held_allocations_index() {
    let app = spawn_app().await;
    let coordinator = app.user("coordinator", None).await;
    let om = app.user("offender_manager", None).await;
    let colleague = app.user("offender_manager", None).await;
    let officers = [&om, &colleague, &om, &colleague, &om];
    let mut people = Vec::new();
    for (family, officer) in ["Abel", "Baker", "Cole", "Dunn", "Ellis"]
        .into_iter()
        .zip(officers)
    {
        let person = app.person(&om, "Casey", family).await;
        people.push(person);
        app.allocate(&coordinator, person, officer.id, "offender_manager")
            .await;
    }
    let db = app.db();
    let backend = db.get_database_backend();
    // A history long enough that the engine would rather take an index than read the table: the
    // colleague's past allocations of the same people (a handful of rows is cheapest read whole).
    let history: Vec<allocation::ActiveModel> = (0..2_000)
        .map(|n| allocation::ActiveModel {
            id: Set(Uuid::now_v7()),
            person_id: Set(people[n % people.len()]),
            staff_id: Set(colleague.id),
            role: Set("offender_manager".to_owned()),
            from_at: Set(app.now() - Duration::days(400)),
            to_at: Set(Some(app.now() - Duration::days(200))),
            created_by: Set(None),
        })
        .collect();
    for chunk in history.chunks(500) {
        allocation::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .unwrap();
    }
    // Statistics, and on PostgreSQL the visibility map that lets an index answer alone.
    let refresh = match backend {
        DbBackend::Postgres => "VACUUM ANALYZE allocations",
        _ => "ANALYZE",
    };
    db.execute_unprepared(refresh).await.unwrap();

    let lines = plan(db, worklist_read(backend, om.id)).await;
    let from_held_index = |line: &&String| match backend {
        DbBackend::Postgres => line.contains("Index Only Scan using ix_allocations_held"),
        _ => line.contains("USING COVERING INDEX ix_allocations_held"),
    };
    let reads_of_allocations = |line: &&String| match backend {
        DbBackend::Postgres => line.contains("Scan") && line.contains(" on allocations "),
        _ => line.contains("SEARCH held") || line.contains("SEARCH later"),
    };
    assert_eq!(
        lines.iter().filter(reads_of_allocations).count(),
        lines.iter().filter(from_held_index).count(),
        "every read of the allocations from the index:\n{}",
        lines.join("\n")
    );
    assert_eq!(
        lines.iter().filter(from_held_index).count(),
        2,
        "both reads (held, later) from the index alone:\n{}",
        lines.join("\n")
    );
}
