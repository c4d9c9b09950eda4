-- The desk's queue (domain.md §7) sorts an agency's open applications by the day each is due, and
-- counts the overdue: the day is fixed when the application is submitted (its procedure's processing
-- days then, in business days), so it is stored with it. Rows from before this migration get theirs
-- from the portal when it starts (dueDates.ts): the holidays table lives in code, not in SQL.
ALTER TABLE applications ADD COLUMN due_on date;
CREATE INDEX applications_open_by_due ON applications (due_on, id)
  WHERE status IN ('SUBMITTED', 'IN_REVIEW', 'ACTION_REQUIRED');

-- Every event gets a place in one sequence: the live stream of a citizen's applications names each
-- event by it, so that a client reconnecting with Last-Event-ID gets exactly what followed.
ALTER TABLE application_events ADD COLUMN id bigserial;
CREATE UNIQUE INDEX application_events_by_id ON application_events (id);

-- The desk's figures count every application of an agency's procedures, whatever their status.
CREATE INDEX applications_by_procedure ON applications (procedure_slug);
