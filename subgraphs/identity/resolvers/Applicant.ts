import type { RecordFacts } from '../../../lib/access.js';
import { badUserInput } from '../../../lib/errors.js';
import { parseDni } from '../../shared/dni.js';
import { Citizen } from './Citizen.js';

/** An applicant as the portal names them: the case they are seen for and the agency handling it. */
export interface ApplicantRef {
  caseNumber: string;
  dni: string;
  handledBy: string;
}

/** The applicant's record is RENIEC's, read for the case by the agency handling it. */
export function applicantFacts(applicant: ApplicantRef): RecordFacts {
  return { subject: applicant.dni, owner: 'RENIEC', case: { id: applicant.caseNumber, agency: applicant.handledBy } };
}

export const Applicant = {
  /** The key is the whole representation; who may read the name is the guard's to decide on it. */
  async __resolveReference(reference: { caseNumber?: unknown; dni?: unknown; handledBy?: unknown }): Promise<ApplicantRef> {
    const { caseNumber, handledBy } = reference;
    if (typeof caseNumber !== 'string') throw badUserInput('An Applicant representation must carry its caseNumber.', 'caseNumber');
    if (typeof handledBy !== 'string') throw badUserInput('An Applicant representation must carry handledBy, an agency code.', 'handledBy');
    return { caseNumber, dni: parseDni(reference.dni), handledBy };
  },

  fullName: Citizen.fullName,
};
