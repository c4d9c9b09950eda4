import type { GraphQLError } from 'graphql';
import { badUserInput, notFound } from '../../lib/errors.js';
import { STATUS_CHECKS, type ChannelKind, type StatusCheckEntry } from './catalogue.js';
import type { PortalContext } from './context.js';
import { dueOnFor } from './dueDates.js';
import { decideRequirements, type AgencyVerdicts, type DecidedRequirement } from './requirements.js';
import type { ApplicationRecord, ProcedureRecord } from './store.js';

/** A channel as a sentence names it: "no se puede hacer en línea", "recibida en persona". */
export const CHANNEL_WORDS: Record<ChannelKind, string> = { ONLINE: 'en línea', IN_PERSON: 'en persona' };

/** How every timeline opens, the intake's and the seed's alike: the citizen's submission. */
export function receivedNote(channel: ChannelKind): string {
  return `Recibida por la ventanilla única (${CHANNEL_WORDS[channel]}).`;
}

/**
 * What `startApplication` was asked. The application is made only once the agencies' verdicts are
 * in, in a later fetch, so this travels as StartApplicationPayload's key; whose it is never does: the
 * citizen is always the one the gateway's assertion names.
 */
export interface IntakeRequest {
  procedureSlug: string;
  channel: ChannelKind;
  officeId: string | null;
  idempotencyKey: string;
}

const CHANNELS: readonly unknown[] = ['ONLINE', 'IN_PERSON'] satisfies ChannelKind[];

/** The key: opaque to the planner, which only hands it back. */
export function encodeIntake(request: IntakeRequest): string {
  const { procedureSlug, channel, officeId, idempotencyKey } = request;
  return Buffer.from(JSON.stringify({ procedureSlug, channel, officeId, idempotencyKey })).toString('base64url');
}

/** A key that `encodeIntake` did not make (representations are any JSON) is BAD_USER_INPUT. */
export function decodeIntake(intake: unknown): IntakeRequest {
  const malformed = () => badUserInput('Esta no es una solicitud por iniciar de la ventanilla única.', 'intake');
  if (typeof intake !== 'string') throw malformed();
  let request: Record<string, unknown>;
  try {
    request = JSON.parse(Buffer.from(intake, 'base64url').toString('utf8'));
  } catch {
    throw malformed();
  }
  const { procedureSlug, channel, officeId, idempotencyKey } = request ?? {};
  if (typeof procedureSlug !== 'string' || !CHANNELS.includes(channel) || (officeId !== null && typeof officeId !== 'string') || typeof idempotencyKey !== 'string') {
    throw malformed();
  }
  return { procedureSlug, channel: channel as ChannelKind, officeId, idempotencyKey };
}

/**
 * Everything about a request that needs no verdict: the key, the procedure (one to apply for), the
 * channel and the office. The mutation checks it, and so does the fetch that makes the application,
 * since a representation is input like any other.
 */
export async function checkIntake(request: IntakeRequest, { loaders }: PortalContext): Promise<ProcedureRecord> {
  const { idempotencyKey, officeId } = request;
  if (idempotencyKey.length < 8 || idempotencyKey.length > 128) {
    throw badUserInput('La idempotencyKey debe tener de 8 a 128 caracteres (un UUID sirve).', 'idempotencyKey');
  }
  const procedure = await loaders.procedure.load(request.procedureSlug);
  if (!procedure) throw notFound(`Ningún trámite tiene el identificador "${request.procedureSlug}".`);
  if (procedure.informationOnly) {
    throw badUserInput(`"${procedure.title}" es una consulta: se hace al instante en el canal de la entidad, sin solicitud.`, 'procedureSlug');
  }
  const channel = (await loaders.channels.load(procedure.slug)).find((offered) => offered.kind === request.channel);
  if (!channel) throw badUserInput(`"${procedure.title}" no se puede hacer ${CHANNEL_WORDS[request.channel]}.`, 'channel');
  const officeIds = (await loaders.channelOffices.load(channel)).map((office) => office.id);
  if (officeId === null && officeIds.length > 0) {
    throw badUserInput(`Elige la oficina a la que irás: una de ${officeIds.join(', ')}.`, 'officeId');
  }
  if (officeId !== null && !officeIds.includes(officeId)) {
    throw badUserInput(
      officeIds.length === 0
        ? `"${procedure.title}" ${CHANNEL_WORDS[channel.kind]} no lleva oficina.`
        : `La oficina "${officeId}" no atiende "${procedure.title}": elige una de ${officeIds.join(', ')}.`,
      'officeId',
    );
  }
  return procedure;
}

/**
 * The application this citizen's key already started, as it is now: a retry is answered with it,
 * whatever the agencies would say today. The same key for another procedure is a client's bug.
 */
