import { assertMayRead } from '../../shared/auth.js';
import { parseDni } from '../../shared/dni.js';
import { TAXES_READ } from '../access.js';
import type { TaxesContext } from '../context.js';
import type { TaxpayerRow } from '../store.js';

/** A Citizen as this subgraph knows it: only the key; RENIEC owns the rest. */
export interface CitizenReference {
  dni: string;
}

export const Citizen = {
  // Async so that a malformed DNI rejects its own entity: a synchronous throw would fail the whole `_entities`.
  async __resolveReference(reference: { dni?: unknown }): Promise<CitizenReference> {
    return { dni: parseDni(reference.dni) };
  },

  taxpayer(citizen: CitizenReference, _args: unknown, { viewer, loaders }: TaxesContext): Promise<TaxpayerRow | null> {
    assertMayRead(viewer, citizen.dni, TAXES_READ);
    return loaders.taxpayerByDni.load(citizen.dni);
  },
};
