import type { PortalContext } from '../context.js';
import { assertCaseNumber } from '../guards.js';
import { isoDate, todayInPeru } from '../../shared/calendar.js';
import { UNDECIDED } from '../lifecycle.js';
import type { ApplicationRecord } from '../store.js';

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

  overdue(application: ApplicationRecord) {
    return UNDECIDED.has(application.status) && isoDate(todayInPeru()) > application.dueOn;
  },
};
