import type { PortalContext } from '../context.js';
import { assertString } from '../guards.js';
import { decideRequirements, statusCheckCodes, verdictsFrom, type AgencyVerdicts } from '../requirements.js';
import type { ProcedureRecord } from '../store.js';

/** A procedure, with the agencies' verdicts when the planner resolved it as an entity after asking them. */
export type ProcedureParent = ProcedureRecord & AgencyVerdicts;

export const Procedure = {
  async __resolveReference(reference: { slug: unknown } & AgencyVerdicts, { loaders }: PortalContext): Promise<ProcedureParent | null> {
    assertString(reference.slug, 'slug');
    const procedure = await loaders.procedure.load(reference.slug);
    return procedure && { ...procedure, ...verdictsFrom(reference) };
  },

  agency(procedure: ProcedureParent, _args: unknown, { loaders }: PortalContext) {
    return loaders.agency.load(procedure.agencyCode);
  },

  fee(procedure: ProcedureParent) {
    return {
      amount: procedure.feeAmount,
      currency: 'PEN',
      paymentCode: procedure.paymentCode,
      uitPercent: procedure.feeUitPercent,
      asOf: procedure.feeAsOf,
    };
  },

  channels(procedure: ProcedureParent, _args: unknown, { loaders }: PortalContext) {
    return loaders.channels.load(procedure.slug);
  },

  async requirements(procedure: ProcedureParent, _args: unknown, { loaders }: PortalContext) {
    return decideRequirements(await loaders.requirements.load(procedure.slug), verdictsFrom(procedure));
  },

  async requirementCodes(procedure: ProcedureParent, _args: unknown, { loaders }: PortalContext) {
    return statusCheckCodes(await loaders.requirements.load(procedure.slug));
  },
};
