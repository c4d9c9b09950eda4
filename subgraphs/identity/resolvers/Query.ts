import { mayRead, type Viewer } from '../../shared/auth.js';
import { parseDni } from '../../shared/dni.js';
import { badUserInput, forbidden, notFound, unauthenticated } from '../../../lib/errors.js';
import type { IdentityContext } from '../context.js';
import { IDENTITY_READ, type CitizenRef } from './Citizen.js';

/** The most DNIs one `citizens` call may ask for: enough for a page of a case list, not a dump of the registry. */
export const MAX_CITIZENS_PER_CALL = 500;

export const Query = {
  me(_parent: unknown, _args: unknown, context: IdentityContext): Promise<CitizenRef | null> | null {
    const dni = context.viewer?.dni;
    return dni ? context.loaders.citizen.load(dni) : null;
  },

  /**
   * The door to one citizen across agencies. The citizen themself and `identity:read` get RENIEC's
   * record (NOT_FOUND when there is none); any other agency token gets the bare reference, so that it
   * reaches the records its own scope allows while RENIEC's fields stay FORBIDDEN to it.
   */
  async citizen(_parent: unknown, args: { dni: string }, context: IdentityContext): Promise<CitizenRef> {
    const viewer = context.viewer;
    if (!viewer) throw unauthenticated('Sign in to look up a citizen.');
    const dni = parseDni(args.dni);
    if (mayRead(viewer, dni, IDENTITY_READ)) {
      const citizen = await context.loaders.citizen.load(dni);
      if (!citizen) throw notFound(`RENIEC has no citizen with DNI ${dni}.`);
      return citizen;
    }
    if (isAgency(viewer)) return { dni };
    throw forbidden();
  },

  /** Several citizens for an agency, in the order asked: records with `identity:read`, bare references otherwise. */
  async citizens(_parent: unknown, args: { dnis: string[] }, context: IdentityContext): Promise<(CitizenRef | null)[]> {
    const viewer = context.viewer;
    if (!viewer) throw unauthenticated('Sign in to look up citizens.');
    if (!isAgency(viewer)) throw forbidden('Looking up several citizens needs an agency token.');
    if (args.dnis.length > MAX_CITIZENS_PER_CALL) {
      throw badUserInput(`Ask for at most ${MAX_CITIZENS_PER_CALL} DNIs at once, not ${args.dnis.length}.`, 'dnis');
    }
    const dnis = args.dnis.map((dni) => parseDni(dni, 'dnis'));
    if (!viewer.scopes.includes(IDENTITY_READ)) return dnis.map((dni) => ({ dni }));
    return Promise.all(dnis.map((dni) => context.loaders.citizen.load(dni)));
  },
};

/** An agency's token carries scopes; a citizen's carries none. */
function isAgency(viewer: Viewer): boolean {
  return viewer.scopes.length > 0;
}
