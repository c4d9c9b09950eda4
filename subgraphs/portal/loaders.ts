import DataLoader from 'dataloader';
import type { ChannelKind } from './catalogue.js';
import type {
  AgencyRecord,
  ApplicationEventRecord,
  ApplicationRecord,
  ChannelRecord,
  OfficeRecord,
  PortalStore,
  ProcedureRecord,
  RequirementRecord,
} from './store.js';

/** One row per key, in the keys' order; null where no row has that key. */
function oneEach<Key, Row>(keys: readonly Key[], rows: readonly Row[], keyOf: (row: Row) => Key): (Row | null)[] {
  const byKey = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => byKey.get(key) ?? null);
}

/** The rows of each key, in the keys' order, keeping the rows' own order within a key. */
function allEach<Key, Row>(keys: readonly Key[], rows: readonly Row[], keyOf: (row: Row) => Key): Row[][] {
  const byKey = new Map<Key, Row[]>(keys.map((key) => [key, []]));
  for (const row of rows) byKey.get(keyOf(row))?.push(row);
  return keys.map((key) => byKey.get(key) ?? []);
}

const channelKey = (channel: { slug: string; kind: ChannelKind }) => `${channel.slug} ${channel.kind}`;

/**
 * Per-request loaders: every lookup a resolver makes goes through one, so that the records of many
 * entities in one request cost one statement per table.
 */
export function createLoaders(store: PortalStore) {
  return {
    agency: new DataLoader<string, AgencyRecord | null>(async (codes) =>
      oneEach(codes, await store.agenciesByCode(codes), (row) => row.code),
    ),
    office: new DataLoader<string, OfficeRecord | null>(async (ids) =>
      oneEach(ids, await store.officesById(ids), (row) => row.id),
    ),
    procedure: new DataLoader<string, ProcedureRecord | null>(async (slugs) =>
      oneEach(slugs, await store.proceduresBySlug(slugs), (row) => row.slug),
    ),
    requirements: new DataLoader<string, RequirementRecord[]>(async (slugs) =>
      allEach(slugs, await store.requirementsBySlug(slugs), (row) => row.slug),
    ),
    channels: new DataLoader<string, ChannelRecord[]>(async (slugs) =>
      allEach(slugs, await store.channelsBySlug(slugs), (row) => row.slug),
    ),
    channelOffices: new DataLoader<{ slug: string; kind: ChannelKind }, OfficeRecord[], string>(
      async (channels) => {
        const rows = await store.officesByChannel(channels);
        return allEach(channels.map(channelKey), rows, channelKey).map((offices) =>
          offices.map(({ slug: _slug, kind: _kind, ...office }) => office),
        );
      },
      { cacheKeyFn: channelKey },
    ),
    application: new DataLoader<string, ApplicationRecord | null>(async (ids) =>
      oneEach(ids, await store.applicationsById(ids), (row) => row.id),
    ),
    applicationsByCitizen: new DataLoader<string, ApplicationRecord[]>(async (dnis) =>
      allEach(dnis, await store.applicationsByDni(dnis), (row) => row.dni),
    ),
    timeline: new DataLoader<string, ApplicationEventRecord[]>(async (ids) =>
      allEach(ids, await store.eventsByApplication(ids), (row) => row.applicationId),
    ),
  };
}

export type PortalLoaders = ReturnType<typeof createLoaders>;
