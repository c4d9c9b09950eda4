import { recordedPurpose, type RecordFacts } from '../../lib/access.js';
import { badUserInput } from '../../lib/errors.js';
import { accessorOf, type Accessor } from './accessRecord.js';
import type { RecordType } from './personalData.js';
import { citizenDni } from './auth.js';
import type { BaseContext } from './service.js';

/**
 * What every agency subgraph answers in its `<name>Checks` field on Procedure: its verdict on each
 * requirement code it owns, for the signed-in citizen (see schema/README.md).
 */
export type RequirementStatus = 'MET' | 'NOT_MET' | 'UNKNOWN';

export interface RequirementCheck {
  code: string;
  status: RequirementStatus;
  detail: string | null;
}

/** A verdict before it is tied to its code. */
export type Verdict = Omit<RequirementCheck, 'code'>;

export const MET: Verdict = { status: 'MET', detail: null };
export const notMet = (detail: string): Verdict => ({ status: 'NOT_MET', detail });
export const unknown = (detail: string): Verdict => ({ status: 'UNKNOWN', detail });

/** A Procedure as the portal hands it to an agency: its key, the requirement codes and its agency (@requires). */
export interface ProcedureReference {
  slug: string;
  requirementCodes: string[];
  /** The agency the procedure is done at: it is who reads the citizen's records to check them. */
  agencyCode: string;
}

/**
 * Procedure.__resolveReference of every agency subgraph: agencies hold nothing about procedures, so the
 * representation (its key, and the requirement codes and agency the planner always sends, @requires)
 * is all there is; anything else is malformed, refused with BAD_USER_INPUT. Async, so that a bad
 * representation fails its own entity and not the whole `_entities` batch.
 */
export async function resolveProcedureReference(representation: { slug?: unknown; requirementCodes?: unknown; agency?: unknown }): Promise<ProcedureReference> {
  const { slug, requirementCodes, agency } = representation;
  if (typeof slug !== 'string') throw badUserInput('A Procedure representation must carry its slug.', 'slug');
  if (!Array.isArray(requirementCodes) || !requirementCodes.every((code): code is string => typeof code === 'string')) {
    throw badUserInput('A Procedure representation must carry requirementCodes, a list of codes.', 'requirementCodes');
  }
  const agencyCode = (agency as { code?: unknown } | null | undefined)?.code;
  if (typeof agencyCode !== 'string') throw badUserInput('A Procedure representation must carry its agency { code }.', 'agency');
  return { slug, requirementCodes, agencyCode };
}

/**
 * How an agency decides one requirement it owns, for citizen `dni`: what it reads to decide (field
 * coordinates, recorded on the access record) and whose data that is.
 */
export interface Check {
  /** The agency whose data the check reads, e.g. SAT for no-unpaid-fines. */
  agency: string;
  /** What it reads, as the fields a citizen would know them by, e.g. Citizen.trafficFines. */
  reads: readonly string[];
  decide(dni: string): Promise<Verdict>;
}

/** An agency's checks: the keys are the codes it owns. */
export type Checks<Code extends string> = Record<Code, Check>;

/** Whom a set of checks is about, who reads for them and why: what each read is recorded as. */
interface Reading {
  dni: string;
  accessor: Accessor;
  purpose: string | null;
}

/**
 * One check per code in `codes` that `checks` owns, once each, in the given order (other agencies'
 * codes are theirs to answer), each read on the access record as `reading` says. With nobody to
 * check (`reading` null), every verdict is UNKNOWN with `unknownDetail` and nothing is read.
 */
function runChecks<Code extends string>(codes: readonly string[], checks: Checks<Code>, context: BaseContext, reading: Reading | null, unknownDetail: string): Promise<RequirementCheck[]> {
  const owned = (code: string): code is Code => Object.hasOwn(checks, code);
  return Promise.all(
    [...new Set(codes)].filter(owned).map(async (code) => {
      if (!reading) return { code, ...unknown(unknownDetail) };
      const check = checks[code];
      // Noted once decided: a check that fails read nothing the citizen would want told.
      const verdict = await check.decide(reading.dni);
      for (const field of check.reads) context.access.note({ dni: reading.dni, agency: check.agency, field, accessor: reading.accessor, purpose: reading.purpose });
      return { code, ...verdict };
    }),
  );
}

/**
 * The verdicts of `checks` on a procedure's requirements, for the signed-in citizen: each read on the
 * agency's access record as read by the procedure's agency, for "requirement check for <slug>". With
 * no citizen signed in (anonymous, an official, a service), every verdict is UNKNOWN.
 */
export function answerChecks<Code extends string>(procedure: ProcedureReference, context: BaseContext, checks: Checks<Code>): Promise<RequirementCheck[]> {
  const dni = citizenDni(context.caller);
  const reading = dni === null ? null : {
    dni,
    accessor: { kind: 'AGENCY' as const, id: REQUIREMENT_CHECK, name: 'Requirement check', agency: procedure.agencyCode },
    purpose: `requirement check for ${procedure.slug}`,
  };
  return runChecks(procedure.requirementCodes, checks, context, reading, 'Inicia sesión para verificarlo.');
}

/** An Application as the portal hands it to an agency (@requires): the case, its applicant and its procedure. */
export interface ApplicationReference {
  id: string;
  applicantDni: string;
  handledBy: string;
  procedureSlug: string;
  requirementCodes: string[];
}

/**
 * Application.__resolveReference of every agency subgraph: like a procedure's, the representation is
 * all there is, and anything but its five fields is malformed (BAD_USER_INPUT).
 */
export async function resolveApplicationReference(representation: Record<string, unknown>): Promise<ApplicationReference> {
  const { id, applicantDni, handledBy, procedureSlug, requirementCodes } = representation;
  for (const [field, value] of Object.entries({ id, applicantDni, handledBy, procedureSlug })) {
    if (typeof value !== 'string') throw badUserInput(`An Application representation must carry ${field}.`, field);
  }
  if (!Array.isArray(requirementCodes) || !requirementCodes.every((code): code is string => typeof code === 'string')) {
    throw badUserInput('An Application representation must carry requirementCodes, a list of codes.', 'requirementCodes');
  }
  return { id, applicantDni, handledBy, procedureSlug, requirementCodes } as ApplicationReference;
}

function applicationFacts(application: ApplicationReference): RecordFacts {
  return { subject: application.applicantDni, owner: null, case: { id: application.id, agency: application.handledBy } };
}

/**
 * An application, to an agency: its applicant's record, read for its case. The checks record what
 * they read field by field, so the guard records nothing of its own.
 */
export const APPLICATION_RECORD: RecordType<BaseContext> = {
  facts: applicationFacts,
  denied: 'No puedes ver los requisitos de esta solicitud.',
  unrecorded: true,
};

/**
 * The verdicts of `checks` on an application's requirements, for its applicant, now: read by whoever
 * reads the application (the guard has let only its citizen or an official of the agency handling it
 * through), recorded with the purpose the guard would record (the case number, for that official).
 */
export function answerApplicationChecks<Code extends string>(application: ApplicationReference, context: BaseContext, checks: Checks<Code>): Promise<RequirementCheck[]> {
  const asking = { caller: context.caller, purpose: context.purpose };
  const reading = context.caller && {
    dni: application.applicantDni,
    accessor: accessorOf(context.caller),
    purpose: recordedPurpose(asking, applicationFacts(application)),
  };
  return runChecks(application.requirementCodes, checks, context, reading, 'Inicia sesión para verificarlo.');
}

/** The accessor id of every requirement check on the access record. */
export const REQUIREMENT_CHECK = 'requirement-check';
