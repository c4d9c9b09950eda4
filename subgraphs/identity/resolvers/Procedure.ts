import {
  answerChecks,
  MET,
  notMet,
  procedureReference,
  unknown,
  type ProcedureReference,
  type RequirementCheck,
  type Verdict,
} from '../../shared/requirementChecks.js';
import type { IdentityContext } from '../context.js';

/** The requirements whose facts RENIEC owns, and how each is decided for citizen `dni`. */
const IDENTITY_REQUIREMENTS: Record<string, (dni: string, context: IdentityContext) => Promise<Verdict>> = {
  async 'dni-valid'(dni, context) {
    const document = await context.loaders.identityDocument.load(dni);
    if (!document) return unknown('RENIEC holds no DNI for you.');
    switch (document.status) {
      case 'VALID':
        return MET;
      case 'EXPIRED':
        return notMet(`Your DNI expired on ${document.expiresOn}: renew it first (procedure renovar-dni).`);
      case 'CANCELLED':
        return notMet('Your DNI was cancelled: get a duplicate first (procedure duplicado-de-dni).');
    }
  },

  async 'dni-renewable'(dni, context) {
    const document = await context.loaders.identityDocument.load(dni);
    if (!document) return unknown('RENIEC holds no DNI for you.');
    if (document.renewable) return MET;
    return notMet(
      `Your DNI is valid until ${document.expiresOn}: it can be renewed from ${document.renewableFrom}, 60 days before it expires.`,
    );
  },

  async 'birth-record-digitised'(dni, context) {
    const births = (await context.loaders.civilRecords.load(dni)).filter((record) => record.kind === 'BIRTH');
    if (births.some((record) => record.digitised)) return MET;
    const paperOnly = births[0];
    if (!paperOnly) return notMet('RENIEC holds no birth record for you.');
    return notMet(
      `Your birth record ${paperOnly.recordNumber} (${paperOnly.place}) is not digitised yet: ask for the copy in person at a RENIEC office.`,
    );
  },
};

const IDENTITY_CODES = Object.keys(IDENTITY_REQUIREMENTS);

export const Procedure = {
  /** Identity holds nothing about procedures: the reference (with its required codes) is all there is. */
  async __resolveReference(representation: { slug?: unknown; requirementCodes?: unknown }): Promise<ProcedureReference> {
    return procedureReference(representation);
  },

  identityChecks(procedure: ProcedureReference, _args: unknown, context: IdentityContext): Promise<RequirementCheck[]> {
    return answerChecks(procedure.requirementCodes, IDENTITY_CODES, context.viewer?.dni, async (code, dni) => {
      if (!(await context.loaders.citizen.load(dni))) return unknown(`RENIEC has no record of DNI ${dni}.`);
      return IDENTITY_REQUIREMENTS[code]!(dni, context);
    });
  },
};
