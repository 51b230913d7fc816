-- The synthetic cohort: {people} people with a realistic spread of names, identifiers and cohort positions,
-- their address histories, risk markers, allocations to two offender managers and custody periods.
-- Deterministic (setseed) so that every run loads the same cohort. `{people}` is replaced by the bench.

-- Person n has the id bench_person_id(n): time-ordered like the UUIDv7 ids the API makes, and computable
-- by pgbench scripts without an extra lookup.
CREATE OR REPLACE FUNCTION bench_person_id(n bigint) RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT ('01900000-0000-7000-8000-' || lpad(to_hex(n), 12, '0'))::uuid $$;

-- A UUIDv7 (millisecond timestamp + random bits) like `Uuid::now_v7()`, for the rows pgbench inserts,
-- so that its audit inserts hit the primary key index the way the API's do (appending, not scattering).
CREATE OR REPLACE FUNCTION bench_uuid_v7() RETURNS uuid
LANGUAGE sql VOLATILE
AS $$
  SELECT encode(
    set_bit(set_bit(
      overlay(uuid_send(gen_random_uuid())
              PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
              FROM 1 FOR 6),
      52, 1), 53, 1),
    'hex')::uuid
$$;

SELECT setseed(0.4242);

-- The search keys are vigil_domain::name_key of each name, which for these names (ASCII letters, hyphens
-- and apostrophes, single words) is lower case without apostrophes; cohort.rs checks every distinct name
-- against name_key after loading.
INSERT INTO people (id, given_name, family_name, given_key, family_key, date_of_birth, pnc_id, crn, mobile,
                    email, language, sms_consent, email_consent, sms_opted_out_at, tier, rosh, mappa_level,
                    photo_ref, wanted, cohort_status, strand, version, created_at, updated_at)
