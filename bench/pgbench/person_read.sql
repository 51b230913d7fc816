-- GET /api/v1/people/{id}: the API's SQL, audit insert included.
-- Generated to mirror, statement for statement, what the API sends for one person read (captured with
-- log_statement = 'all' from a run of vigil-bench; see bench/README.md). Run with pgbench -M prepared, as
-- sqlx prepares every statement. Variables: -D people=<cohort size> -D actor=<coordinator staff id>.
-- Differences from the API, all small: ids are computed in SQL (bench_person_id, bench_uuid_v7; the API
-- makes audit ids in Rust), LIMIT/OFFSET are literals instead of parameters.
\set n random(1, :people)
-- The Caller extractor: the signed-in user is re-read on every request (outside the transaction).
SELECT "staff"."id", "staff"."email", "staff"."name", "staff"."role", "staff"."agency_id", "staff"."password_hash", "staff"."active", "staff"."created_at", "staff"."updated_at" FROM "staff" WHERE "staff"."id" = :actor LIMIT 1;
BEGIN;
-- load_visible: the person.
SELECT "people"."id", "people"."given_name", "people"."family_name", "people"."date_of_birth", "people"."pnc_id", "people"."crn", "people"."mobile", "people"."email", "people"."language", "people"."sms_consent", "people"."email_consent", "people"."sms_opted_out_at", "people"."tier", "people"."rosh", "people"."mappa_level", "people"."photo_ref", "people"."wanted", "people"."cohort_status", "people"."strand", "people"."version", "people"."created_at", "people"."updated_at" FROM "people" WHERE "people"."id" = bench_person_id(:n) LIMIT 1;
-- full_view: addresses, active risk markers, allocations, custody periods.
SELECT "addresses"."id", "addresses"."person_id", "addresses"."line1", "addresses"."line2", "addresses"."town", "addresses"."postcode", "addresses"."from_date", "addresses"."to_date" FROM "addresses" WHERE "addresses"."person_id" = bench_person_id(:n) ORDER BY "addresses"."from_date" DESC;
SELECT "risk_markers"."id", "risk_markers"."person_id", "risk_markers"."marker", "risk_markers"."notes", "risk_markers"."created_by", "risk_markers"."created_at", "risk_markers"."ended_at" FROM "risk_markers" WHERE "risk_markers"."person_id" = bench_person_id(:n) AND "risk_markers"."ended_at" IS NULL ORDER BY "risk_markers"."created_at" ASC;
SELECT "allocations"."id", "allocations"."person_id", "allocations"."staff_id", "allocations"."role", "allocations"."from_at", "allocations"."to_at", "allocations"."created_by" FROM "allocations" WHERE "allocations"."person_id" = bench_person_id(:n) ORDER BY "allocations"."from_at" DESC;
SELECT "custody_periods"."id", "custody_periods"."person_id", "custody_periods"."received_at", "custody_periods"."expected_release_at", "custody_periods"."released_at", "custody_periods"."created_at" FROM "custody_periods" WHERE "custody_periods"."person_id" = bench_person_id(:n) ORDER BY "custody_periods"."received_at" DESC;
-- audit::append: one consultation event.
INSERT INTO "audit_events" ("id", "occurred_at", "actor_id", "actor_role", "action", "person_id", "entity", "entity_id", "purpose", "request_id", "detail") VALUES (bench_uuid_v7(), now(), :actor, 'coordinator', 'consult', bench_person_id(:n), 'person', NULL, 'cohort_management', '01a201a6-a05a-7564-8141-0ce34b517e72', NULL) RETURNING "id", "occurred_at", "actor_id", "actor_role", "action", "person_id", "entity", "entity_id", "purpose", "request_id", "detail";
COMMIT;
