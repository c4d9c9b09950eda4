-- A generated fine's number is SAT-<year issued>-<serial from 1000000>, and its issue date was relative
-- to the seed's day: seeding again on a day that moved an issue date into another year wrote the fine a
-- second time under a new number. Keep each generated fine's first number (the earliest year: the
-- seed's day only moves forward) and drop the later copies. Text comparisons only, so that no number
-- of another shape can fail a cast. Same on PostgreSQL and PGlite; on an empty database it changes nothing.
DELETE FROM traffic_fines later
 WHERE later.number ~ '^SAT-[0-9]{4}-[0-9]{7}$'
   AND split_part(later.number, '-', 3) >= '1000000'
   AND EXISTS (
     SELECT 1 FROM traffic_fines first
      WHERE first.dni = later.dni
        AND first.number ~ '^SAT-[0-9]{4}-[0-9]{7}$'
        AND split_part(first.number, '-', 3) = split_part(later.number, '-', 3)
        AND first.number < later.number);
