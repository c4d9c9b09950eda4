import DataLoader from 'dataloader';
import { oneRowPerKey, rowsPerKey } from '../shared/loaders.js';
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

const channelKey = (channel: { slug: string; kind: ChannelKind }) => `${channel.slug} ${channel.kind}`;

/**
 * Per-request loaders: every lookup a resolver makes goes through one, so that the records of many
 * entities in one request cost one statement per table.
 */
export function createLoaders(store: PortalStore) {
  return {
    agency: new DataLoader<string, AgencyRecord | null>(async (codes) =>
      oneRowPerKey(codes, await store.agenciesByCode(codes), (row) => row.code),
    ),
    office: new DataLoader<string, OfficeRecord | null>(async (ids) =>
      oneRowPerKey(ids, await store.officesById(ids), (row) => row.id),
    ),
    procedure: new DataLoader<string, ProcedureRecord | null>(async (slugs) =>
      oneRowPerKey(slugs, await store.proceduresBySlug(slugs), (row) => row.slug),
    ),
    requirements: new DataLoader<string, RequirementRecord[]>(async (slugs) =>
      rowsPerKey(slugs, await store.requirementsBySlug(slugs), (row) => row.slug),
    ),
    channels: new DataLoader<string, ChannelRecord[]>(async (slugs) =>
      rowsPerKey(slugs, await store.channelsBySlug(slugs), (row) => row.slug),
    ),
    channelOffices: new DataLoader<{ slug: string; kind: ChannelKind }, OfficeRecord[], string>(
      async (channels) => {
        const rows = await store.officesByChannel(channels);
        return rowsPerKey(channels.map(channelKey), rows, channelKey).map((offices) =>
          offices.map(({ slug: _slug, kind: _kind, ...office }) => office),
        );
      },
      { cacheKeyFn: channelKey },
    ),
    application: new DataLoader<string, ApplicationRecord | null>(async (ids) =>
      oneRowPerKey(ids, await store.applicationsById(ids), (row) => row.id),
    ),
    applicationsByCitizen: new DataLoader<string, ApplicationRecord[]>(async (dnis) =>
      rowsPerKey(dnis, await store.applicationsByDni(dnis), (row) => row.dni),
    ),
    timeline: new DataLoader<string, ApplicationEventRecord[]>(async (ids) =>
      rowsPerKey(ids, await store.eventsByApplication(ids), (row) => row.applicationId),
    ),
  };
}

export type PortalLoaders = ReturnType<typeof createLoaders>;
