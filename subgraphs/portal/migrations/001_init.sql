-- The portal's own database: the catalogue (reference data written by the seed) and the applications
-- citizens submit through the single intake. Citizens themselves live in identity: no table here.

CREATE TABLE agencies (
  code text PRIMARY KEY,
  name text NOT NULL,
  ruc text NOT NULL CHECK (ruc ~ '^[0-9]{11}$'),
  website text NOT NULL
);

CREATE TABLE offices (
  id text PRIMARY KEY,
  -- Null for MAC centres: the PCM runs them and they host several agencies.
  agency_code text REFERENCES agencies (code),
  name text NOT NULL,
  address text NOT NULL,
  district text NOT NULL,
  hours text NOT NULL,
  latitude double precision NOT NULL,
  longitude double precision NOT NULL
);

CREATE TABLE procedures (
  slug text PRIMARY KEY,
  agency_code text NOT NULL REFERENCES agencies (code),
  title text NOT NULL,
  summary text NOT NULL,
  description text NOT NULL,
  -- Accent-stripped lower-case title and summary, written by the seed with the same function that
  -- normalises search input (no unaccent extension: it must run on PGlite too).
  search_text text NOT NULL,
  fee_amount numeric(12, 2) NOT NULL CHECK (fee_amount >= 0),
  fee_uit_percent numeric,
  fee_as_of date NOT NULL,
  payment_code text,
  processing_days integer NOT NULL CHECK (processing_days >= 0),
  approval text NOT NULL CHECK (approval IN ('AUTOMATIC', 'EVALUATION_POSITIVE_SILENCE', 'EVALUATION_NEGATIVE_SILENCE')),
  legal_basis text[] NOT NULL
);

-- Pages are ordered by title, with the slug breaking ties (keyset pagination).
CREATE INDEX procedures_by_title ON procedures (title, slug);

CREATE TABLE procedure_requirements (
  slug text NOT NULL REFERENCES procedures (slug),
  position integer NOT NULL,
  code text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('STATUS_CHECK', 'DOCUMENT')),
  description text NOT NULL,
  agency_code text NOT NULL REFERENCES agencies (code),
  PRIMARY KEY (slug, position),
  UNIQUE (slug, code)
);

CREATE TABLE procedure_channels (
  slug text NOT NULL REFERENCES procedures (slug),
  kind text NOT NULL CHECK (kind IN ('ONLINE', 'IN_PERSON')),
  url text,
  appointment_required boolean NOT NULL,
  PRIMARY KEY (slug, kind)
);

CREATE TABLE channel_offices (
  slug text NOT NULL,
  kind text NOT NULL,
  office_id text NOT NULL REFERENCES offices (id),
  PRIMARY KEY (slug, kind, office_id),
  FOREIGN KEY (slug, kind) REFERENCES procedure_channels (slug, kind)
);

-- Case numbers CUT-<year>-<number>: the number never restarts, so an id is unique whatever its year.
CREATE SEQUENCE application_number;

CREATE TABLE applications (
  id text PRIMARY KEY,
  dni text NOT NULL CHECK (dni ~ '^[0-9]{8}$'),
  procedure_slug text NOT NULL,
  channel text NOT NULL,
  office_id text REFERENCES offices (id),
  status text NOT NULL CHECK (status IN ('SUBMITTED', 'IN_REVIEW', 'ACTION_REQUIRED', 'APPROVED', 'READY_FOR_PICKUP', 'COMPLETED', 'REJECTED', 'CANCELLED')),
  next_step text,
  submitted_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  -- Chosen by the client once per intended application: a retry with the same key finds this row.
  idempotency_key text NOT NULL,
  UNIQUE (dni, idempotency_key),
  FOREIGN KEY (procedure_slug, channel) REFERENCES procedure_channels (slug, kind)
);

-- A citizen's applications, newest first.
CREATE INDEX applications_by_citizen ON applications (dni, submitted_at DESC);

CREATE TABLE application_events (
  application_id text NOT NULL REFERENCES applications (id),
  at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('SUBMITTED', 'IN_REVIEW', 'ACTION_REQUIRED', 'APPROVED', 'READY_FOR_PICKUP', 'COMPLETED', 'REJECTED', 'CANCELLED')),
  note text NOT NULL,
  -- Also what lets the seed run twice without duplicating a timeline.
  PRIMARY KEY (application_id, at)
);
