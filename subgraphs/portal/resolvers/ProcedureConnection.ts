import type { PortalContext } from '../context.js';
import { encodeCursor } from '../cursor.js';
import type { ProcedureFilter, ProcedureRecord } from '../store.js';

/** A page as `Query.procedures` found it; the total is counted only when asked for. */
export interface ProcedurePage {
  filter: ProcedureFilter;
  procedures: ProcedureRecord[];
  hasNextPage: boolean;
}

export const ProcedureConnection = {
  totalCount(page: ProcedurePage, _args: unknown, { store }: PortalContext) {
    return store.countProcedures(page.filter);
  },

  pageInfo(page: ProcedurePage) {
    const last = page.procedures.at(-1);
    return { hasNextPage: page.hasNextPage, endCursor: last ? encodeCursor(last) : null };
  },

  edges(page: ProcedurePage) {
    return page.procedures.map((node) => ({ cursor: encodeCursor(node), node }));
  },
};
