import { parseDni } from '../../shared/dni.js';
import type { TaxesContext } from '../context.js';
import type { TaxpayerRow } from '../store.js';

/** A Citizen as this subgraph knows it: only the key; RENIEC owns the rest. */
export interface CitizenReference {
  dni: string;
}

// Who may read `taxpayer` is the schema's to say (@policy), the guard's to check (see createSubgraph.ts).
export const Citizen = {
  // Async so that a malformed DNI rejects its own entity: a synchronous throw would fail the whole `_entities`.
  async __resolveReference(reference: { dni?: unknown }): Promise<CitizenReference> {
    return { dni: parseDni(reference.dni) };
  },

  taxpayer(citizen: CitizenReference, _args: unknown, { loaders }: TaxesContext): Promise<TaxpayerRow | null> {
    return loaders.taxpayerByDni.load(citizen.dni);
  },
};
