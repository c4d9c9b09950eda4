import { citizenDni } from '../../shared/auth.js';
import type { PortalContext } from '../context.js';
import { decodeIntake, encodeIntake, startIntake, type IntakeRequest } from '../intake.js';
import { unmetRequirements, verdictsFrom, type AgencyVerdicts } from '../requirements.js';
import type { ApplicationRecord } from '../store.js';

/**
 * An intake on its way: what was asked and by whom, the agencies' verdicts once the planner has
 * them, and the application once made.
 */
export interface StartApplicationPayloadParent {
  intake: string;
  request: IntakeRequest;
  /** The caller's, always: one starts applications only for oneself. */
  dni: string;
  verdicts: AgencyVerdicts;
  /** Both fields need it and it must be made once: the first to ask makes it, the other waits for it. */
  application?: Promise<ApplicationRecord>;
}

export function intakePayload(dni: string, request: IntakeRequest, verdicts: AgencyVerdicts, application?: ApplicationRecord): StartApplicationPayloadParent {
  return { intake: encodeIntake(request), request, dni, verdicts, ...(application ? { application: Promise.resolve(application) } : {}) };
}

function applicationOf(payload: StartApplicationPayloadParent, context: PortalContext): Promise<ApplicationRecord> {
  payload.application ??= startIntake(payload.dni, payload.request, payload.verdicts, context);
  return payload.application;
}

export const StartApplicationPayload = {
  /**
   * The planner comes back with `{ intake, procedure: { identityChecks, transportChecks, taxesChecks } }`
   * for `application` and `unmetRequirements`: the application is made here, where the verdicts meet,
   * so that a refusal is this entity's one error.
   */
  async __resolveReference(
    reference: { intake: unknown; procedure?: AgencyVerdicts | null },
    context: PortalContext,
  ): Promise<StartApplicationPayloadParent | null> {
    // The guard lets only a citizen this far.
    const dni = citizenDni(context.caller);
    if (!dni) return null;
    const payload = intakePayload(dni, decodeIntake(reference.intake), verdictsFrom(reference.procedure ?? {}));
    await applicationOf(payload, context);
    return payload;
  },

  procedure(payload: StartApplicationPayloadParent, _args: unknown, { loaders }: PortalContext) {
    return loaders.procedure.load(payload.request.procedureSlug);
  },

  application(payload: StartApplicationPayloadParent, _args: unknown, context: PortalContext) {
    return applicationOf(payload, context);
  },

  /** Also makes the application: selecting only this field must not leave the request undone. */
  async unmetRequirements(payload: StartApplicationPayloadParent, _args: unknown, context: PortalContext) {
    await applicationOf(payload, context);
    return unmetRequirements(await context.loaders.requirements.load(payload.request.procedureSlug), payload.verdicts);
  },
};
