-- The agencies' officials (domain.md §7): who works applications, at which office. Their tokens name
-- them; the seed restates these rows from officials.ts.
CREATE TABLE officials (
  id text PRIMARY KEY,
  name text NOT NULL,
  agency_code text NOT NULL REFERENCES agencies (code),
  office_id text NOT NULL REFERENCES offices (id),
  -- Space-separated, as a token's `scope` claim.
  scope text NOT NULL
);
