-- GET /api/v1/people?q=<prefix>&per_page=25 without the audit: the read-only floor.
-- Generated to mirror, statement for statement, what the API sends for one people search (captured with
-- log_statement = 'all' from a run of vigil-bench; see bench/README.md). Run with pgbench -M prepared, as
-- sqlx prepares every statement. Variables: -D people=<cohort size> -D actor=<coordinator staff id>.
-- Differences from the API, all small: the prefix and its upper bound are picked from arrays by :k (the
-- API binds them: 'smi' and 'smj' for q=smi) and the count's LIMIT 1001 is a literal (the API binds it;
-- the page's LIMIT and OFFSET are literals in both).
\set k random(1, 16)
-- The Caller extractor: the signed-in user is re-read on every request (its own statement, no transaction).
SELECT "staff"."id", "staff"."email", "staff"."name", "staff"."role", "staff"."agency_id", "staff"."password_hash", "staff"."active", "staff"."created_at", "staff"."updated_at" FROM "staff" WHERE "staff"."id" = :actor LIMIT 1;
-- page::fetch_capped: the page, in index order, with the total counted up to 1,001 rows as a scalar
-- subquery in the same statement. :k picks the family-name prefix (q=ha, smi, ... as SEARCH_FRAGMENTS)
-- and its upper bound (prefix_upper_bound).
SELECT "people"."id", "people"."given_name", "people"."family_name", "people"."date_of_birth", "people"."pnc_id", "people"."crn", "people"."mobile", "people"."email", "people"."language", "people"."sms_consent", "people"."email_consent", "people"."sms_opted_out_at", "people"."tier", "people"."rosh", "people"."mappa_level", "people"."photo_ref", "people"."wanted", "people"."cohort_status", "people"."strand", "people"."version", "people"."created_at", "people"."updated_at", (SELECT COUNT(*) AS num_items FROM (SELECT 1 FROM "people" WHERE "people"."family_key" >= (ARRAY['ha', 'smi', 'wil', 'jo', 'har', 'thom', 'rob', 'bro', 'tay', 'mor', 'eva', 'wri', 'pat', 'kha', 'obr', 'ngu'])[:k] AND "people"."family_key" < (ARRAY['hb', 'smj', 'wim', 'jp', 'has', 'thon', 'roc', 'brp', 'taz', 'mos', 'evb', 'wrj', 'pau', 'khb', 'obs', 'ngv'])[:k] LIMIT 1001) AS "capped") AS "capped_total" FROM "people" WHERE "people"."family_key" >= (ARRAY['ha', 'smi', 'wil', 'jo', 'har', 'thom', 'rob', 'bro', 'tay', 'mor', 'eva', 'wri', 'pat', 'kha', 'obr', 'ngu'])[:k] AND "people"."family_key" < (ARRAY['hb', 'smj', 'wim', 'jp', 'has', 'thon', 'roc', 'brp', 'taz', 'mos', 'evb', 'wrj', 'pau', 'khb', 'obs', 'ngv'])[:k] ORDER BY "people"."family_key" ASC, "people"."given_key" ASC, "people"."id" ASC LIMIT 25 OFFSET 0;
