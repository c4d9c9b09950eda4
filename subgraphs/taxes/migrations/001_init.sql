-- SUNAT's registry of taxpayers and what they owe. Plain SQL: the same on PostgreSQL and PGlite.

-- One row per RUC. `dni` links a natural person's RUC to the citizen; legal entities (prefix 20) have none.
CREATE TABLE taxpayers (
  ruc text PRIMARY KEY CHECK (ruc ~ '^(10|15|16|17|20)[0-9]{9}$'),
  dni text UNIQUE CHECK (dni ~ '^[0-9]{8}$'),
  status text NOT NULL CHECK (status IN ('ACTIVE', 'SUSPENDED', 'DEREGISTERED')),
  condition text NOT NULL CHECK (condition IN ('HABIDO', 'NO_HABIDO')),
  registered_on date NOT NULL
);

-- One row per period and concept owed. Paid debts stay: the taxpayer's record shows them.
CREATE TABLE tax_debts (
  id text PRIMARY KEY,
  ruc text NOT NULL REFERENCES taxpayers (ruc),
  -- YYYY-MM for monthly taxes, YYYY for annual ones.
  period text NOT NULL CHECK (period ~ '^[0-9]{4}(-(0[1-9]|1[0-2]))?$'),
  concept text NOT NULL,
  -- Soles, exact: numeric comes back as a string, never a float.
  amount numeric(12, 2) NOT NULL CHECK (amount > 0),
  status text NOT NULL CHECK (status IN ('PENDING', 'IN_COACTIVE_COLLECTION', 'PAID'))
);

-- Debts are always read by RUC (a batch of RUCs per request), in period order.
CREATE INDEX tax_debts_by_ruc ON tax_debts (ruc, period);
