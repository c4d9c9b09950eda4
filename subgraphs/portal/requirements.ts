import type { RequirementCheck, Verdict } from '../shared/requirementChecks.js';
import { STATUS_CHECKS, type AnsweringSubgraph } from './catalogue.js';
import type { RequirementRecord } from './store.js';

/** The Procedure fields through which the planner hands the portal each agency's verdicts. */
export type VerdictField = `${AnsweringSubgraph}Checks`;

/**
 * The agencies' verdicts as the gateway passes them in an entity representation. A list is null when
 * that agency failed to answer, and absent when the planner did not ask (the subgraph queried alone).
 */
export type AgencyVerdicts = { [field in VerdictField]?: readonly RequirementCheck[] | null };

const VERDICT_FIELDS: readonly VerdictField[] = ['identityChecks', 'transportChecks', 'taxesChecks'];

/** A catalogue requirement with its status decided for the signed-in citizen. */
export interface DecidedRequirement extends RequirementRecord, Verdict {}

const DOCUMENT_DETAIL = 'Un documento que debes llevar (o adjuntar si lo haces en línea): ningún registro de una entidad puede mostrarlo.';

function verdictFieldFor(code: string): VerdictField | undefined {
  const check = (STATUS_CHECKS as Record<string, { answeredBy: AnsweringSubgraph } | undefined>)[code];
  return check ? `${check.answeredBy}Checks` : undefined;
}

/**
 * Picks the verdict lists out of an entity representation that may carry other fields. Anything but a
 * list or null is treated as absent: the requirement becomes UNKNOWN rather than an internal error.
 */
export function verdictsFrom(representation: AgencyVerdicts): AgencyVerdicts {
  const verdicts: AgencyVerdicts = {};
  for (const field of VERDICT_FIELDS) {
    const list: unknown = representation[field];
    if (list === null || Array.isArray(list)) verdicts[field] = list;
  }
  return verdicts;
}

/**
 * Decides each requirement from the verdict of the agency that owns its fact: a status check takes
 * the status and detail of the matching verdict; when that agency's list is missing it is UNKNOWN
 * (the citizen must not read "not met" because a subgraph was down); a document is always UNKNOWN.
 */
export function decideRequirements(
  requirements: readonly RequirementRecord[],
  verdicts: AgencyVerdicts,
): DecidedRequirement[] {
  return requirements.map((requirement) => {
    if (requirement.kind === 'DOCUMENT') return { ...requirement, status: 'UNKNOWN', detail: DOCUMENT_DETAIL };
    const field = verdictFieldFor(requirement.code);
    const verdict = field ? verdicts[field]?.find((check) => check.code === requirement.code) : undefined;
    if (!verdict) return { ...requirement, status: 'UNKNOWN', detail: `${requirement.agencyCode} no puede responder en este momento.` };
    return { ...requirement, status: verdict.status, detail: verdict.detail };
  });
}

/** The codes the agencies answer: status checks only, since documents are nobody's to check. */
export function statusCheckCodes(requirements: readonly RequirementRecord[]): string[] {
  return requirements.filter((requirement) => requirement.kind === 'STATUS_CHECK').map((requirement) => requirement.code);
}

/** The status checks that stand in the way: not MET, whether NOT_MET or undecidable now. */
export function unmetRequirements(
  requirements: readonly RequirementRecord[],
  verdicts: AgencyVerdicts,
): DecidedRequirement[] {
  return decideRequirements(requirements, verdicts).filter(
    (requirement) => requirement.kind === 'STATUS_CHECK' && requirement.status !== 'MET',
  );
}
