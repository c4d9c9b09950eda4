import { answerApplicationChecks, resolveApplicationReference, type ApplicationReference, type RequirementCheck } from '../../shared/requirementChecks.js';
import type { TransportContext } from '../context.js';
import { transportChecksFor } from './Procedure.js';

/** An application under review: the same checks as on its procedure, about its applicant, read for its case. */
export const Application = {
  __resolveReference: resolveApplicationReference,

  transportChecks(application: ApplicationReference, _args: unknown, context: TransportContext): Promise<RequirementCheck[]> {
    return answerApplicationChecks(application, context, transportChecksFor(context));
  },
};
