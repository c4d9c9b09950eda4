import { badUserInput } from '../../lib/errors.js';
import { accessSlice, decodeAccessCursor, type AccessSlice, type StoredAccessEntry } from './accessRecord.js';
import type { Queryable } from './db.js';
import { parseDni } from './dni.js';
import type { RecordType } from './personalData.js';
import type { BaseContext } from './service.js';

/** The most entries one page of a citizen's access record may hold. */
export const MAX_DATA_ACCESS_PAGE = 100;

/**
 * One page of a citizen's access record, as `Citizen.dataAccess(first, after)` asks for it. Its
 * arguments are its key (`dni first after`), so that every agency is asked for the same page and
 * answers its own part; the portal merges the parts (see schema/README.md, "Who saw my data").
 */
export interface DataAccessPage {
  dni: string;
  first: number;
  /** An `endCursor`, or "" for the first page. */
  after: string;
}

/** `representation` as a page, or BAD_USER_INPUT naming what is wrong with it (arguments come from clients). */
export function parseDataAccessPage(representation: { dni?: unknown; first?: unknown; after?: unknown }): DataAccessPage {
  const dni = parseDni(representation.dni);
  const { first, after } = representation;
  if (typeof first !== 'number' || !Number.isInteger(first) || first < 1 || first > MAX_DATA_ACCESS_PAGE) {
    throw badUserInput(`first must be from 1 to ${MAX_DATA_ACCESS_PAGE}.`, 'first');
  }
  if (typeof after !== 'string' || (after !== '' && !decodeAccessCursor(after))) {
    throw badUserInput('after is not a cursor of this list: pass the endCursor of the previous page.', 'after');
  }
  return { dni, first, after };
}

/** A page is its citizen's: only they may read it, and reading it is not itself recorded (it would grow with every look). */
export const DATA_ACCESS_RECORD: RecordType<BaseContext> = {
  facts: (page: DataAccessPage) => ({ subject: page.dni, owner: null }),
  denied: 'Only the citizen themself may see who read their data.',
  unrecorded: true,
};

/** A stored entry as the `DataAccessEntry` type shares it between the agencies and the portal. */
function sharedEntry(source: string, entry: StoredAccessEntry) {
  return {
    source,
    position: entry.position,
    at: entry.at.toISOString(),
    agency: entry.agency,
    fields: entry.fields,
    accessorKind: entry.accessor.kind,
    accessorId: entry.accessor.id,
    accessorName: entry.accessor.name,
    accessorAgency: entry.accessor.agency,
    purpose: entry.purpose,
    requestId: entry.requestId,
  };
}

export type SharedEntry = ReturnType<typeof sharedEntry>;

/** This record's part of `page`: its first entries after the page's cursor, and its counts. */
export async function dataAccessSlice(db: Queryable, source: string, page: DataAccessPage): Promise<Omit<AccessSlice, 'entries'> & { entries: SharedEntry[] }> {
  const slice = await accessSlice(db, source, page.dni, page.first, page.after ? decodeAccessCursor(page.after) : null);
  return { ...slice, entries: slice.entries.map((entry) => sharedEntry(source, entry)) };
}

/**
 * `DataAccessConnection`'s resolvers in an agency subgraph (`source`: its name): the reference is the
 * page, and `<source>Access` its part of it.
 */
export function dataAccessResolvers(source: string, db: Queryable) {
  return {
    // Async so that a malformed page rejects its own entity only.
    async __resolveReference(representation: { dni?: unknown; first?: unknown; after?: unknown }): Promise<DataAccessPage> {
      return parseDataAccessPage(representation);
    },
    [`${source}Access`]: (page: DataAccessPage) => dataAccessSlice(db, source, page),
  };
}
