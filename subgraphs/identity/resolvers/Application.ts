import { answerApplicationChecks, resolveApplicationReference, type ApplicationReference, type RequirementCheck } from '../../shared/requirementChecks.js';
import type { IdentityContext } from '../context.js';
import { identityChecksFor } from './Procedure.js';

/** An application under review: the same checks as on its procedure, about its applicant, read for its case. */
export const Application = {
  __resolveReference: resolveApplicationReference,

  identityChecks(application: ApplicationReference, _args: unknown, context: IdentityContext): Promise<RequirementCheck[]> {
    return answerApplicationChecks(application, context, identityChecksFor(context));
  },
};
