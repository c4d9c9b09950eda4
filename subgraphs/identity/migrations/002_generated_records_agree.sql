-- Before seeding restated the personas and wrote a generated citizen only once, seeding on a later day
-- could add a marriage (and divorce) record to a generated citizen (DNIs 50000000-59999999) who had
-- turned 23 (or 60) since, while their citizens row kept the marital status of the first seed: SINGLE.
-- The seed never gives a single citizen such records; those rows go. Same on PostgreSQL and PGlite;
-- on an empty database it changes nothing.
DELETE FROM civil_records r
 USING citizens c
 WHERE r.dni = c.dni
   AND c.dni LIKE '5%'
   AND c.marital_status = 'SINGLE'
   AND r.kind IN ('MARRIAGE', 'DIVORCE');
