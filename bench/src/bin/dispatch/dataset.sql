-- The dispatch benchmark's data (PostgreSQL): {people} people, each with {per_person} booked appointments
-- in the future, one pending SMS reminder per appointment, and one due `send_notification` job per
-- reminder, shaped as `notifications::plan` makes them. Everything is due now: the whole queue is ready at
-- once. `{people}` and `{per_person}` are replaced by the bench. Runs after the tables were truncated.

-- Row n of table t gets a time-ordered id, like the UUIDv7 ids the application makes, so that inserts and
-- lookups touch the primary key indexes the way the application's do.
CREATE OR REPLACE FUNCTION dispatch_bench_id(t int, n bigint) RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT ('0190000' || t || '-0000-7000-8000-' || lpad(to_hex(n), 12, '0'))::uuid $$;

INSERT INTO people (id, given_name, family_name, date_of_birth, pnc_id, crn, mobile, email, language,
                    sms_consent, email_consent, sms_opted_out_at, tier, rosh, mappa_level, photo_ref, wanted,
                    cohort_status, strand, version, created_at, updated_at)
SELECT dispatch_bench_id(1, p), 'Bench', 'Person ' || p, DATE '1970-01-01' + (p % 10000)::int,
       NULL, NULL, '+4477009' || lpad(p::text, 5, '0'), NULL, 'en',
       true, false, NULL, NULL, NULL, NULL, NULL, false,
       'adopted', 'rehabilitate_resettle', 1, now(), now()
FROM generate_series(1, {people}) AS p;

-- Appointment k of person p starts k hours after 09:00 three days from now: all in the future, none at
-- the same time for one person.
INSERT INTO appointments (id, person_id, staff_id, appointment_type, starts_at, ends_at, location, status,
                          remind, outcome, version, created_at, updated_at)
SELECT dispatch_bench_id(2, a.n), dispatch_bench_id(1, a.p), NULL,
       (ARRAY['office_visit', 'telephone', 'drug_test', 'unpaid_work', 'court_hearing'])[1 + a.n % 5],
       a.starts_at, a.starts_at + interval '1 hour', 'Bench Probation Office, 1 High Street', 'booked',
       true, NULL, 1, now(), now()
FROM (
  SELECT (p - 1) * {per_person} + k AS n, p,
         date_trunc('day', now()) + interval '3 days 9 hours' + k * interval '1 hour' AS starts_at
  FROM generate_series(1, {people}) AS p, generate_series(1, {per_person}) AS k
) AS a;

-- One reminder per appointment, due a minute ago (the key is shaped like ReminderPolicy::idempotency_key).
INSERT INTO notifications (id, person_id, appointment_id, channel, template, idempotency_key, send_at, status,
                           reason, provider_ref, provider_id, attempts, created_at, updated_at)
SELECT dispatch_bench_id(3, a.n), dispatch_bench_id(1, a.p), dispatch_bench_id(2, a.n), 'sms',
       'appointment_reminder', dispatch_bench_id(2, a.n) || ':48h:' || a.n || ':sms',
       now() - interval '1 minute', 'pending', NULL, NULL, NULL, 0, now(), now()
FROM (
  SELECT (p - 1) * {per_person} + k AS n, p
  FROM generate_series(1, {people}) AS p, generate_series(1, {per_person}) AS k
) AS a;

-- Its send job, as jobs::enqueue writes it (priority 0, 5 attempts, unique key send_notification:<id>).
INSERT INTO jobs (id, kind, payload, run_at, priority, attempts, max_attempts, unique_key, state,
                  lease_expires_at, epoch, locked_by, last_error, created_at, updated_at)
SELECT dispatch_bench_id(4, n.n), 'send_notification', json_build_object('notification_id', n.id), n.send_at,
       0, 0, 5, 'send_notification:' || n.id, 'available', NULL, 0, NULL, NULL, now(), now()
FROM (SELECT id, send_at, row_number() OVER (ORDER BY id) AS n FROM notifications) AS n;
