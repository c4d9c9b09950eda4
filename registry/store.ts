import type { Database, Queryable } from '../subgraphs/shared/db.js';
import type { Change, KnownOperation, SubgraphVersion } from './check.js';

/** One published version of one subgraph. */
export interface VersionRecord extends SubgraphVersion {
  version: number;
  agency: string;
  publishedBy: string;
  publishedAt: string;
  reason: string;
  /** Published although its check failed (`--force`). */
  forced: boolean;
  /** What it changed against the version before, as its check classified it. */
  changes: Change[];
  /** The supergraph composed with it. */
  supergraphVersion: number;
}

export interface SupergraphRecord {
  version: number;
  /** A short name for its SDL (see `supergraphIdOf`): the same SDL, the same id. */
  id: string;
  sdl: string;
  composedAt: string;
}

/** What one gateway batch says it saw (see the gateway's usage report). */
export interface UsageReport {
  signature: string;
  name: string | null;
  coordinates: string[];
  count: number;
}

/** A new subgraph version and the supergraph composed with it, written together. */
export interface NewVersion {
  subgraph: string;
  sdl: string;
  routingUrl: string;
  agency: string;
  publishedBy: string;
  reason: string;
  forced: boolean;
  changes: Change[];
  supergraph: { id: string; sdl: string };
}

interface VersionRow {
  subgraph: string;
  version: number;
  sdl: string;
  routing_url: string;
  agency: string;
  published_by: string;
  published_at: Date | string;
  reason: string;
  forced: boolean;
  changes: Change[] | string;
  supergraph_version: number;
}

const VERSION_COLUMNS = 'subgraph, version, sdl, routing_url, agency, published_by, published_at, reason, forced, changes, supergraph_version';

function versionOf(row: VersionRow): VersionRecord {
  return {
    name: row.subgraph,
    version: row.version,
    sdl: row.sdl,
    routingUrl: row.routing_url,
    agency: row.agency,
    publishedBy: row.published_by,
    publishedAt: new Date(row.published_at).toISOString(),
    reason: row.reason,
    forced: row.forced,
    changes: typeof row.changes === 'string' ? (JSON.parse(row.changes) as Change[]) : row.changes,
    supergraphVersion: row.supergraph_version,
  };
}

/** Any fixed number: the same for every registry process writing to this database. */
const PUBLISH_LOCK = 4343;

