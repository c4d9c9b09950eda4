import { answerChecks, type Checks, resolveProcedureReference, type ProcedureReference, type RequirementCheck } from '../../shared/requirementChecks.js';
import type { TaxesContext } from '../context.js';
import { noTaxDebtVerdict, rucActiveVerdict, rucNotRegisteredVerdict } from '../requirements.js';
import type { TaxDebtRow } from '../store.js';

/** The requirements taxes answers, each loading only the records it needs, each read on its owner's record. */
export function taxesChecksFor(context: TaxesContext) {
  const { loaders } = context;
  // Each check loads only what it needs (debts only for 'no-tax-debt'); loaders memoise per request,
  // so every code of every procedure asked reads each record once.
  const debtsOf = async (dni: string): Promise<readonly TaxDebtRow[]> => {
    const taxpayer = await loaders.taxpayerByDni.load(dni);
    return taxpayer ? loaders.debtsByRuc.load(taxpayer.ruc) : [];
  };
  const taxpayer = ['Citizen.taxpayer'];
  return {
    'no-tax-debt': { agency: 'SUNAT', reads: ['Citizen.taxpayer', 'Taxpayer.debts'], decide: async (dni) => noTaxDebtVerdict(await debtsOf(dni)) },
    'ruc-not-registered': { agency: 'SUNAT', reads: taxpayer, decide: async (dni) => rucNotRegisteredVerdict(await loaders.taxpayerByDni.load(dni)) },
    'ruc-active': { agency: 'SUNAT', reads: taxpayer, decide: async (dni) => rucActiveVerdict(await loaders.taxpayerByDni.load(dni)) },
  } satisfies Checks<string>;
}

export const Procedure = {
  __resolveReference: resolveProcedureReference,

  taxesChecks(procedure: ProcedureReference, _args: unknown, context: TaxesContext): Promise<RequirementCheck[]> {
    return answerChecks(procedure, context, taxesChecksFor(context));
  },
};
