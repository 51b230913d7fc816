-- GET /api/v1/people?q=<prefix>&per_page=25: the API's SQL, audit insert included.
-- Generated to mirror, statement for statement, what the API sends for one people search (captured with
-- log_statement = 'all' from a run of vigil-bench; see bench/README.md). Run with pgbench -M prepared, as
-- sqlx prepares every statement. Variables: -D people=<cohort size> -D actor=<coordinator staff id>.
-- Differences from the API, all small: ids are computed in SQL (bench_person_id, bench_uuid_v7; the API
-- makes audit ids in Rust), LIMIT/OFFSET are literals instead of parameters, the prefix and its upper
-- bound are picked from arrays by :k (the API binds them: 'smi' and 'smj' for q=smi),
-- and the 25 audited person ids are random people (the API audits the 25 it found; the insert costs the
-- same).
\set k random(1, 16)
\set n random(1, :people - 25)
-- The Caller extractor: the signed-in user is re-read on every request (outside the transaction).
SELECT "staff"."id", "staff"."email", "staff"."name", "staff"."role", "staff"."agency_id", "staff"."password_hash", "staff"."active", "staff"."created_at", "staff"."updated_at" FROM "staff" WHERE "staff"."id" = :actor LIMIT 1;
BEGIN;
-- page::fetch_capped: the page, in index order, then the total counted up to 1,001 rows (every prefix
-- here fills the first page, so the API always counts). :k picks the family-name prefix (q=ha, smi, ...
-- as SEARCH_FRAGMENTS) and its upper bound (prefix_upper_bound).
SELECT "people"."id", "people"."given_name", "people"."family_name", "people"."date_of_birth", "people"."pnc_id", "people"."crn", "people"."mobile", "people"."email", "people"."language", "people"."sms_consent", "people"."email_consent", "people"."sms_opted_out_at", "people"."tier", "people"."rosh", "people"."mappa_level", "people"."photo_ref", "people"."wanted", "people"."cohort_status", "people"."strand", "people"."version", "people"."created_at", "people"."updated_at" FROM "people" WHERE "people"."family_key" >= (ARRAY['ha', 'smi', 'wil', 'jo', 'har', 'thom', 'rob', 'bro', 'tay', 'mor', 'eva', 'wri', 'pat', 'kha', 'obr', 'ngu'])[:k] AND "people"."family_key" < (ARRAY['hb', 'smj', 'wim', 'jp', 'has', 'thon', 'roc', 'brp', 'taz', 'mos', 'evb', 'wrj', 'pau', 'khb', 'obs', 'ngv'])[:k] ORDER BY "people"."family_key" ASC, "people"."given_key" ASC, "people"."id" ASC LIMIT 25 OFFSET 0;
SELECT COUNT(*) AS num_items FROM (SELECT 1 FROM "people" WHERE "people"."family_key" >= (ARRAY['ha', 'smi', 'wil', 'jo', 'har', 'thom', 'rob', 'bro', 'tay', 'mor', 'eva', 'wri', 'pat', 'kha', 'obr', 'ngu'])[:k] AND "people"."family_key" < (ARRAY['hb', 'smj', 'wim', 'jp', 'has', 'thon', 'roc', 'brp', 'taz', 'mos', 'evb', 'wrj', 'pau', 'khb', 'obs', 'ngv'])[:k] LIMIT 1001) AS "capped";
-- audit::append_many: one consultation event per person shown (25 rows), one statement over one array per
-- column (the API binds the arrays; here they are built in SQL), nothing returned.
INSERT INTO audit_events (id, occurred_at, actor_id, actor_role, action, person_id, entity, entity_id, purpose, request_id, detail) SELECT e.id, now()::timestamptz, NULLIF(e.actor_id, '00000000-0000-0000-0000-000000000000'), e.actor_role #>> '{}', e.action, NULLIF(e.person_id, '00000000-0000-0000-0000-000000000000'), e.entity, NULLIF(e.entity_id, '00000000-0000-0000-0000-000000000000'), e.purpose, e.request_id #>> '{}', NULLIF(e.detail, 'null'::jsonb)::json FROM UNNEST(ARRAY(SELECT bench_uuid_v7() FROM generate_series(1, 25)), array_fill(CAST(:actor AS uuid), ARRAY[25]), array_fill('"coordinator"'::jsonb, ARRAY[25]), array_fill('consult'::text, ARRAY[25]), ARRAY(SELECT bench_person_id(:n + i) FROM generate_series(1, 25) AS i), array_fill('people_search'::text, ARRAY[25]), array_fill('00000000-0000-0000-0000-000000000000'::uuid, ARRAY[25]), array_fill('cohort_management'::text, ARRAY[25]), array_fill('"01a201a6-a05a-7564-8141-0ce34b517e72"'::jsonb, ARRAY[25]), array_fill('null'::jsonb, ARRAY[25])) AS e(id, actor_id, actor_role, action, person_id, entity, entity_id, purpose, request_id, detail);
COMMIT;
