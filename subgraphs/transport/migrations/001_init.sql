-- MTC's driver and vehicle records and SAT Lima's traffic fines: one row per fact, keyed by the
-- citizen's DNI (or the plate), so that every per-citizen lookup is one `= ANY($1)` statement.

-- A licence is stored VALID, SUSPENDED or CANCELLED; EXPIRED is derived at read time from expires_on,
-- so that no nightly job has to flip statuses.
CREATE TABLE driving_licences (
  dni        text PRIMARY KEY CHECK (dni ~ '^[0-9]{8}$'),
  number     text NOT NULL UNIQUE,
  class      text NOT NULL CHECK (class IN ('A_I', 'A_IIA', 'A_IIB', 'A_IIIA', 'A_IIIB', 'A_IIIC', 'B_I', 'B_IIA', 'B_IIB', 'B_IIC')),
  issued_on  date NOT NULL,
  expires_on date NOT NULL CHECK (expires_on > issued_on),
  status     text NOT NULL CHECK (status IN ('VALID', 'SUSPENDED', 'CANCELLED')),
  points     integer NOT NULL DEFAULT 0 CHECK (points BETWEEN 0 AND 100)
);

-- Every exam is kept; the one that counts is the latest (greatest taken_on).
CREATE TABLE medical_exams (
  id          text PRIMARY KEY,
  dni         text NOT NULL CHECK (dni ~ '^[0-9]{8}$'),
  taken_on    date NOT NULL,
  result      text NOT NULL CHECK (result IN ('APPROVED', 'REJECTED')),
  centre      text NOT NULL,
  valid_until date NOT NULL CHECK (valid_until >= taken_on)
);
CREATE INDEX medical_exams_by_dni ON medical_exams (dni, taken_on DESC);

-- The amount is stored as imposed (a percentage of that year's UIT), never recomputed.
CREATE TABLE traffic_fines (
  number      text PRIMARY KEY,
  dni         text NOT NULL CHECK (dni ~ '^[0-9]{8}$'),
  plate       text,
  code        text NOT NULL CHECK (code ~ '^[LGM][0-9]{2}$'),
  description text NOT NULL,
  amount      numeric(12, 2) NOT NULL CHECK (amount > 0),
  issued_on   date NOT NULL,
  status      text NOT NULL CHECK (status IN ('UNPAID', 'PAID', 'IN_COACTIVE_COLLECTION', 'ANNULLED'))
);
CREATE INDEX traffic_fines_by_dni ON traffic_fines (dni, issued_on DESC);

-- Plates are stored normalised (upper case, with the hyphen): the 2010 format or the legacy one.
CREATE TABLE vehicles (
  plate     text PRIMARY KEY CHECK (plate ~ '^([A-Z][A-Z0-9]{2}-[0-9]{3}|[A-Z]{2}-[0-9]{4})$'),
  owner_dni text NOT NULL CHECK (owner_dni ~ '^[0-9]{8}$'),
  make      text NOT NULL,
  model     text NOT NULL,
  year      integer NOT NULL CHECK (year BETWEEN 1950 AND 2100),
  colour    text NOT NULL
);
CREATE INDEX vehicles_by_owner ON vehicles (owner_dni);
