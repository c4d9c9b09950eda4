import {
  answerChecks,
  procedureReference,
  type ProcedureReference,
  type RequirementCheck,
} from '../../shared/requirementChecks.js';
import type { TaxesContext } from '../context.js';
import { checkTaxRequirement, TAX_REQUIREMENT_CODES } from '../requirements.js';

export const Procedure = {
  // The planner only comes here for taxesChecks, which @requires requirementCodes: without them there is nothing to answer.
  // Async so that a malformed reference rejects its own entity, not the whole `_entities` list.
  async __resolveReference(representation: { slug?: unknown; requirementCodes?: unknown }): Promise<ProcedureReference> {
    return procedureReference(representation);
  },

  taxesChecks(procedure: ProcedureReference, _args: unknown, { viewer, loaders }: TaxesContext): Promise<RequirementCheck[]> {
    return answerChecks(procedure.requirementCodes, TAX_REQUIREMENT_CODES, viewer?.dni, async (code, dni) => {
      // Loaders memoise per request: every code of every procedure asked reads the record once.
      const taxpayer = await loaders.taxpayerByDni.load(dni);
      const debts = taxpayer ? await loaders.debtsByRuc.load(taxpayer.ruc) : [];
      return checkTaxRequirement(code, { taxpayer, debts });
    });
  },
};