/** The registry's records: SQL here, decisions in service.ts. */
export function registryStore(db: Database) {
  const current = async (on: Queryable = db): Promise<VersionRecord[]> =>
    (
      await on.query<VersionRow>(
        `SELECT DISTINCT ON (subgraph) ${VERSION_COLUMNS} FROM subgraph_versions ORDER BY subgraph, version DESC`,
      )
    ).rows.map(versionOf);

  return {
    /** The latest version of every subgraph. */
    current: () => current(),

    async history(subgraph: string): Promise<VersionRecord[]> {
      const { rows } = await db.query<VersionRow>(`SELECT ${VERSION_COLUMNS} FROM subgraph_versions WHERE subgraph = $1 ORDER BY version DESC`, [subgraph]);
      return rows.map(versionOf);
    },

    async version(subgraph: string, version: number): Promise<VersionRecord | null> {
      const { rows } = await db.query<VersionRow>(`SELECT ${VERSION_COLUMNS} FROM subgraph_versions WHERE subgraph = $1 AND version = $2`, [subgraph, version]);
      return rows[0] ? versionOf(rows[0]) : null;
    },

    async latestSupergraph(): Promise<SupergraphRecord | null> {
      const { rows } = await db.query<{ version: number; id: string; sdl: string; composed_at: Date | string }>(
        'SELECT version, id, sdl, composed_at FROM supergraphs ORDER BY version DESC LIMIT 1',
      );
      const row = rows[0];
      return row ? { version: row.version, id: row.id, sdl: row.sdl, composedAt: new Date(row.composed_at).toISOString() } : null;
    },

    /**
     * Publishes under a lock: `decide` is given the current versions as they are inside it, so that two
     * publishes at once are composed one after the other, never both against the same old set. It
     * returns the version to write, or null to write nothing (its check refused it).
     */
    async publish<T>(decide: (current: VersionRecord[]) => Promise<{ write: NewVersion | null; outcome: T }>): Promise<{ outcome: T; written: { version: number; supergraphVersion: number } | null }> {
      return db.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [PUBLISH_LOCK]);
        const { write, outcome } = await decide(await current(tx));
        if (!write) return { outcome, written: null };
        const next = await tx.query<{ version: number; supergraph_version: number }>(
          `SELECT (SELECT coalesce(max(version), 0) + 1 FROM subgraph_versions WHERE subgraph = $1) AS version,
                  (SELECT coalesce(max(version), 0) + 1 FROM supergraphs) AS supergraph_version`,
          [write.subgraph],
        );
        const { version, supergraph_version: supergraphVersion } = next.rows[0]!;
        await tx.query('INSERT INTO supergraphs (version, id, sdl) VALUES ($1, $2, $3)', [supergraphVersion, write.supergraph.id, write.supergraph.sdl]);
        await tx.query(
          `INSERT INTO subgraph_versions (subgraph, version, sdl, routing_url, agency, published_by, reason, forced, changes, supergraph_version)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
          [write.subgraph, version, write.sdl, write.routingUrl, write.agency, write.publishedBy, write.reason, write.forced, JSON.stringify(write.changes), supergraphVersion],
        );
        return { outcome, written: { version, supergraphVersion } };
      });
    },

    /**
     * The first versions, when there are none: every subgraph as version 1 and the supergraph they
     * compose, in one go (alone, one subgraph may not compose: they extend each other's entities).
     * Returns false, writing nothing, when the registry already has versions.
     */
    async seed(versions: readonly Omit<NewVersion, 'supergraph'>[], supergraph: NewVersion['supergraph']): Promise<boolean> {
      return db.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [PUBLISH_LOCK]);
        if ((await tx.query('SELECT 1 FROM subgraph_versions LIMIT 1')).rows.length) return false;
        await tx.query('INSERT INTO supergraphs (version, id, sdl) VALUES (1, $1, $2)', [supergraph.id, supergraph.sdl]);
        for (const write of versions) {
          await tx.query(
            `INSERT INTO subgraph_versions (subgraph, version, sdl, routing_url, agency, published_by, reason, forced, changes, supergraph_version)
             VALUES ($1, 1, $2, $3, $4, $5, $6, false, '[]', 1)`,
            [write.subgraph, write.sdl, write.routingUrl, write.agency, write.publishedBy, write.reason],
          );
        }
        return true;
      });
    },

    /**
     * Adds one gateway's batch: counts add up, each operation's last sighting moves to now, and what
     * was last seen before `windowDays` is forgotten (no check weighs it any more).
     */
    async recordUsage(reports: readonly UsageReport[], windowDays: number): Promise<void> {
      for (const report of reports) {
        await db.query(
          `INSERT INTO operation_usage (signature, name, coordinates, count, last_seen) VALUES ($1, $2, $3, $4, now())
           ON CONFLICT (signature, name) DO UPDATE SET count = operation_usage.count + EXCLUDED.count, last_seen = now(), coordinates = EXCLUDED.coordinates`,
          [report.signature, report.name ?? '', report.coordinates, report.count],
        );
      }
      await db.query('DELETE FROM operation_usage WHERE last_seen < now() - make_interval(days => $1::int)', [windowDays]);
    },

    /** The operations seen in the last `days` days, as the check knows operations. */
    async usedWithin(days: number): Promise<KnownOperation[]> {
      const { rows } = await db.query<{ signature: string; name: string; coordinates: string[] }>(
        `SELECT signature, name, coordinates FROM operation_usage WHERE last_seen > now() - make_interval(days => $1::int) ORDER BY signature`,
        [days],
      );
      return rows.map((row) => ({ name: row.name || `anonymous operation ${row.signature.slice(0, 12)}`, origin: 'traffic' as const, coordinates: row.coordinates }));
    },
  };
}

export type RegistryStore = ReturnType<typeof registryStore>;
