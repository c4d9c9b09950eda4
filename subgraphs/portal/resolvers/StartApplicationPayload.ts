import type { PortalContext } from '../context.js';
import { assertCaseNumber } from '../guards.js';
import { unmetRequirements, verdictsFrom, type AgencyVerdicts } from '../requirements.js';
import type { ApplicationRecord } from '../store.js';

/** A started application, with the agencies' verdicts on its procedure once the planner has them. */
export interface StartApplicationPayloadParent {
  applicationId: string;
  application: ApplicationRecord;
  verdicts: AgencyVerdicts;
}

export const StartApplicationPayload = {
  /**
   * The planner comes back with `{ applicationId, procedure: { identityChecks, transportChecks,
   * taxesChecks } }` to resolve `unmetRequirements`; the application is loaded again because the
   * representation carries no slug (and the guard checks its citizen again, as for any reference).
   */
  async __resolveReference(
    reference: { applicationId: unknown; procedure?: AgencyVerdicts | null },
    { loaders }: PortalContext,
  ): Promise<StartApplicationPayloadParent | null> {
    assertCaseNumber(reference.applicationId);
    const application = await loaders.application.load(reference.applicationId);
    if (!application) return null;
    return { applicationId: application.id, application, verdicts: verdictsFrom(reference.procedure ?? {}) };
  },

  procedure(payload: StartApplicationPayloadParent, _args: unknown, { loaders }: PortalContext) {
    return loaders.procedure.load(payload.application.procedureSlug);
  },

  async unmetRequirements(payload: StartApplicationPayloadParent, _args: unknown, { loaders }: PortalContext) {
    return unmetRequirements(await loaders.requirements.load(payload.application.procedureSlug), payload.verdicts);
  },
};
