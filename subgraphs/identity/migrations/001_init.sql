-- RENIEC's registry: people, their identity documents and their civil-registry records.
-- Plain SQL that runs the same on PostgreSQL and PGlite.

CREATE TABLE citizens (
  dni text PRIMARY KEY CHECK (dni ~ '^[0-9]{8}$'),
  given_names text NOT NULL,
  paternal_surname text NOT NULL,
  maternal_surname text NOT NULL,
  birth_date date NOT NULL,
  marital_status text NOT NULL CHECK (marital_status IN ('SINGLE', 'MARRIED', 'DIVORCED', 'WIDOWED'))
);

-- One current document per citizen. EXPIRED is not a stored status: it is derived at read time from
-- expires_on, so that no nightly job has to flip statuses as the calendar moves.
CREATE TABLE identity_documents (
  dni text PRIMARY KEY REFERENCES citizens (dni),
  kind text NOT NULL CHECK (kind IN ('AZUL', 'DNIE')),
  issued_on date NOT NULL,
  expires_on date NOT NULL CHECK (expires_on > issued_on),
  status text NOT NULL CHECK (status IN ('VALID', 'CANCELLED'))
);

CREATE TABLE civil_records (
  record_number text PRIMARY KEY,
  dni text NOT NULL REFERENCES citizens (dni),
  kind text NOT NULL CHECK (kind IN ('BIRTH', 'MARRIAGE', 'DIVORCE')),
  registered_on date NOT NULL,
  place text NOT NULL,
  digitised boolean NOT NULL
);

-- Records are always read per citizen, oldest first.
CREATE INDEX civil_records_by_citizen ON civil_records (dni, registered_on);
