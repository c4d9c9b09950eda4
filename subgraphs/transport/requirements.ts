import { soles } from '../shared/money.js';
import { MET, notMet, type Verdict } from '../shared/requirementChecks.js';
import { shiftIsoDate } from '../shared/calendar.js';
import type { DrivingLicence } from './loaders.js';
import type { MedicalExamRow, TrafficFineRow, VehicleRow } from './store.js';

/** How long before expiry a licence may be revalidated (MTC). */
const REVALIDATION_WINDOW_DAYS = 60;

/** `fines` are all the citizen's, newest first (as loaded): only unpaid ones and those in coactive collection count. */
export function unpaidFinesVerdict(fines: readonly TrafficFineRow[]): Verdict {
  // Listed oldest first, the order they were incurred in.
  const unpaid = fines.filter((fine) => fine.status === 'UNPAID' || fine.status === 'IN_COACTIVE_COLLECTION').reverse();
  if (unpaid.length === 0) return MET;
  const list = unpaid
    .map((fine) => {
      const collection = fine.status === 'IN_COACTIVE_COLLECTION' ? ' (in coactive collection)' : '';
      return `${fine.number} ${fine.code} ${soles(fine.amount)}${collection}`;
    })
    .join(', ');
  const [count, pronoun] = unpaid.length === 1 ? ['1 unpaid fine', 'it'] : [`${unpaid.length} unpaid fines`, 'them'];
  return notMet(`${count}: ${list}. Pay ${pronoun} first (procedure pagar-papeletas).`);
}

/** `exam` is the citizen's latest; `today` is YYYY-MM-DD. */
export function medicalExamVerdict(exam: MedicalExamRow | null, today: string): Verdict {
  if (!exam) return notMet('No medical exam is registered in your name: take one at an MTC-authorised centre.');
  if (exam.result !== 'APPROVED') return notMet(`Your latest medical exam (${exam.takenOn}, ${exam.centre}) was not approved.`);
  if (exam.validUntil < today) {
    return notMet(`Your medical exam of ${exam.takenOn} was valid until ${exam.validUntil}: take a new one.`);
  }
  return MET;
}

/** `today` is YYYY-MM-DD; an expired licence can still be revalidated. */
export function revalidableVerdict(licence: DrivingLicence | null, today: string): Verdict {
  if (!licence) return notMet('You hold no driving licence to revalidate: apply for a new one.');
  if (licence.status === 'SUSPENDED') return notMet(`Your licence ${licence.number} is suspended: it cannot be revalidated until the suspension ends.`);
  if (licence.status === 'CANCELLED') return notMet(`Your licence ${licence.number} is cancelled: it cannot be revalidated.`);
  const opensOn = shiftIsoDate(licence.expiresOn, -REVALIDATION_WINDOW_DAYS);
  if (today < opensOn) return notMet(`Your licence is valid until ${licence.expiresOn}: it can be revalidated from ${opensOn}.`);
  return MET;
}

export function vehicleOwnerVerdict(vehicles: readonly VehicleRow[]): Verdict {
  return vehicles.length > 0 ? MET : notMet('No vehicle is registered in your name.');
}
