import { badUserInput } from '../../../lib/errors.js';
import type { TaxesContext } from '../context.js';
import { rucProblem } from '../ruc.js';
import type { TaxDebtRow, TaxpayerRow } from '../store.js';
import type { CitizenReference } from './Citizen.js';

/**
 * The taxpayer with RUC `ruc`, or null when none is registered; BAD_USER_INPUT for a malformed RUC.
 * Who may see it is the schema's to say (`@policy` on Taxpayer) and the guard's to check.
 */
export async function taxpayerByRuc(ruc: unknown, { loaders }: TaxesContext): Promise<TaxpayerRow | null> {
  return loaders.taxpayerByRuc.load(validRuc(ruc));
}

/** `ruc` itself when it is a well-formed RUC; BAD_USER_INPUT saying what is wrong otherwise. */
function validRuc(ruc: unknown): string {
  if (typeof ruc !== 'string') throw badUserInput('A RUC is a string of 11 digits.', 'ruc');
  const problem = rucProblem(ruc);
  if (problem !== null) throw badUserInput(problem, 'ruc');
  return ruc;
}

export const Taxpayer = {
  __resolveReference(reference: { ruc?: unknown }, context: TaxesContext): Promise<TaxpayerRow | null> {
    return taxpayerByRuc(reference.ruc, context);
  },

  citizen(taxpayer: TaxpayerRow): CitizenReference | null {
    return taxpayer.dni === null ? null : { dni: taxpayer.dni };
  },

  debts(taxpayer: TaxpayerRow, _args: unknown, { loaders }: TaxesContext): Promise<TaxDebtRow[]> {
    return loaders.debtsByRuc.load(taxpayer.ruc);
  },
};
