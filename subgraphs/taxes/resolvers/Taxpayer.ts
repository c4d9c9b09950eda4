import { badUserInput } from '../../../lib/errors.js';
import { assertMayReadTaxpayer } from '../access.js';
import type { TaxesContext } from '../context.js';
import { rucProblem } from '../ruc.js';
import type { TaxDebtRow, TaxpayerRow } from '../store.js';
import type { CitizenReference } from './Citizen.js';

/**
 * The taxpayer with RUC `ruc` if `viewer` may see it (FORBIDDEN otherwise), or null when none is
 * registered. Every way into a Taxpayer goes through here or Citizen.taxpayer, so its fields need no
 * guard of their own.
 */
export async function readTaxpayer(ruc: unknown, { viewer, loaders }: TaxesContext): Promise<TaxpayerRow | null> {
  const valid = validRuc(ruc);
  const taxpayer = await loaders.taxpayerByRuc.load(valid);
  assertMayReadTaxpayer(viewer, valid, taxpayer);
  return taxpayer;
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
    return readTaxpayer(reference.ruc, context);
  },

  citizen(taxpayer: TaxpayerRow): CitizenReference | null {
    return taxpayer.dni === null ? null : { dni: taxpayer.dni };
  },

  debts(taxpayer: TaxpayerRow, _args: unknown, { loaders }: TaxesContext): Promise<TaxDebtRow[]> {
    return loaders.debtsByRuc.load(taxpayer.ruc);
  },
};
