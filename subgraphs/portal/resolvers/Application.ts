import type { PortalContext } from '../context.js';
import { assertCaseNumber, assertMayRead } from '../guards.js';
import type { ApplicationRecord } from '../store.js';

export const Application = {
  /** An unknown case number resolves to null; someone else's application is FORBIDDEN. */
  async __resolveReference({ id }: { id: unknown }, { viewer, loaders }: PortalContext) {
    assertCaseNumber(id);
    const application = await loaders.application.load(id);
    if (!application) return null;
    assertMayRead(viewer, application.dni);
    return application;
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
};
