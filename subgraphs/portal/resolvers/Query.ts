import { badUserInput, notFound } from '../../../lib/errors.js';
import type { PortalContext } from '../context.js';
import { decodeCursor, PROCEDURE_ORDER } from '../cursor.js';
import { assertCaseNumber } from '../guards.js';
import { searchWords } from '../search.js';
import { desk } from './Desk.js';
import type { ProcedurePage } from './ProcedureConnection.js';

const MAX_PAGE_SIZE = 100;
const MAX_SEARCH_LENGTH = 100;

interface ProceduresArgs {
  search?: string | null;
  agency?: string | null;
  first?: number | null;
  after?: string | null;
}

export const Query = {
  /** An unknown agency code is a filter that matches nothing: an empty page, like a search that finds nothing. */
  async procedures(_: unknown, args: ProceduresArgs, { store, loaders }: PortalContext): Promise<ProcedurePage> {
    const first = args.first ?? 20;
    if (first < 1 || first > MAX_PAGE_SIZE) throw badUserInput(`first must be from 1 to ${MAX_PAGE_SIZE}.`, 'first');
    if (args.search && args.search.length > MAX_SEARCH_LENGTH) {
      throw badUserInput(`search must be at most ${MAX_SEARCH_LENGTH} characters long.`, 'search');
    }
    const after = args.after == null ? null : decodeCursor(PROCEDURE_ORDER, args.after);
    if (args.after != null && after === null) {
      throw badUserInput('after is not a cursor of this list: pass the endCursor of the previous page.', 'after');
    }
    const filter = { words: searchWords(args.search), agencyCode: args.agency ? args.agency.toUpperCase() : null };
    // One row more than asked tells whether another page follows, without counting.
    const rows = await store.findProcedures(filter, after, first + 1);
    const procedures = rows.slice(0, first);
    for (const procedure of procedures) loaders.procedure.prime(procedure.slug, procedure);
    return { filter, rows: procedures, hasNextPage: rows.length > first };
  },

  async procedure(_: unknown, { slug }: { slug: string }, { loaders }: PortalContext) {
    const procedure = await loaders.procedure.load(slug);
    if (!procedure) throw notFound(`No procedure has the slug "${slug}".`);
    return procedure;
  },

  agencies(_: unknown, _args: unknown, { store }: PortalContext) {
    return store.agenciesWithProcedures();
  },

  desk,

  /** NOT_FOUND reaches only those who may read any application: for anyone else the guard answers as for someone else's. */
  async application(_: unknown, { id }: { id: string }, { loaders }: PortalContext) {
    assertCaseNumber(id);
    const application = await loaders.application.load(id);
    if (!application) throw notFound(`Ningún expediente tiene el número ${id}.`);
    return application;
  },
};
