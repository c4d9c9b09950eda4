import type { PortalContext } from '../context.js';
import type { DecidedRequirement } from '../requirements.js';

export const Requirement = {
  agency(requirement: DecidedRequirement, _args: unknown, { loaders }: PortalContext) {
    return loaders.agency.load(requirement.agencyCode);
  },
};
