import { mayRead } from '../../shared/auth.js';
import { parseDni } from '../../shared/dni.js';
import { badUserInput, forbidden, notFound, unauthenticated } from '../../shared/errors.js';
import type { IdentityContext } from '../context.js';
import type { CitizenRow } from '../store.js';
import { IDENTITY_READ } from './Citizen.js';

/** The most DNIs one `citizens` call may ask for: enough for a page of a case list, not a dump of the registry. */
export const MAX_CITIZENS_PER_CALL = 500;

export const Query = {
  me(_parent: unknown, _args: unknown, context: IdentityContext): Promise<CitizenRow | null> | null {
    const dni = context.viewer?.dni;
    return dni ? context.loaders.citizen.load(dni) : null;
  },

  async citizen(_parent: unknown, args: { dni: string }, context: IdentityContext): Promise<CitizenRow> {
    if (!context.viewer) throw unauthenticated('Sign in to look up a citizen.');
    const dni = parseDni(args.dni);
    if (!mayRead(context.viewer, dni, IDENTITY_READ)) throw forbidden();
    const citizen = await context.loaders.citizen.load(dni);
    if (!citizen) throw notFound(`RENIEC has no citizen with DNI ${dni}.`);
    return citizen;
  },

  async citizens(_parent: unknown, args: { dnis: string[] }, context: IdentityContext): Promise<(CitizenRow | null)[]> {
    if (!context.viewer) throw unauthenticated('Sign in to look up citizens.');
    if (!context.viewer.scopes.includes(IDENTITY_READ)) {
      throw forbidden(`Looking up several citizens needs an agency token with ${IDENTITY_READ}.`);
    }
    if (args.dnis.length > MAX_CITIZENS_PER_CALL) {
      throw badUserInput(`Ask for at most ${MAX_CITIZENS_PER_CALL} DNIs at once, not ${args.dnis.length}.`, 'dnis');
    }
    const dnis = args.dnis.map((dni) => parseDni(dni, 'dnis'));
    return Promise.all(dnis.map((dni) => context.loaders.citizen.load(dni)));
  },
};
