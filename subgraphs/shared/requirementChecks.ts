import { badUserInput } from '../../lib/errors.js';
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

/**
 * One check per code of the procedure that `checks` owns, once each, in the procedure's order (other
 * agencies' codes are theirs to answer). Checks are always about the signed-in citizen, and each one
 * is on the agency's access record: read by the procedure's agency, for "requirement check for
 * <slug>". With no citizen signed in (anonymous, an official, a service), every verdict is UNKNOWN
 * and nothing is read.
 */
export function answerChecks<Code extends string>(procedure: ProcedureReference, context: BaseContext, checks: Checks<Code>): Promise<RequirementCheck[]> {
  const owned = (code: string): code is Code => Object.hasOwn(checks, code);
  const asked = [...new Set(procedure.requirementCodes)].filter(owned);
  const dni = citizenDni(context.caller);
  return Promise.all(
    asked.map(async (code) => {
      if (!dni) return { code, ...unknown('Sign in to check.') };
      const check = checks[code];
      // Noted once decided: a check that fails read nothing the citizen would want told.
      const verdict = await check.decide(dni);
      for (const field of check.reads) {
        context.access.note({
          dni,
          agency: check.agency,
          field,
          accessor: { kind: 'AGENCY', id: REQUIREMENT_CHECK, name: 'Requirement check', agency: procedure.agencyCode },
          purpose: `requirement check for ${procedure.slug}`,
        });
      }
      return { code, ...verdict };
    }),
  );
}

/** The accessor id of every requirement check on the access record. */
export const REQUIREMENT_CHECK = 'requirement-check';
