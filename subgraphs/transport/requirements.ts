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
      const collection = fine.status === 'IN_COACTIVE_COLLECTION' ? ' (en cobranza coactiva)' : '';
      return `${fine.number} ${fine.code} ${soles(fine.amount)}${collection}`;
    })
    .join(', ');
  const [count, pay] = unpaid.length === 1 ? ['1 papeleta sin pagar', 'págala'] : [`${unpaid.length} papeletas sin pagar`, 'págalas'];
  return notMet(`${count}: ${list}. Primero ${pay} (trámite pagar-papeletas).`);
}

/** `exam` is the citizen's latest; `today` is YYYY-MM-DD. */
export function medicalExamVerdict(exam: MedicalExamRow | null, today: string): Verdict {
  if (!exam) return notMet('No tienes ningún examen médico registrado a tu nombre: hazte uno en un centro autorizado por el MTC.');
  if (exam.result !== 'APPROVED') return notMet(`Tu último examen médico (${exam.takenOn}, ${exam.centre}) no fue aprobado.`);
  if (exam.validUntil < today) {
    return notMet(`Tu examen médico del ${exam.takenOn} estuvo vigente hasta el ${exam.validUntil}: hazte uno nuevo.`);
  }
  return MET;
}

/** `today` is YYYY-MM-DD; an expired licence can still be revalidated. */
export function revalidableVerdict(licence: DrivingLicence | null, today: string): Verdict {
  if (!licence) return notMet('No tienes ninguna licencia de conducir que revalidar: tramita una nueva.');
  if (licence.status === 'SUSPENDED') return notMet(`Tu licencia de conducir ${licence.number} está suspendida: no se puede revalidar hasta que termine la suspensión.`);
  if (licence.status === 'CANCELLED') return notMet(`Tu licencia de conducir ${licence.number} está cancelada: no se puede revalidar.`);
  const opensOn = shiftIsoDate(licence.expiresOn, -REVALIDATION_WINDOW_DAYS);
  if (today < opensOn) return notMet(`Tu licencia de conducir está vigente hasta el ${licence.expiresOn}: puedes revalidarla desde el ${opensOn}.`);
  return MET;
}

export function vehicleOwnerVerdict(vehicles: readonly VehicleRow[]): Verdict {
  return vehicles.length > 0 ? MET : notMet('No tienes ningún vehículo registrado a tu nombre.');
}
