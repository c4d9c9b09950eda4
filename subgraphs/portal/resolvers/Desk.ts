import type { Caller } from '../../../lib/caller.js';
import { badUserInput, forbidden } from '../../../lib/errors.js';
import { isCaseNumber } from '../caseNumbers.js';
import type { PortalContext } from '../context.js';
import { decodeCursor, QUEUE_ORDER } from '../cursor.js';
import { STATUS_WORDS, UNDECIDED } from '../lifecycle.js';
import type { ApplicationRecord, ApplicationStatus, QueueFilter } from '../store.js';
import { connectionResolvers, type Page } from './connection.js';
import { deskStatistics } from './DeskStatistics.js';

type Official = Extract<Caller, { kind: 'official' }>;

/** A desk is its official's: everything in it is read as theirs, for their agency. */
export interface DeskParent {
  official: Official;
}

/** A page of a queue as `Desk.queue` found it. */
export type QueuePage = Page<ApplicationRecord, QueueFilter>;

interface QueueArgs {
  status?: ApplicationStatus[] | null;
  officeId?: string | null;
  overdue?: boolean | null;
  first?: number | null;
  after?: string | null;
}

const MAX_PAGE_SIZE = 100;

export const Desk = {
  official: (desk: DeskParent) => desk.official,

  async queue(desk: DeskParent, args: QueueArgs, { store, loaders, today }: PortalContext): Promise<QueuePage> {
    const first = args.first ?? 20;
    if (first < 1 || first > MAX_PAGE_SIZE) throw badUserInput(`first va de 1 a ${MAX_PAGE_SIZE}.`, 'first');
    const decoded = args.after == null ? null : decodeCursor(QUEUE_ORDER, args.after);
    // A cursor is the client's to send back: one made up must not reach SQL's date cast.
    const after = decoded && /^\d{4}-\d{2}-\d{2}$/.test(decoded.dueOn) && isCaseNumber(decoded.id) ? decoded : null;
    if (args.after != null && after === null) throw badUserInput('after no es un cursor de esta cola: pasa el endCursor de la página anterior.', 'after');
    const statuses = args.status ?? [...UNDECIDED];
    const decided = statuses.filter((status) => !UNDECIDED.has(status));
    if (decided.length > 0) {
      throw badUserInput(`La cola tiene solo solicitudes sin decidir; ${decided.map((status) => STATUS_WORDS[status]).join(', ')} no está en ella.`, 'status');
    }
    const filter: QueueFilter = { agencyCode: desk.official.agency, statuses, officeId: args.officeId ?? null, overdue: args.overdue ?? null, today };
    // One row more than asked tells whether another page follows, without counting.
    const rows = await store.queue(filter, after, first + 1);
    const applications = rows.slice(0, first);
    for (const application of applications) loaders.application.prime(application.id, application);
    return { filter, rows: applications, hasNextPage: rows.length > first };
  },

  statistics: deskStatistics,
};

export const Official = {
  agency(official: Official, _args: unknown, { loaders }: PortalContext) {
    return loaders.agency.load(official.agency);
  },

  office(official: Official, _args: unknown, { loaders }: PortalContext) {
    return loaders.office.load(official.office);
  },
};

export const ApplicationConnection = connectionResolvers(QUEUE_ORDER, (filter: QueueFilter, { store }) => store.countQueue(filter));

/** The desk of the signed-in official; anyone else has none (the schema asks for the review scope too). */
export function desk(_: unknown, _args: unknown, { caller }: PortalContext): DeskParent {
  if (caller?.kind !== 'official') throw forbidden('Solo un funcionario tiene escritorio: inicia sesión como uno.');
  return { official: caller };
}
