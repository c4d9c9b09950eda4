import { parseDni } from '../../shared/dni.js';
import { notFound } from '../../../lib/errors.js';
import type { IdentityContext } from '../context.js';
import type { CitizenRow } from '../store.js';

/** What a Citizen resolves from: its key. Personal fields load the rest once the guard lets them. */
export interface CitizenRef {
  dni: string;
}

/** A resolver for a field read from the citizen's own row (who may read it is the schema's to say). */
function fromRow<T>(read: (citizen: CitizenRow) => T) {
  return async (parent: CitizenRef, _args: unknown, context: IdentityContext): Promise<T> => {
    const citizen = await context.loaders.citizen.load(parent.dni);
    if (!citizen) throw notFound(`RENIEC has no citizen with DNI ${parent.dni}.`);
    return read(citizen);
  };
}

export const Citizen = {
  /**
   * A reference from another subgraph or the gateway: the key alone, whoever asks, so that a caller
   * who may not read the citizen learns nothing from it (each field answers FORBIDDEN, existing or not).
   * Async so that a malformed DNI rejects its own entity only, not the whole `_entities` batch.
   */
  async __resolveReference(reference: { dni?: unknown }): Promise<CitizenRef> {
    return { dni: parseDni(reference.dni) };
  },
  givenNames: fromRow((citizen) => citizen.givenNames),
  paternalSurname: fromRow((citizen) => citizen.paternalSurname),
  maternalSurname: fromRow((citizen) => citizen.maternalSurname),
  fullName: fromRow((citizen) => `${citizen.givenNames} ${citizen.paternalSurname} ${citizen.maternalSurname}`),
  birthDate: fromRow((citizen) => citizen.birthDate),
  maritalStatus: fromRow((citizen) => citizen.maritalStatus),
  identityDocument(parent: CitizenRef, _args: unknown, context: IdentityContext) {
    return context.loaders.identityDocument.load(parent.dni);
  },
  civilRecords(parent: CitizenRef, _args: unknown, context: IdentityContext) {
    return context.loaders.civilRecords.load(parent.dni);
  },
};
