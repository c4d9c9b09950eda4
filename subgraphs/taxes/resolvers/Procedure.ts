import { badUserInput } from '../../shared/errors.js';
import type { TaxesContext } from '../context.js';
import { checkTaxRequirements, isTaxRequirement, type RequirementCheck } from '../requirements.js';

/** A Procedure as the portal hands it over: its key and the requirement codes it needs answered. */
interface ProcedureReference {
  slug: string;
  requirementCodes: string[];
}

export const Procedure = {
  // The planner only comes here for taxesChecks, which @requires requirementCodes: without them there is nothing to answer.
  // Async so that a malformed reference rejects its own entity, not the whole `_entities` list.
  async __resolveReference(reference: { slug?: unknown; requirementCodes?: unknown }): Promise<ProcedureReference> {
    const { slug, requirementCodes } = reference;
    if (typeof slug !== 'string') throw badUserInput('A Procedure reference needs its slug.', 'slug');
    if (!Array.isArray(requirementCodes) || !requirementCodes.every((code) => typeof code === 'string')) {
      throw badUserInput('A Procedure reference needs requirementCodes: a list of requirement codes.', 'requirementCodes');
    }
    return { slug, requirementCodes };
  },

  async taxesChecks(procedure: ProcedureReference, _args: unknown, { viewer, loaders }: TaxesContext): Promise<RequirementCheck[]> {
    const codes = procedure.requirementCodes.filter(isTaxRequirement);
    // Only a citizen has a tax record; with no token, or an agency's, every verdict is UNKNOWN.
    if (codes.length === 0 || !viewer?.dni) return checkTaxRequirements(codes, null);
    const taxpayer = await loaders.taxpayerByDni.load(viewer.dni);
    const debts = taxpayer ? await loaders.debtsByRuc.load(taxpayer.ruc) : [];
    return checkTaxRequirements(codes, { taxpayer, debts });
  },
};
