-- POST /api/v1/people/{id}/contacts (telephone, completed, no outcome): the API's SQL, audit insert included.
-- Mirrors what log_contact sends for a contact without appointment, visit, correction or outcome (so no
-- enforcement-rule read and no enforcement step): the Caller's staff read, then in one transaction the
-- person read (load_visible), the contact insert, the person's caseload facts (lock the facts row and read
-- it back, store the contacts part with the new contact added) and the `collect` audit event.
-- Captured with log_statement = 'all'. Run with -M prepared.
-- Differences from the API: ids come from bench_uuid_v7/bench_person_id, and the stored contacts are a
-- fixed JSON of ten contacts (the API builds the person's own, of about that size, in Rust).
-- Variables: -D people=<caseload size> -D actor=<officer staff id>. Used by the `caseload` bench.
\set n random(1, :people)
SELECT "staff"."id", "staff"."email", "staff"."name", "staff"."role", "staff"."agency_id", "staff"."password_hash", "staff"."active", "staff"."created_at", "staff"."updated_at" FROM "staff" WHERE "staff"."id" = :actor LIMIT 1;
BEGIN;
SELECT "people"."id", "people"."given_name", "people"."family_name", "people"."date_of_birth", "people"."pnc_id", "people"."crn", "people"."mobile", "people"."email", "people"."language", "people"."sms_consent", "people"."email_consent", "people"."sms_opted_out_at", "people"."tier", "people"."rosh", "people"."mappa_level", "people"."photo_ref", "people"."wanted", "people"."cohort_status", "people"."strand", "people"."version", "people"."created_at", "people"."updated_at" FROM "people" WHERE "people"."id" = bench_person_id(:n) LIMIT 1;
INSERT INTO "contacts" ("id", "person_id", "staff_id", "contact_type", "occurred_at", "status", "outcome", "notes", "sensitive", "appointment_id", "home_visit_id", "supersedes_id", "created_at") VALUES (bench_uuid_v7(), bench_person_id(:n), :actor, 'telephone', now() - interval '1 hour', 'completed', NULL, NULL, false, NULL, NULL, NULL, now()) RETURNING "id", "person_id", "staff_id", "contact_type", "occurred_at", "status", "outcome", "notes", "sensitive", "appointment_id", "home_visit_id", "supersedes_id", "created_at" \gset c_
INSERT INTO "caseload_facts" ("person_id") VALUES (bench_person_id(:n)) ON CONFLICT ("person_id") DO UPDATE SET "person_id" = "excluded"."person_id" RETURNING "person_id", "standards_since", "contacts", "appointments", "enforcement", "home_visits";
UPDATE "caseload_facts" SET "contacts" = '{"last_completed":"2026-11-22T03:08:44.681407Z","recent":[{"at":"2026-05-21T21:34:00.489102Z","type":"telephone"},{"at":"2026-06-08T13:41:45.393486Z","type":"telephone"},{"at":"2026-06-22T03:57:07.936227Z","type":"face_to_face_office"},{"at":"2026-07-28T14:22:58.878021Z","type":"home_visit"},{"at":"2026-07-30T09:28:58.277769Z","type":"telephone"},{"at":"2026-08-14T10:12:31.102938Z","type":"face_to_face_office"},{"at":"2026-09-02T16:40:12.556120Z","type":"telephone"},{"at":"2026-09-30T11:05:43.990312Z","type":"home_visit"},{"at":"2026-10-21T08:51:27.004561Z","type":"face_to_face_office"},{"at":"2026-11-22T03:08:44.681407Z","type":"telephone"}]}' WHERE "caseload_facts"."person_id" = bench_person_id(:n);
INSERT INTO "audit_events" ("id", "occurred_at", "actor_id", "actor_role", "action", "person_id", "entity", "entity_id", "purpose", "request_id", "detail") VALUES (bench_uuid_v7(), now(), :actor, 'offender_manager', 'collect', bench_person_id(:n), 'contact', :c_id, 'offender_management', '01a201a6-a05a-7564-8141-0ce34b517e72', NULL);
COMMIT;
