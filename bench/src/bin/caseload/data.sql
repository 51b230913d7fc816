-- The caseload data set, on top of the cohort of src/cohort.sql (people, addresses, risk markers, custody):
-- {other_staff} more offender managers; every person adopted with an `adopt` membership step; every
-- person allocated (offender_manager, to_at NULL), persons 1..{caseload} to the measured officer and the
-- rest spread over the other offender managers; {appointments} appointments and {contacts} contacts per
-- person; pending enforcement steps and planned home visits for some. `{…}` are replaced by the bench.
-- Bulk rows get ordered ids ('0180…', older than the API's UUIDv7 ids) so the primary keys are appended.

SELECT setseed(0.2424);

CREATE OR REPLACE FUNCTION bench_seq_id(prefix int, n bigint) RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT ('0180' || lpad(to_hex(prefix), 4, '0') || '-0000-7000-8000-' || lpad(to_hex(n), 12, '0'))::uuid $$;

INSERT INTO staff (id, email, name, role, agency_id, password_hash, active, created_at, updated_at)
SELECT bench_seq_id(1, g), 'bench.om.' || g || '@example.org', 'Bench Offender Manager ' || g,
       'offender_manager', NULL, s.password_hash, true, now(), now()
FROM generate_series(1, {other_staff}) AS g,
     (SELECT password_hash FROM staff WHERE id = '{officer}') AS s;

UPDATE people SET cohort_status = 'adopted' WHERE cohort_status IS DISTINCT FROM 'adopted';

-- Allocations: replace the cohort's active ones.
DELETE FROM allocations WHERE to_at IS NULL;
INSERT INTO allocations (id, person_id, staff_id, role, from_at, to_at, created_by)
SELECT bench_seq_id(2, g), bench_person_id(g),
       CASE WHEN g <= {caseload} THEN '{officer}'::uuid
            ELSE o.ids[1 + (g % array_length(o.ids, 1))::int] END,
       'offender_manager', now() - random() * interval '600 days', NULL, NULL
FROM generate_series(1, {people}) AS g,
     (SELECT array_agg(id ORDER BY id) AS ids FROM staff
      WHERE role = 'offender_manager' AND id <> '{officer}') AS o;

-- Adoption steps: when the contact standards start to run.
INSERT INTO memberships (id, person_id, action, status, strand, reason, exit_plan, police_lead_id,
                         probation_lead_id, actor_id, occurred_at)
SELECT bench_seq_id(3, g), bench_person_id(g), 'adopt', 'adopted',
       coalesce(p.strand, 'prevent_deter'), 'Bench adoption', NULL, NULL, NULL, NULL,
       now() - (30 + random() * 700) * interval '1 day'
FROM generate_series(1, {people}) AS g
JOIN people p ON p.id = bench_person_id(g);

-- Appointments: starts spread over ±180 days; past ones outcomed except 2 % left without an outcome.
INSERT INTO appointments (id, person_id, staff_id, appointment_type, starts_at, ends_at, location, status,
                          remind, outcome, version, created_at, updated_at)
SELECT bench_seq_id(4, k * {people} + g), bench_person_id(g),
       CASE WHEN g <= {caseload} THEN '{officer}'::uuid END,
       (ARRAY['office_visit','telephone','home_visit','drug_test','programme_session'])[1 + (k % 5)],
       s, s + interval '1 hour', 'Bench office', st, st = 'booked',
       CASE WHEN st = 'outcomed' THEN 'attended_complied' END,
       1, s - interval '21 days', s - interval '21 days'
FROM (SELECT g, k, s,
             CASE WHEN s > now() OR random() < 0.02 THEN 'booked' ELSE 'outcomed' END AS st
      FROM (SELECT g, k, now() + (random() * 360 - 180) * interval '1 day' AS s
            FROM generate_series(0, {appointments} - 1) AS k, generate_series(1, {people}) AS g) AS a
     ) AS b;

-- Contacts: person-interleaved in time order (k outer), as a live system writes them, over two years.
INSERT INTO contacts (id, person_id, staff_id, contact_type, occurred_at, status, outcome, notes, sensitive,
                      appointment_id, home_visit_id, supersedes_id, created_at)
SELECT bench_seq_id(5, k * {people} + g), bench_person_id(g), NULL,
       (ARRAY['face_to_face_office','home_visit','telephone'])[1 + floor(random() * 3)::int],
       t, CASE WHEN random() < 0.85 THEN 'completed' ELSE 'attempted' END,
       NULL, NULL, false, NULL, NULL, NULL, t
FROM (SELECT g, k,
             now() - (730.0 * ({contacts} - k) / {contacts} - random() * 730.0 / {contacts}) * interval '1 day' AS t
      FROM generate_series(0, {contacts} - 1) AS k, generate_series(1, {people}) AS g) AS c;

-- Enforcement: a pending step for one person in twelve, a completed one for one in six.
INSERT INTO enforcement_actions (id, person_id, contact_id, action, status, due_by, completed_at,
                                 completed_by, created_at)
SELECT bench_seq_id(6, g), bench_person_id(g), NULL,
       CASE WHEN g % 24 = 0 THEN 'breach' ELSE 'warning' END,
       CASE WHEN g % 12 = 0 THEN 'pending' ELSE 'completed' END,
       now() + (random() * 20 - 10) * interval '1 day',
       CASE WHEN g % 12 <> 0 THEN now() - random() * interval '300 days' END,
       NULL, now() - random() * interval '300 days'
FROM generate_series(1, {people}) AS g
WHERE g % 6 = 0 OR g % 12 = 0;

-- Home visits: planned for one person in eight (some overdue), completed ones for one in four.
INSERT INTO home_visits (id, person_id, window_start, window_end, address, assigned_to, announced, status,
                         follow_up_of, created_by, created_at)
SELECT bench_seq_id(7, g), bench_person_id(g), w, w + interval '4 hours', NULL, NULL, g % 3 = 0,
       CASE WHEN g % 8 = 0 THEN 'planned' ELSE 'completed' END, NULL, NULL, w - interval '7 days'
FROM (SELECT g, now() + (CASE WHEN g % 8 = 0 THEN random() * 30 - 5 ELSE -random() * 300 END)
                         * interval '1 day' AS w
      FROM generate_series(1, {people}) AS g WHERE g % 4 = 0 OR g % 8 = 0) AS v;

ANALYZE;
