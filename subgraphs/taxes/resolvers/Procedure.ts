import { answerChecks, resolveProcedureReference, type ProcedureReference, type RequirementCheck } from '../../shared/requirementChecks.js';
import type { TaxesContext } from '../context.js';
import { noTaxDebtVerdict, rucActiveVerdict, rucNotRegisteredVerdict } from '../requirements.js';
import type { TaxDebtRow } from '../store.js';

export const Procedure = {
  __resolveReference: resolveProcedureReference,

  taxesChecks(procedure: ProcedureReference, _args: unknown, { viewer, loaders }: TaxesContext): Promise<RequirementCheck[]> {
    // Each check loads only what it needs (debts only for 'no-tax-debt'); loaders memoise per request,
    // so every code of every procedure asked reads each record once.
    const debtsOf = async (dni: string): Promise<readonly TaxDebtRow[]> => {
      const taxpayer = await loaders.taxpayerByDni.load(dni);
      return taxpayer ? loaders.debtsByRuc.load(taxpayer.ruc) : [];
    };
    return answerChecks(procedure.requirementCodes, viewer?.dni, {
      'no-tax-debt': async (dni) => noTaxDebtVerdict(await debtsOf(dni)),
      'ruc-not-registered': async (dni) => rucNotRegisteredVerdict(await loaders.taxpayerByDni.load(dni)),
      'ruc-active': async (dni) => rucActiveVerdict(await loaders.taxpayerByDni.load(dni)),
    });
  },
};
