import type { PortalContext } from '../context.js';
import { assertCaseNumber } from '../guards.js';
import { addBusinessDays } from '../../shared/businessDays.js';
import { isoDate, todayInPeru } from '../../shared/calendar.js';
import { UNDECIDED } from '../lifecycle.js';
import type { ApplicationRecord, ProcedureRecord } from '../store.js';

/** The day an application is due: its procedure's processing days, in business days, from the Peruvian day it was submitted. */
function dueOn(application: ApplicationRecord, procedure: ProcedureRecord | null | undefined): string {
  if (!procedure) throw new Error(`Application ${application.id} names an unknown procedure: ${application.procedureSlug}`);
  return addBusinessDays(isoDate(todayInPeru(new Date(application.submittedAt))), procedure.processingDays);
}

// Who may see an application is the schema's to say (@policy on Application), the guard's to check.
export const Application = {
  /** An unknown case number resolves to null, which the guard answers as it answers someone else's. */
  async __resolveReference({ id }: { id: unknown }, { loaders }: PortalContext) {
    assertCaseNumber(id);
    return loaders.application.load(id);
  },

  procedure(application: ApplicationRecord, _args: unknown, { loaders }: PortalContext) {
    return loaders.procedure.load(application.procedureSlug);
  },

  office(application: ApplicationRecord, _args: unknown, { loaders }: PortalContext) {
    return application.officeId === null ? null : loaders.office.load(application.officeId);
  },

  timeline(application: ApplicationRecord, _args: unknown, { loaders }: PortalContext) {
    return loaders.timeline.load(application.id);
  },

  async dueOn(application: ApplicationRecord, _args: unknown, { loaders }: PortalContext) {
    return dueOn(application, await loaders.procedure.load(application.procedureSlug));
  },

  async overdue(application: ApplicationRecord, _args: unknown, { loaders }: PortalContext) {
    if (!UNDECIDED.has(application.status)) return false;
    return isoDate(todayInPeru()) > dueOn(application, await loaders.procedure.load(application.procedureSlug));
  },
};
