import { badUserInput, forbidden, notFound } from '../../../lib/errors.js';
import { citizenDni } from '../../shared/auth.js';
import type { ChannelKind } from '../catalogue.js';
import type { PortalContext } from '../context.js';
import { CHANNEL_WORDS, receivedNote } from '../intake.js';
import type { StartApplicationPayloadParent } from './StartApplicationPayload.js';

interface StartApplicationInput {
  procedureSlug: string;
  channel: ChannelKind;
  officeId?: string | null;
  idempotencyKey: string;
}

export const Mutation = {
  async startApplication(
    _: unknown,
    { input }: { input: StartApplicationInput },
    { caller, store, loaders, logger }: PortalContext,
  ): Promise<StartApplicationPayloadParent> {
    const dni = citizenDni(caller);
    if (!dni) throw forbidden('Only a citizen starts an application, for themself: sign in as one.');
    const { idempotencyKey } = input;
    if (idempotencyKey.length < 8 || idempotencyKey.length > 128) {
      throw badUserInput('idempotencyKey must be 8 to 128 characters long (a UUID will do).', 'idempotencyKey');
    }
    const procedure = await loaders.procedure.load(input.procedureSlug);
    if (!procedure) throw notFound(`No procedure has the slug "${input.procedureSlug}".`);

    const channel = (await loaders.channels.load(procedure.slug)).find((offered) => offered.kind === input.channel);
    if (!channel) throw badUserInput(`"${procedure.title}" cannot be done ${CHANNEL_WORDS[input.channel]}.`, 'channel');
    const officeIds = (await loaders.channelOffices.load(channel)).map((office) => office.id);
    const officeId = input.officeId ?? null;
    if (officeId === null && officeIds.length > 0) {
      throw badUserInput(`Choose the office to go to: one of ${officeIds.join(', ')}.`, 'officeId');
    }
    if (officeId !== null && !officeIds.includes(officeId)) {
      throw badUserInput(
        officeIds.length === 0
          ? `"${procedure.title}" ${CHANNEL_WORDS[channel.kind]} takes no office.`
          : `Office "${officeId}" does not attend "${procedure.title}": choose one of ${officeIds.join(', ')}.`,
        'officeId',
      );
    }

    const { application, created } = await store.startApplication({
      dni,
      procedureSlug: procedure.slug,
      channel: channel.kind,
      officeId,
      idempotencyKey,
      note: receivedNote(channel.kind),
    });
    // Same key, same procedure: a retry, answered with the first application. Another procedure: a client bug.
    if (application.procedureSlug !== procedure.slug) {
      throw badUserInput(
        `This idempotencyKey already started application ${application.id} for another procedure: use a new key for each application.`,
        'idempotencyKey',
      );
    }
    if (created) logger.info({ applicationId: application.id, procedure: procedure.slug }, 'application started');
    loaders.application.prime(application.id, application);
    return { applicationId: application.id, application, verdicts: {} };
  },
};
