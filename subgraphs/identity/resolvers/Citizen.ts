import { assertMayRead, mayRead } from '../../shared/auth.js';
import { parseDni } from '../../shared/dni.js';
import { notFound } from '../../../lib/errors.js';
import type { IdentityContext } from '../context.js';
import type { CitizenRow } from '../store.js';

/** The scope an agency token needs to read RENIEC's records of any citizen. */
export const IDENTITY_READ = 'identity:read';

/** What a Citizen resolves from: its key. Personal fields load the rest only after the privacy check. */
export interface CitizenRef {
  dni: string;
}

/**
 * A resolver for a field read from the citizen's own row, behind the privacy check: every field but
 * `dni` is personal (the citizen themself, or an agency token with `identity:read`).
 */
function personal<T>(read: (citizen: CitizenRow) => T) {
  return async (parent: CitizenRef, _args: unknown, context: IdentityContext): Promise<T> => {
    assertMayRead(context.viewer, parent.dni, IDENTITY_READ);
    const citizen = await context.loaders.citizen.load(parent.dni);
    if (!citizen) throw notFound(`RENIEC has no citizen with DNI ${parent.dni}.`);
    return read(citizen);
  };
}

export const Citizen = {
  /**
   * A reference from another subgraph or the gateway. A caller who may not read this citizen gets the
   * bare reference, so that its fields answer FORBIDDEN rather than null revealing whether the DNI exists.
   * Async so that a malformed DNI rejects its own entity only, not the whole `_entities` batch.
   */
  async __resolveReference(reference: { dni?: unknown }, context: IdentityContext): Promise<CitizenRef | null> {
    const dni = parseDni(reference.dni);
    if (!mayRead(context.viewer, dni, IDENTITY_READ)) return { dni };
    return context.loaders.citizen.load(dni);
  },
  givenNames: personal((citizen) => citizen.givenNames),
  paternalSurname: personal((citizen) => citizen.paternalSurname),
  maternalSurname: personal((citizen) => citizen.maternalSurname),
  fullName: personal((citizen) => `${citizen.givenNames} ${citizen.paternalSurname} ${citizen.maternalSurname}`),
  birthDate: personal((citizen) => citizen.birthDate),
  maritalStatus: personal((citizen) => citizen.maritalStatus),
  identityDocument(parent: CitizenRef, _args: unknown, context: IdentityContext) {
    assertMayRead(context.viewer, parent.dni, IDENTITY_READ);
    return context.loaders.identityDocument.load(parent.dni);
  },
  civilRecords(parent: CitizenRef, _args: unknown, context: IdentityContext) {
    assertMayRead(context.viewer, parent.dni, IDENTITY_READ);
    return context.loaders.civilRecords.load(parent.dni);
  },
};
