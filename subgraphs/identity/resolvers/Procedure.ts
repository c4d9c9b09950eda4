import {
  answerChecks,
  type Checks,
  resolveProcedureReference,
  unknown,
  type ProcedureReference,
  type RequirementCheck,
  type Verdict,
} from '../../shared/requirementChecks.js';
import type { IdentityContext } from '../context.js';
import { birthRecordDigitisedVerdict, dniRenewableVerdict, dniValidVerdict } from '../requirements.js';

/** The requirements identity answers, each loading only the records it needs, each read on its owner's record. */
export function identityChecksFor(context: IdentityContext) {
  const { loaders } = context;
  // A DNI RENIEC has no record of is UNKNOWN whatever the requirement: no verdict can be given on it.
  const ofKnownCitizen =
    (decide: (dni: string) => Promise<Verdict>) =>
    async (dni: string): Promise<Verdict> =>
      (await loaders.citizen.load(dni)) ? decide(dni) : unknown(`El RENIEC no tiene registrado el DNI ${dni}.`);
  const document = ['Citizen.identityDocument'];
  return {
    'dni-valid': { agency: 'RENIEC', reads: document, decide: ofKnownCitizen(async (dni) => dniValidVerdict(await loaders.identityDocument.load(dni))) },
    'dni-renewable': { agency: 'RENIEC', reads: document, decide: ofKnownCitizen(async (dni) => dniRenewableVerdict(await loaders.identityDocument.load(dni))) },
    'birth-record-digitised': {
      agency: 'RENIEC',
      reads: ['Citizen.civilRecords'],
      decide: ofKnownCitizen(async (dni) => birthRecordDigitisedVerdict(await loaders.civilRecords.load(dni))),
    },
  } satisfies Checks<string>;
}

export const Procedure = {
  __resolveReference: resolveProcedureReference,

  identityChecks(procedure: ProcedureReference, _args: unknown, context: IdentityContext): Promise<RequirementCheck[]> {
    return answerChecks(procedure, context, identityChecksFor(context));
  },
};
