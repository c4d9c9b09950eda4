import type { PortalContext } from '../context.js';
import { assertCaseNumber } from '../guards.js';
import { isoDate, todayInPeru } from '../../shared/calendar.js';
import { UNDECIDED } from '../lifecycle.js';
import { decideRequirements, statusCheckCodes, verdictsFrom, type AgencyVerdicts } from '../requirements.js';
import type { ApplicationRecord } from '../store.js';

/** An application, with the agencies' verdicts on its applicant when the planner resolved it after asking them. */
export type ApplicationParent = ApplicationRecord & AgencyVerdicts;

// Who may see an application is the schema's to say (@policy on Application), the guard's to check.
export const Application = {
  /** An unknown case number resolves to null, which the guard answers as it answers someone else's. */
  async __resolveReference(reference: { id: unknown } & AgencyVerdicts, { loaders }: PortalContext): Promise<ApplicationParent | null> {
    assertCaseNumber(reference.id);
    const application = await loaders.application.load(reference.id);
    return application && { ...application, ...verdictsFrom(reference) };
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

  /** Named for this case and the agency handling it: RENIEC answers the name for that case only. */
  async applicant(application: ApplicationRecord, _args: unknown, context: PortalContext) {
    return { caseNumber: application.id, dni: application.dni, handledBy: await Application.handledBy(application, _args, context) };
  },

  async requirements(application: ApplicationParent, _args: unknown, { loaders }: PortalContext) {
    return decideRequirements(await loaders.requirements.load(application.procedureSlug), verdictsFrom(application));
  },

  applicantDni: (application: ApplicationRecord) => application.dni,
  procedureSlug: (application: ApplicationRecord) => application.procedureSlug,

  async handledBy(application: ApplicationRecord, _args: unknown, { loaders }: PortalContext) {
    return (await loaders.procedure.load(application.procedureSlug))?.agencyCode;
  },

  async requirementCodes(application: ApplicationRecord, _args: unknown, { loaders }: PortalContext) {
    return statusCheckCodes(await loaders.requirements.load(application.procedureSlug));
  },

  overdue(application: ApplicationRecord) {
    return UNDECIDED.has(application.status) && isoDate(todayInPeru()) > application.dueOn;
  },
};
