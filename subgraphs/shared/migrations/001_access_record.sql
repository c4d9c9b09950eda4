-- The record of every read of the personal data this agency serves (README, "The record of every
-- read"): append-only and chained. Every subgraph's database has it, applied before its own migrations.
CREATE TABLE access_record (
  -- 1, 2, 3, ... with no gap: assigned under a lock by the one writer (accessRecord.ts).
  position bigint PRIMARY KEY CHECK (position > 0),
  at timestamptz NOT NULL,
  -- Whose data.
  dni text NOT NULL,
  -- The agency whose data it is (one subgraph may serve several: transport serves MTC, SAT, SUNARP).
  agency text NOT NULL,
  -- Which fields, as coordinates (Citizen.trafficFines).
  fields text[] NOT NULL,
  accessor_kind text NOT NULL CHECK (accessor_kind IN ('CITIZEN', 'OFFICIAL', 'AGENCY')),
  accessor_id text NOT NULL,
  accessor_name text,
  accessor_agency text,
  purpose text,
  request_id text NOT NULL,
  -- sha256 of this entry's contents and previous_hash (hex); previous_hash of the first is 64 zeros.
  previous_hash text NOT NULL,
  hash text NOT NULL
);

-- A citizen's entries newest first: how `dataAccess` pages them.
CREATE INDEX access_record_by_citizen ON access_record (dni, at DESC, position DESC);

-- Append-only, whoever connects: the service's role cannot UPDATE, DELETE or TRUNCATE an entry. The
-- same on PostgreSQL and PGlite, which has no roles to grant to.
CREATE FUNCTION access_record_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'access_record is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER access_record_no_update_or_delete BEFORE UPDATE OR DELETE ON access_record
  FOR EACH ROW EXECUTE FUNCTION access_record_is_append_only();
CREATE TRIGGER access_record_no_truncate BEFORE TRUNCATE ON access_record
  FOR EACH STATEMENT EXECUTE FUNCTION access_record_is_append_only();