export async function retriedApplication(dni: string, request: IntakeRequest, { store }: PortalContext): Promise<ApplicationRecord | null> {
  const application = await store.applicationByKey(dni, request.idempotencyKey);
  if (application && application.procedureSlug !== request.procedureSlug) throw keyReused(application);
  return application;
}

function keyReused(application: ApplicationRecord): GraphQLError {
  return badUserInput(
    `Esta idempotencyKey ya inició la solicitud ${application.id}, de otro trámite: usa una clave nueva para cada solicitud.`,
    'idempotencyKey',
  );
}

/** How a new application opens: its status, what the citizen does next, and the note of its first event. */
export interface Opening {
  status: 'SUBMITTED' | 'ACTION_REQUIRED';
  nextStep: string | null;
  note: string;
}

function whenNotMet(code: string): StatusCheckEntry['whenNotMet'] | undefined {
  return (STATUS_CHECKS as Record<string, StatusCheckEntry | undefined>)[code]?.whenNotMet;
}

/** A requirement as a citizen reads it in a list: the agency that says so, and what it says. */
function saying(requirement: DecidedRequirement): string {
  return `${requirement.agencyCode}: ${requirement.detail ?? requirement.description}`;
}

/**
 * Decides from the verdicts how the application opens. A NOT_MET requirement no step of the citizen's
 * settles refuses it: BAD_USER_INPUT with the agencies' reasons, and their codes in
 * `extensions.requirements`. NOT_MET ones the citizen can settle open it ACTION_REQUIRED, listing
 * them; the first event is still the citizen's submission, and its note keeps what was pending then.
 * UNKNOWN (an agency that cannot answer, a document to bring) is not NOT_MET: SUBMITTED, as with
 * everything met, and an official checks.
 */
export function openingFor(
  procedure: Pick<ProcedureRecord, 'title'>,
  agencyName: string,
  channel: ChannelKind,
  requirements: readonly DecidedRequirement[],
): Opening {
  const notMet = requirements.filter((requirement) => requirement.kind === 'STATUS_CHECK' && requirement.status === 'NOT_MET');
  const impossible = notMet.filter((requirement) => whenNotMet(requirement.code) === 'REFUSE');
  if (impossible.length > 0) {
    throw badUserInput(`No puedes iniciar "${procedure.title}". ${impossible.map(saying).join(' ')}`, 'procedureSlug', {
      requirements: impossible.map(({ code, detail }) => ({ code, detail })),
    });
  }
  if (notMet.length === 0) return { status: 'SUBMITTED', nextStep: null, note: receivedNote(channel) };
  const pending = notMet.map(saying).join(' ');
  return {
    status: 'ACTION_REQUIRED',
    nextStep: `Resuelve lo que falta para que ${agencyName} evalúe tu solicitud. ${pending}`,
    note: `${receivedNote(channel)} Falta que el ciudadano resuelva: ${pending}`,
  };
}

/**
 * Makes the application `request` asks for, once, deciding how it opens from `verdicts` (none when
 * the portal is asked without the gateway: every requirement UNKNOWN). A retry of the key, even the
 * gateway's of this very fetch, finds the first one and returns it unchanged.
 */
export async function startIntake(dni: string, request: IntakeRequest, verdicts: AgencyVerdicts, context: PortalContext): Promise<ApplicationRecord> {
  const { store, loaders, logger } = context;
  const procedure = await checkIntake(request, context);
  const retried = await retriedApplication(dni, request, context);
  if (retried) return retried;
  const agency = await loaders.agency.load(procedure.agencyCode);
  const requirements = decideRequirements(await loaders.requirements.load(procedure.slug), verdicts);
  const opening = openingFor(procedure, agency?.name ?? procedure.agencyCode, request.channel, requirements);
  const started = await store.startApplication({
    dni,
    procedureSlug: procedure.slug,
    channel: request.channel,
    officeId: request.officeId,
    idempotencyKey: request.idempotencyKey,
    ...opening,
    dueOn: dueOnFor(new Date(), procedure.processingDays),
  });
  if ('openOne' in started) {
    throw badUserInput(`Ya tienes una solicitud abierta de "${procedure.title}": el expediente ${started.openOne}. Sigue esa, o cancélala antes de empezar otra.`, 'procedureSlug');
  }
  const { application, created } = started;
  // A concurrent start with this key for another procedure won the lock.
  if (application.procedureSlug !== procedure.slug) throw keyReused(application);
  if (created) logger.info({ applicationId: application.id, procedure: procedure.slug, status: application.status }, 'application started');
  loaders.application.prime(application.id, application);
  return application;
}
