-- Applications written by the sample-data seed are marked, so that seeding again (on a later day) can
-- restate them without ever touching one a citizen started through startApplication.
-- Plain SQL that runs the same on PostgreSQL and PGlite, on an empty database or one already seeded.

ALTER TABLE applications ADD COLUMN seeded boolean NOT NULL DEFAULT false;

-- Until now the seed keyed its rows 'seed-' || id, and the id took the year of a submission date
-- relative to the seed's day: seeding on a later day could write a second copy of an application under
-- a new case number, and every seed added its own timeline to the ones already there.
UPDATE applications SET seeded = true WHERE idempotency_key = 'seed-' || id;

-- Generated citizens' applications (serials from 1000) and their timelines go; the next seed writes
-- each of them once, with a consistent timeline. Nobody names their case numbers.
DELETE FROM application_events
 WHERE application_id IN (SELECT id FROM applications WHERE seeded AND split_part(id, '-', 3)::bigint >= 1000);
DELETE FROM applications WHERE seeded AND split_part(id, '-', 3)::bigint >= 1000;

-- The personas' applications keep the case number of their first seed (the lowest year: the seed's day
-- only moves forward); later copies go, with their timelines. The seed rewrites the timelines kept.
DELETE FROM application_events
 WHERE application_id IN (
   SELECT later.id FROM applications later
    WHERE later.seeded AND EXISTS (
      SELECT 1 FROM applications first
       WHERE first.seeded AND first.dni = later.dni AND first.id < later.id
         AND split_part(first.id, '-', 3)::bigint = split_part(later.id, '-', 3)::bigint));
DELETE FROM applications later
 WHERE later.seeded AND EXISTS (
   SELECT 1 FROM applications first
    WHERE first.seeded AND first.dni = later.dni AND first.id < later.id
      AND split_part(first.id, '-', 3)::bigint = split_part(later.id, '-', 3)::bigint);

-- The stable key the seed uses from now on: 'seed-' and the serial, whatever the year in the id.
UPDATE applications SET idempotency_key = 'seed-' || split_part(id, '-', 3)::bigint WHERE seeded;
