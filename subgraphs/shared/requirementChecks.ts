import { badUserInput } from './errors.js';

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
 * Reads a Procedure representation. The planner always sends the requirement codes (@requires);
 * anything else is a malformed representation, refused with BAD_USER_INPUT. Resolvers call it from an
 * async `__resolveReference`, so that a bad representation fails its own entity and not the batch.
 */
export function procedureReference(representation: { slug?: unknown; requirementCodes?: unknown }): ProcedureReference {
  const { slug, requirementCodes } = representation;
  if (typeof slug !== 'string') throw badUserInput('A Procedure representation must carry its slug.', 'slug');
  if (!Array.isArray(requirementCodes) || !requirementCodes.every((code): code is string => typeof code === 'string')) {
    throw badUserInput('A Procedure representation must carry requirementCodes, a list of codes.', 'requirementCodes');
  }
  return { slug, requirementCodes };
}

/**
 * One check per code among `codes` that `decide` owns, once each, in the procedure's order (other
 * agencies' codes are theirs to answer). Checks are always about the signed-in citizen: with no
 * citizen (no token, or an agency's), every verdict is UNKNOWN.
 */
export function answerChecks<Code extends string>(
  codes: readonly string[],
  owned: readonly Code[],
  viewerDni: string | null | undefined,
  decide: (code: Code, dni: string) => Promise<Verdict>,
): Promise<RequirementCheck[]> {
  const asked = [...new Set(codes)].filter((code): code is Code => (owned as readonly string[]).includes(code));
  return Promise.all(
    asked.map(async (code) => ({ code, ...(viewerDni ? await decide(code, viewerDni) : unknown('Sign in to check.')) })),
  );
}
