-- The lifecycle (domain.md §7): an application's version, bumped by every move, so that two officials
-- moving it at once cannot both win; and who made each event, from which status, at which office.
ALTER TABLE applications ADD COLUMN version integer NOT NULL DEFAULT 1;

ALTER TABLE application_events
  ADD COLUMN from_status text CHECK (from_status IN ('SUBMITTED', 'IN_REVIEW', 'ACTION_REQUIRED', 'APPROVED', 'READY_FOR_PICKUP', 'COMPLETED', 'REJECTED', 'CANCELLED')),
  -- CITIZEN (the applicant), OFFICIAL (id, name, agency), or SYSTEM (the platform itself, the seed).
  ADD COLUMN actor_kind text NOT NULL DEFAULT 'SYSTEM' CHECK (actor_kind IN ('CITIZEN', 'OFFICIAL', 'SYSTEM')),
  ADD COLUMN actor_id text,
  ADD COLUMN actor_name text,
  ADD COLUMN actor_agency text,
  ADD COLUMN office_id text REFERENCES offices (id);

-- What an official's queue reads: an agency's open applications, by due date.
CREATE INDEX applications_by_status ON applications (status, procedure_slug);
