import type { PortalContext } from '../context.js';
import type { Actor as ActorRecord, ApplicationEventRecord } from '../store.js';

export const ApplicationEvent = {
  office(event: ApplicationEventRecord, _args: unknown, { loaders }: PortalContext) {
    return event.officeId === null ? null : loaders.office.load(event.officeId);
  },
};

export const Actor = {
  agency(actor: ActorRecord, _args: unknown, { loaders }: PortalContext) {
    return actor.agency === null ? null : loaders.agency.load(actor.agency);
  },
};
