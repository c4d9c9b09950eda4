import { badUserInput, conflict, forbidden } from '../../../lib/errors.js';
import { assertCaseNumber } from '../guards.js';
import { nextStepAfter, refusedMove, STATUS_WORDS, UNDECIDED } from '../lifecycle.js';
import type { ApplicationRecord, ApplicationStatus } from '../store.js';
import { citizenDni } from '../../shared/auth.js';
import type { ChannelKind } from '../catalogue.js';
import type { PortalContext } from '../context.js';
import { checkIntake, retriedApplication } from '../intake.js';
import { intakePayload, type StartApplicationPayloadParent } from './StartApplicationPayload.js';

interface StartApplicationInput {
  procedureSlug: string;
  channel: ChannelKind;
  officeId?: string | null;
  idempotencyKey: string;
}

interface MoveApplicationInput {
  applicationId: string;
  to: ApplicationStatus;
  note: string;
  expectedVersion: number;
}

/** The scope an official needs to work their agency's applications (domain.md §7). */
const REVIEW_SCOPE = 'applications:review';

/** The same words for another agency's case number and for none: case numbers are sequential, two answers would let anyone count. */
const NOT_YOUR_AGENCYS = 'Esta solicitud no es de tu entidad.';
const NOT_YOURS = 'No tienes ninguna solicitud con este número de expediente.';
const LONGEST_NOTE = 2000;

function staleMove(application: ApplicationRecord) {
  return conflict(`Otro funcionario movió la solicitud ${application.id} antes que tú: vuelve a cargarla y decide sobre lo que hay ahora.`);
}

function noteOf(note: string, needed: boolean, field: string): string {
  const trimmed = note.trim();
  if (needed && trimmed.length === 0) throw badUserInput('Escribe la razón: queda en el expediente y el ciudadano la lee.', field);
  if (trimmed.length > LONGEST_NOTE) throw badUserInput(`La nota puede tener hasta ${LONGEST_NOTE} caracteres.`, field);
  return trimmed;
}

export const Mutation = {
  /**
   * Checks all that needs no verdict and answers with the intake: the application is made when the
   * planner brings the agencies' verdicts to StartApplicationPayload (or, asked without the gateway,
   * when its fields are resolved). A retry of a key that already started one answers with it.
   */
  async startApplication(_: unknown, { input }: { input: StartApplicationInput }, context: PortalContext): Promise<StartApplicationPayloadParent> {
    const dni = citizenDni(context.caller);
    if (!dni) throw forbidden('Solo un ciudadano inicia una solicitud, para sí mismo: ingresa como ciudadano.');
    const request = { procedureSlug: input.procedureSlug, channel: input.channel, officeId: input.officeId ?? null, idempotencyKey: input.idempotencyKey };
    await checkIntake(request, context);
    const retried = await retriedApplication(dni, request, context);
    return intakePayload(dni, request, {}, retried ?? undefined);
  },

  async moveApplication(_: unknown, { input }: { input: MoveApplicationInput }, { caller, store, loaders, logger }: PortalContext): Promise<{ application: ApplicationRecord }> {
    if (caller?.kind !== 'official' || !caller.scopes.includes(REVIEW_SCOPE)) {
      throw forbidden(`Solo un funcionario de la entidad del trámite, con el alcance ${REVIEW_SCOPE}, mueve una solicitud.`);
    }
    assertCaseNumber(input.applicationId);
    const application = await loaders.application.load(input.applicationId);
    const procedure = application ? await loaders.procedure.load(application.procedureSlug) : null;
    if (!application || !procedure || procedure.agencyCode !== caller.agency) throw forbidden(NOT_YOUR_AGENCYS);
    // A stale version first: the move was decided on what is no longer there.
    if (application.version !== input.expectedVersion) throw staleMove(application);
    const refused = refusedMove(application.status, input.to, application.channel);
    if (refused) throw badUserInput(refused, 'to');
    const note = noteOf(input.note, input.to === 'REJECTED', 'note');
    const office = application.officeId ? await loaders.office.load(application.officeId) : null;
    const agency = await loaders.agency.load(procedure.agencyCode);
    const moved = await store.move({
      applicationId: application.id,
      expectedVersion: input.expectedVersion,
      from: application.status,
      to: input.to,
      note: note || `Solicitud ${STATUS_WORDS[input.to]}.`,
      nextStep: nextStepAfter(input.to, { agency: agency?.name ?? procedure.agencyCode, office: office?.name ?? null }),
      actor: { kind: 'OFFICIAL', id: caller.id, name: caller.name, agency: caller.agency },
      officeId: caller.office,
    });
    if (!moved) throw staleMove(application);
    logger.info({ applicationId: moved.id, from: application.status, to: moved.status, official: caller.id }, 'application moved');
    loaders.application.clear(moved.id).prime(moved.id, moved);
    loaders.timeline.clear(moved.id);
    return { application: moved };
  },

  async cancelApplication(_: unknown, { id, reason }: { id: string; reason: string }, { caller, store, loaders, logger }: PortalContext): Promise<{ application: ApplicationRecord }> {
    const dni = citizenDni(caller);
    if (!dni) throw forbidden('Solo el ciudadano cancela su propia solicitud.');
    assertCaseNumber(id);
    const application = await loaders.application.load(id);
    if (!application || application.dni !== dni) throw forbidden(NOT_YOURS);
    if (!UNDECIDED.has(application.status)) throw badUserInput(`La solicitud ya está ${STATUS_WORDS[application.status]}: solo se cancela antes de una decisión.`, 'id');
    const note = noteOf(reason, true, 'reason');
    const cancelled = await store.move({
      applicationId: application.id,
      expectedVersion: application.version,
      from: application.status,
      to: 'CANCELLED',
      note: `Cancelada por el ciudadano: ${note}`,
      nextStep: null,
      actor: { kind: 'CITIZEN', id: dni, name: null, agency: null },
      officeId: null,
    });
    if (!cancelled) throw conflict(`La solicitud ${application.id} cambió mientras la cancelabas: vuelve a cargarla.`);
    logger.info({ applicationId: cancelled.id }, 'application cancelled');
    loaders.application.clear(cancelled.id).prime(cancelled.id, cancelled);
    loaders.timeline.clear(cancelled.id);
    return { application: cancelled };
  },
};
