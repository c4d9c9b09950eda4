import { badUserInput } from '../../shared/errors.js';
import type { IdentityContext } from '../context.js';

/** A procedure as the portal refers to it: its key and its requirement codes (the @requires). */
interface ProcedureRef {
  slug: string;
  requirementCodes?: unknown;
}

type RequirementStatus = 'MET' | 'NOT_MET' | 'UNKNOWN';

/** RENIEC's verdict on one requirement, for the signed-in citizen. */
export interface RequirementCheck {
  code: string;
  status: RequirementStatus;
  detail: string | null;
}

type Verdict = Omit<RequirementCheck, 'code'>;

const MET: Verdict = { status: 'MET', detail: null };
const notMet = (detail: string): Verdict => ({ status: 'NOT_MET', detail });
const unknown = (detail: string): Verdict => ({ status: 'UNKNOWN', detail });

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

/** The codes among `codes` that RENIEC answers, once each, in the procedure's order. */
function identityCodes(codes: unknown): string[] {
  if (!Array.isArray(codes) || !codes.every((code) => typeof code === 'string')) {
    throw badUserInput('A Procedure representation must carry requirementCodes, a list of codes.', 'requirementCodes');
  }
  return [...new Set(codes)].filter((code) => Object.hasOwn(IDENTITY_REQUIREMENTS, code));
}

export const Procedure = {
  /** Identity holds nothing about procedures: the reference (with its required codes) is all there is. */
  __resolveReference: (reference: ProcedureRef) => reference,

  async identityChecks(procedure: ProcedureRef, _args: unknown, context: IdentityContext): Promise<RequirementCheck[]> {
    const codes = identityCodes(procedure.requirementCodes);
    const dni = context.viewer?.dni;
    const decide = async (code: string): Promise<Verdict> => {
      if (!dni) return unknown('Sign in to check.');
      if (!(await context.loaders.citizen.load(dni))) return unknown(`RENIEC has no record of DNI ${dni}.`);
      return IDENTITY_REQUIREMENTS[code]!(dni, context);
    };
    return Promise.all(codes.map(async (code) => ({ code, ...(await decide(code)) })));
  },
};
