-- POST /api/v1/people/{id}/contacts (telephone, completed, no outcome): the API's SQL, audit insert included.
-- Mirrors what log_contact sends for a contact without appointment, visit, correction or outcome (so no
-- enforcement-rule read and no enforcement step): the Caller's staff read, then in one transaction the
-- person read (load_visible), the contact insert, the person's caseload facts (read the facts row locked,
-- store the contacts part with the new contact added) and the `collect` audit event.
-- Captured with log_statement = 'all'. Run with -M prepared.
-- Differences from the API: ids come from bench_uuid_v7/bench_person_id, and the stored contacts are a
-- fixed part of ten contacts in the stored binary form, format 1 (the API builds the person's own, of
-- about that size, in Rust, and binds it).
-- Variables: -D people=<caseload size> -D actor=<officer staff id>. Used by the `caseload` bench.
\set n random(1, :people)
SELECT "staff"."id", "staff"."email", "staff"."name", "staff"."role", "staff"."agency_id", "staff"."password_hash", "staff"."active", "staff"."created_at", "staff"."updated_at" FROM "staff" WHERE "staff"."id" = :actor LIMIT 1;
BEGIN;
SELECT "people"."id", "people"."given_name", "people"."family_name", "people"."date_of_birth", "people"."pnc_id", "people"."crn", "people"."mobile", "people"."email", "people"."language", "people"."sms_consent", "people"."email_consent", "people"."sms_opted_out_at", "people"."tier", "people"."rosh", "people"."mappa_level", "people"."photo_ref", "people"."wanted", "people"."cohort_status", "people"."strand", "people"."version", "people"."created_at", "people"."updated_at" FROM "people" WHERE "people"."id" = bench_person_id(:n) LIMIT 1;
INSERT INTO "contacts" ("id", "person_id", "staff_id", "contact_type", "occurred_at", "status", "outcome", "notes", "sensitive", "appointment_id", "home_visit_id", "supersedes_id", "created_at") VALUES (bench_uuid_v7(), bench_person_id(:n), :actor, 'telephone', now() - interval '1 hour', 'completed', NULL, NULL, false, NULL, NULL, NULL, now()) RETURNING "id", "person_id", "staff_id", "contact_type", "occurred_at", "status", "outcome", "notes", "sensitive", "appointment_id", "home_visit_id", "supersedes_id", "created_at" \gset c_
SELECT "caseload_facts"."person_id", "caseload_facts"."standards_since", "caseload_facts"."contacts", "caseload_facts"."appointments", "caseload_facts"."enforcement", "caseload_facts"."home_visits" FROM "caseload_facts" WHERE "caseload_facts"."person_id" = bench_person_id(:n) LIMIT 1 FOR NO KEY UPDATE;
UPDATE "caseload_facts" SET "contacts" = '\x0101feb2f0b899b5b0060a9ce2a4bad596a906029ce590bec5efa90602c6cf8eaef4b3aa06008ae989b692ebab0601929eceb996f4ab0602b4cfa7efe1bfac0600b0bdf586d6a0ad0602d0b0f9fca8acae0601a2cef1a3bb95af0600feb2f0b899b5b00602'::bytea WHERE "caseload_facts"."person_id" = bench_person_id(:n);
INSERT INTO "audit_events" ("id", "occurred_at", "actor_id", "actor_role", "action", "person_id", "entity", "entity_id", "purpose", "request_id", "detail") VALUES (bench_uuid_v7(), now(), :actor, 'offender_manager', 'collect', bench_person_id(:n), 'contact', :c_id, 'offender_management', '01a201a6-a05a-7564-8141-0ce34b517e72', NULL);
COMMIT;