SELECT bench_person_id(g),
       given,
       family,
       lower(replace(given, '''', '')),
       lower(replace(family, '''', '')),
       DATE '1965-01-01' + (random() * 14000)::int,
       CASE WHEN random() < 0.85 THEN
         yyyy::text || '/' || lpad(g::text, 7, '0')
         || substr('ZABCDEFGHJKLMNPQRTUVWXY', (((yyyy % 100)::bigint * 10000000 + g) % 23)::int + 1, 1)
       END,
       CASE WHEN random() < 0.7 THEN chr(65 + (g % 26)::int) || lpad(g::text, 6, '0') END,
       CASE WHEN random() < 0.6 THEN '+447' || lpad(((g * 7919) % 1000000000)::text, 9, '0') END,
       CASE WHEN random() < 0.3 THEN lower(given) || '.' || g || '@example.org' END,
       CASE WHEN random() < 0.05 THEN 'cy' ELSE 'en' END,
       random() < 0.7,
       random() < 0.3,
       NULL,
       (ARRAY['A','B','C','D','E','F','G'])[1 + floor(random() * 7)::int],
       (ARRAY['low','medium','medium','high','very_high'])[1 + floor(random() * 5)::int],
       CASE WHEN random() < 0.1 THEN (ARRAY['1','2','3'])[1 + floor(random() * 3)::int] END,
       NULL,
       random() < 0.02,
       (ARRAY['adopted','adopted','adopted','proposed','proposed','deselected'])[1 + floor(random() * 6)::int],
       (ARRAY['prevent_deter','catch_convict','rehabilitate_resettle'])[1 + floor(random() * 3)::int],
       1,
       created,
       created
FROM (
  SELECT g,
         1975 + (g % 35) AS yyyy,
         now() - random() * interval '1500 days' AS created,
         -- Skewed picks: common names are much more common than rare ones, as in a real cohort.
         n.given[1 + floor(power(random(), 1.8) * array_length(n.given, 1))::int] AS given,
         CASE WHEN random() < 0.03
           THEN n.family[1 + floor(power(random(), 1.5) * array_length(n.family, 1))::int] || '-'
                || n.family[1 + floor(random() * array_length(n.family, 1))::int]
           ELSE n.family[1 + floor(power(random(), 1.5) * array_length(n.family, 1))::int]
         END AS family
  FROM generate_series(1, {people}) AS g,
       (SELECT
          ARRAY['Jack','James','Daniel','Thomas','Ryan','Liam','Connor','Callum','Jordan','Kyle','Lewis',
                'Joshua','Michael','Mohammed','Dean','Lee','Craig','Darren','Wayne','Jamie','Luke','Adam',
                'Scott','Dylan','Kieran','Aaron','Ben','Sam','Nathan','Jake','Matthew','David','John',
                'Paul','Mark','Steven','Andrew','Christopher','Anthony','Richard','Robert','William','George',
                'Harry','Oliver','Charlie','Reece','Declan','Shane','Gary','Ahmed','Ali','Omar','Tariq',
                'Bilal','Hamza','Imran','Tomasz','Piotr','Marius','Sarah','Emma','Chloe','Jessica','Amy',
                'Laura','Rebecca','Hannah','Gemma','Leanne','Kelly','Stacey','Natalie','Sophie','Megan',
                'Shannon','Paige','Jade','Aisha','Fatima','Zara','Siobhan','Rhian','Carys','Dafydd','Rhys',
                'Owain','Gethin','Tyler','Mason','Alfie','Kai','Tyrone','Marcus','Andre','Leon','Jermaine',
                'Bradley','Stuart','Graham'] AS given,
          ARRAY['Smith','Jones','Williams','Taylor','Brown','Davies','Evans','Wilson','Thomas','Johnson',
                'Roberts','Robinson','Thompson','Wright','Walker','White','Edwards','Hughes','Green','Hall',
                'Lewis','Harris','Clarke','Patel','Jackson','Wood','Turner','Martin','Cooper','Hill','Ward',
                'Morris','Moore','Clark','Lee','King','Baker','Harrison','Morgan','Allen','James','Scott',
                'Phillips','Watson','Davis','Parker','Price','Bennett','Young','Griffiths','Mitchell',
                'Kelly','Cook','Carter','Richardson','Bailey','Collins','Bell','Shaw','Murphy','Miller',
                'Cox','Richards','Khan','Marshall','Anderson','Simpson','Ellis','Adams','Singh','Begum',
                'Wilkinson','Foster','Chapman','Powell','Webb','Rogers','Gray','Mason','Ali','Hunt',
                'Hussain','Campbell','Matthews','Owen','Palmer','Holmes','Mills','Barnes','Knight','Lloyd',
                'Butler','Russell','Barker','Fisher','Stevens','Jenkins','Murray','Dixon','Harvey','Graham',
                'Pearson','Ahmed','Fletcher','Walsh','Kaur','Gibson','Howard','Andrews','Stewart','Elliott',
                'Reynolds','Saunders','Payne','Fox','Ford','Pearce','Day','Brooks','West','Lawrence','Cole',
                'Atkinson','Bradley','Spencer','Gill','Dawson','Ball','Burton','O''Brien','Watts','Rose',
                'Booth','Perry','Ryan','Grant','Wells','Armstrong','Francis','Rees','Hayes','Hart','Hudson',
                'Newman','Barrett','Webster','Hunter','Gregory','Carr','Lowe','Page','Marsh','Riley',
                'Dennis','Farrell','McDonald','O''Neill','Doherty','Kowalski','Nowak','Popescu','Okafor',
                'Mensah','Osei','Nguyen','Chen','Rahman','Iqbal','Mahmood','Akhtar','Sharma','Gordon'] AS family
       ) AS n
) AS src;

-- Addresses: everyone has a current one; a third also have one or two earlier ones.
INSERT INTO addresses (id, person_id, line1, line2, town, postcode, from_date, to_date)
SELECT bench_uuid_v7(), bench_person_id(g), (1 + g % 180) || ' ' ||
       (ARRAY['High Street','Station Road','Church Lane','Park Avenue','Victoria Road','Mill Lane',
              'Queen Street','Green Lane','Manor Road','King Street'])[1 + (g % 10)::int],
       CASE WHEN g % 4 = 0 THEN 'Flat ' || (1 + g % 12) END,
       (ARRAY['Leeds','Bradford','Cardiff','Swansea','Newport','Wakefield','Hull','Sheffield'])[1 + (g % 8)::int],
       (ARRAY['LS','BD','CF','SA','NP','WF','HU','S'])[1 + (g % 8)::int] || (1 + g % 29) || ' ' || (g % 10)
         || chr(65 + (g % 26)::int) || chr(65 + ((g / 26) % 26)::int),
       CURRENT_DATE - (30 + g % 700)::int, NULL
FROM generate_series(1, {people}) AS g;

INSERT INTO addresses (id, person_id, line1, line2, town, postcode, from_date, to_date)
SELECT bench_uuid_v7(), bench_person_id(g), (1 + g % 90) || ' Old Road', NULL, 'Leeds', NULL,
       CURRENT_DATE - (1200 + k * 400 + g % 300)::int, CURRENT_DATE - (731 + (k - 1) * 400 + g % 30)::int
FROM generate_series(1, {people}) AS g, generate_series(1, 2) AS k
WHERE g % 3 = 0 AND (k = 1 OR g % 2 = 0);

-- Risk-to-staff markers: about one person in six, a few of them ended.
INSERT INTO risk_markers (id, person_id, marker, notes, created_by, created_at, ended_at)
SELECT bench_uuid_v7(), bench_person_id(g),
       (ARRAY['violence','weapons','dog_on_premises','drugs','hostile_associates'])[1 + floor(random() * 5)::int],
       CASE WHEN random() < 0.5 THEN 'Recorded after incident on visit' END,
       NULL, now() - random() * interval '900 days',
       CASE WHEN random() < 0.1 THEN now() - random() * interval '30 days' END
FROM generate_series(1, {people}) AS g
WHERE random() < 0.17;

-- Allocations: four in ten people are allocated to one of the two offender managers, some with an
-- earlier, ended allocation.
INSERT INTO allocations (id, person_id, staff_id, role, from_at, to_at, created_by)
SELECT bench_uuid_v7(), bench_person_id(g), om.ids[1 + (g % 2)::int], 'offender_manager',
       now() - random() * interval '600 days', NULL, NULL
FROM generate_series(1, {people}) AS g,
     (SELECT array_agg(id ORDER BY email) AS ids FROM staff WHERE role = 'offender_manager') AS om
WHERE g % 5 < 2;

INSERT INTO allocations (id, person_id, staff_id, role, from_at, to_at, created_by)
SELECT bench_uuid_v7(), bench_person_id(g), om.ids[2 - (g % 2)::int], 'offender_manager',
       now() - interval '900 days', now() - interval '601 days', NULL
FROM generate_series(1, {people}) AS g,
     (SELECT array_agg(id ORDER BY email) AS ids FROM staff WHERE role = 'offender_manager') AS om
WHERE g % 5 < 2 AND g % 7 = 0;

-- Custody periods: one person in ten, most of them released.
INSERT INTO custody_periods (id, person_id, received_at, expected_release_at, released_at, created_at)
SELECT bench_uuid_v7(), bench_person_id(g), received, received + interval '180 days',
       CASE WHEN random() < 0.7 THEN received + interval '170 days' END, received
FROM (SELECT g, now() - random() * interval '1000 days' AS received
      FROM generate_series(1, {people}) AS g WHERE g % 10 = 3) AS c;

-- cohort.rs then vacuums and analyses the tables (VACUUM cannot run inside this script's implicit
-- transaction).
