-- Every version of every subgraph's SDL, append-only: who published it, when, why, and what it changed.
CREATE TABLE subgraph_versions (
  subgraph text NOT NULL,
  version integer NOT NULL,
  sdl text NOT NULL,
  routing_url text NOT NULL,
  agency text NOT NULL,
  published_by text NOT NULL,
  published_at timestamptz NOT NULL DEFAULT now(),
  reason text NOT NULL,
  forced boolean NOT NULL DEFAULT false,
  -- The check's changes against the version before (BREAKING, DANGEROUS, SAFE), as the check reported them.
  changes jsonb NOT NULL DEFAULT '[]',
  supergraph_version integer NOT NULL,
  PRIMARY KEY (subgraph, version)
);

-- The supergraph composed after each publish: what gateways serve.
CREATE TABLE supergraphs (
  version integer PRIMARY KEY,
  id text NOT NULL,
  sdl text NOT NULL,
  composed_at timestamptz NOT NULL DEFAULT now()
);

-- The operations gateways saw, by signature (the SHA-256 of their text), and the schema coordinates they use.
-- One row per operation of a document: a document of several (the contract, sent whole) runs one at a time.
CREATE TABLE operation_usage (
  signature text NOT NULL,
  name text NOT NULL DEFAULT '',
  coordinates text[] NOT NULL,
  count bigint NOT NULL,
  last_seen timestamptz NOT NULL,
  PRIMARY KEY (signature, name)
);
CREATE INDEX operation_usage_last_seen ON operation_usage (last_seen);
