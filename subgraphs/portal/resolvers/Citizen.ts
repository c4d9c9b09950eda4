import { parseDni } from '../../shared/dni.js';
import { parseDataAccessPage, type DataAccessPage } from '../../shared/dataAccess.js';
import type { PortalContext } from '../context.js';

/** The portal knows a citizen only by DNI: it holds their applications, nothing about the person. */
export const Citizen = {
  // Async so that a malformed DNI rejects its own entity: a synchronous throw would fail the whole `_entities`.
  async __resolveReference({ dni }: { dni: unknown }) {
    return { dni: parseDni(dni) };
  },

  applications({ dni }: { dni: string }, _args: unknown, { loaders }: PortalContext) {
    return loaders.applicationsByCitizen.load(dni);
  },

  /** The page asked for, which every agency then answers its part of (see DataAccessConnection). */
  dataAccess({ dni }: { dni: string }, args: { first: number; after?: string | null }): DataAccessPage {
    return parseDataAccessPage({ dni, first: args.first, after: args.after ?? '' });
  },
};
