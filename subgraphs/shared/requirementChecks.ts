import { badUserInput } from '../../lib/errors.js';

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

/** A Procedure as the portal hands it to an agency: its key and the requirement codes it @requires. */
export interface ProcedureReference {
  slug: string;
  requirementCodes: string[];
}

/**
 * Procedure.__resolveReference of every agency subgraph: agencies hold nothing about procedures, so the
 * representation (its key and the requirement codes the planner always sends, @requires) is all there
 * is; anything else is malformed, refused with BAD_USER_INPUT. Async, so that a bad representation fails
 * its own entity and not the whole `_entities` batch.
 */
export async function resolveProcedureReference(representation: { slug?: unknown; requirementCodes?: unknown }): Promise<ProcedureReference> {
  const { slug, requirementCodes } = representation;
  if (typeof slug !== 'string') throw badUserInput('A Procedure representation must carry its slug.', 'slug');
  if (!Array.isArray(requirementCodes) || !requirementCodes.every((code): code is string => typeof code === 'string')) {
    throw badUserInput('A Procedure representation must carry requirementCodes, a list of codes.', 'requirementCodes');
  }
  return { slug, requirementCodes };
}

/** How an agency decides each requirement code it owns, for citizen `dni`: its keys are the codes it owns. */
export type Checks<Code extends string> = Record<Code, (dni: string) => Promise<Verdict>>;

/**
 * One check per code among `codes` that `checks` owns, once each, in the procedure's order (other
 * agencies' codes are theirs to answer). Checks are always about the signed-in citizen: with no
 * citizen (no token, or an agency's), every verdict is UNKNOWN.
 */
export function answerChecks<Code extends string>(
  codes: readonly string[],
  viewerDni: string | null | undefined,
  checks: Checks<Code>,
): Promise<RequirementCheck[]> {
  const owned = (code: string): code is Code => Object.hasOwn(checks, code);
  const asked = [...new Set(codes)].filter(owned);
  return Promise.all(
    asked.map(async (code) => ({ code, ...(viewerDni ? await checks[code](viewerDni) : unknown('Sign in to check.')) })),
  );
}
