import { badUserInput } from '../../../lib/errors.js';
import { citizenDni } from '../../shared/auth.js';
import { parseDni } from '../../shared/dni.js';
import type { IdentityContext } from '../context.js';
import type { CitizenRef } from './Citizen.js';

/** The most DNIs one `citizens` call may ask for: enough for a page of a case list, not a dump of the registry. */
export const MAX_CITIZENS_PER_CALL = 500;

// Who may call each root field is the schema's to say (@authenticated, @requiresScopes), the guard's to check.
export const Query = {
  me(_parent: unknown, _args: unknown, context: IdentityContext): Promise<CitizenRef | null> | null {
    const dni = citizenDni(context.caller);
    return dni ? context.loaders.citizen.load(dni) : null;
  },

  /** The door to one citizen across agencies: the key, from which each field decides who may read it. */
  citizen(_parent: unknown, args: { dni: string }): CitizenRef {
    return { dni: parseDni(args.dni) };
  },

  /**
   * Several citizens for an agency service, in the order asked, as keys: whether RENIEC knows one is
   * told only at its fields, to those who may read them (a list of nulls would tell anyone with a scope).
   */
  citizens(_parent: unknown, args: { dnis: string[] }): CitizenRef[] {
    if (args.dnis.length > MAX_CITIZENS_PER_CALL) {
      throw badUserInput(`Ask for at most ${MAX_CITIZENS_PER_CALL} DNIs at once, not ${args.dnis.length}.`, 'dnis');
    }
    return args.dnis.map((dni) => ({ dni: parseDni(dni, 'dnis') }));
  },
};
