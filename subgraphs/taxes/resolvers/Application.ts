import { answerApplicationChecks, resolveApplicationReference, type ApplicationReference, type RequirementCheck } from '../../shared/requirementChecks.js';
import type { TaxesContext } from '../context.js';
import { taxesChecksFor } from './Procedure.js';

/** An application under review: the same checks as on its procedure, about its applicant, read for its case. */
export const Application = {
  __resolveReference: resolveApplicationReference,

  taxesChecks(application: ApplicationReference, _args: unknown, context: TaxesContext): Promise<RequirementCheck[]> {
    return answerApplicationChecks(application, context, taxesChecksFor(context));
  },
};
