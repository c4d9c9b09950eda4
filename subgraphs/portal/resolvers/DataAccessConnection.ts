import { encodeAccessCursor } from '../../shared/accessRecord.js';
import { dataAccessSlice, parseDataAccessPage, type DataAccessPage, type SharedEntry } from '../../shared/dataAccess.js';
import type { Queryable } from '../../shared/db.js';
import type { PortalContext } from '../context.js';

/** One agency's part of a page, as @requires brings it; null when that agency could not answer. */
type Slice = { totalCount: number; countAfter: number; entries: SharedEntry[] } | null | undefined;

/** A page with the agencies' parts of it, once the planner has them. */
interface PageWithSlices extends DataAccessPage {
  identityAccess?: Slice;
  transportAccess?: Slice;
  taxesAccess?: Slice;
}

interface MergedPage {
  totalCount: number;
  hasNextPage: boolean;
  entries: SharedEntry[];
}

/** Newest first, then by the record that holds it, then by its place there: the order cursors follow. */
function newestFirst(a: SharedEntry, b: SharedEntry): number {
  if (a.at !== b.at) return a.at < b.at ? 1 : -1;
  if (a.source !== b.source) return a.source < b.source ? 1 : -1;
  return b.position - a.position;
}

/**
 * The portal's resolvers for a page of a citizen's access record: it merges the agencies' parts with
 * its own (the reads of applications) into one list, newest first. An agency that could not answer
 * is missing from the page, and the response says which (SUBGRAPH_UNAVAILABLE).
 */
export function portalDataAccessResolvers(db: Queryable) {
  const merged = new WeakMap<PageWithSlices, Promise<MergedPage>>();
  const merge = async (page: PageWithSlices): Promise<MergedPage> => {
    const own = await dataAccessSlice(db, 'portal', page);
    const slices = [page.identityAccess, page.transportAccess, page.taxesAccess, own].filter((slice): slice is NonNullable<Slice> => Boolean(slice));
    const entries = slices.flatMap((slice) => slice.entries).sort(newestFirst);
    return {
      totalCount: slices.reduce((sum, slice) => sum + slice.totalCount, 0),
      hasNextPage: slices.reduce((sum, slice) => sum + slice.countAfter, 0) > page.first,
      entries: entries.slice(0, page.first),
    };
  };
  // Three fields of one page share one merge.
  const mergedOnce = (page: PageWithSlices) => {
    let result = merged.get(page);
    if (!result) merged.set(page, (result = merge(page)));
    return result;
  };
  return {
    async __resolveReference(representation: PageWithSlices): Promise<PageWithSlices> {
      return { ...representation, ...parseDataAccessPage(representation) };
    },
    totalCount: async (page: PageWithSlices) => (await mergedOnce(page)).totalCount,
    async pageInfo(page: PageWithSlices) {
      const { hasNextPage, entries } = await mergedOnce(page);
      const last = entries.at(-1);
      return { hasNextPage, endCursor: last ? cursorOf(last) : null };
    },
    async edges(page: PageWithSlices) {
      return (await mergedOnce(page)).entries.map((entry) => ({ cursor: cursorOf(entry), node: entry }));
    },
  };
}

function cursorOf(entry: SharedEntry): string {
  return encodeAccessCursor({ at: entry.at, source: entry.source, position: entry.position });
}

/** A read as the citizen sees it. */
export const DataAccess = {
  agency: (entry: SharedEntry, _args: unknown, { loaders }: PortalContext) => loaders.agency.load(entry.agency),
  accessor: (entry: SharedEntry) => ({ kind: entry.accessorKind, id: entry.accessorId, name: entry.accessorName, agencyCode: entry.accessorAgency }),
};

export const Accessor = {
  agency: ({ agencyCode }: { agencyCode: string | null }, _args: unknown, { loaders }: PortalContext) =>
    agencyCode === null ? null : loaders.agency.load(agencyCode),
};
