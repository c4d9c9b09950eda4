import type { PortalContext } from '../context.js';
import { encodeCursor, type Order, type Position } from '../cursor.js';

/** A page as a list field found it: the rows, whether more follow, and the filter, to count them all only when asked. */
export interface Page<Row, Filter> {
  filter: Filter;
  rows: Row[];
  hasNextPage: boolean;
}

/** The resolvers of a connection type (totalCount, pageInfo, edges) over pages sorted by `order`. */
export function connectionResolvers<Keys extends Order, Row extends Position<Keys>, Filter>(
  order: Keys,
  count: (filter: Filter, context: PortalContext) => Promise<number>,
) {
  return {
    totalCount: (page: Page<Row, Filter>, _args: unknown, context: PortalContext) => count(page.filter, context),

    pageInfo(page: Page<Row, Filter>) {
      const last = page.rows.at(-1);
      return { hasNextPage: page.hasNextPage, endCursor: last ? encodeCursor(order, last) : null };
    },

    edges: (page: Page<Row, Filter>) => page.rows.map((node) => ({ cursor: encodeCursor(order, node), node })),
  };
}
