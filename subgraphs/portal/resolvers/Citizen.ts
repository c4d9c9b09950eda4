import { parseDni } from '../../shared/dni.js';
import type { PortalContext } from '../context.js';
import { assertMayRead } from '../guards.js';

/** The portal knows a citizen only by DNI: it holds their applications, nothing about the person. */
export const Citizen = {
  // Async so that a malformed DNI rejects its own entity: a synchronous throw would fail the whole `_entities`.
  async __resolveReference({ dni }: { dni: unknown }) {
    return { dni: parseDni(dni) };
  },

  applications({ dni }: { dni: string }, _args: unknown, { viewer, loaders }: PortalContext) {
    assertMayRead(viewer, dni);
    return loaders.applicationsByCitizen.load(dni);
  },
};
