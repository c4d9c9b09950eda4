import { badUserInput } from '../../shared/errors.js';
import { assertMayReadCitizen } from '../access.js';
import type { TaxesContext } from '../context.js';
import type { TaxpayerRow } from '../store.js';

/** A Citizen as this subgraph knows it: only the key; RENIEC owns the rest. */
export interface CitizenReference {
  dni: string;
}

const DNI_PATTERN = /^\d{8}$/;

export const Citizen = {
  __resolveReference(reference: { dni?: unknown }): CitizenReference {
    const { dni } = reference;
    if (typeof dni !== 'string' || !DNI_PATTERN.test(dni)) {
      throw badUserInput(`A DNI has exactly 8 digits; "${String(dni)}" does not.`, 'dni');
    }
    return { dni };
  },

  taxpayer(citizen: CitizenReference, _args: unknown, { viewer, loaders }: TaxesContext): Promise<TaxpayerRow | null> {
    assertMayReadCitizen(viewer, citizen.dni);
    return loaders.taxpayerByDni.load(citizen.dni);
  },
};
