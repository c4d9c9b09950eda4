import { soles } from '../../shared/money.js';
import {
  answerChecks,
  MET,
  notMet,
  procedureReference,
  type ProcedureReference,
  type RequirementCheck,
  type Verdict,
} from '../../shared/requirementChecks.js';
import { addDays, isoDate } from '../../shared/seeding.js';
import type { TransportContext } from '../context.js';
import type { DrivingLicence, TransportLoaders } from '../loaders.js';
import type { MedicalExamRow, TrafficFineRow, VehicleRow } from '../store.js';

/** How long before expiry a licence may be revalidated (MTC). */
const REVALIDATION_WINDOW_DAYS = 60;

/** Days from an ISO date, as an ISO date. */
function shiftDate(iso: string, days: number): string {
  return isoDate(addDays(new Date(`${iso}T00:00:00Z`), days));
}

function unpaidFinesVerdict(fines: readonly TrafficFineRow[]): Verdict {
  // Loaded newest first; listed oldest first, the order they were incurred in.
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

function medicalExamVerdict(exam: MedicalExamRow | null, today: string): Verdict {
  if (!exam) return notMet('No medical exam is registered in your name: take one at an MTC-authorised centre.');
  if (exam.result !== 'APPROVED') return notMet(`Your latest medical exam (${exam.takenOn}, ${exam.centre}) was not approved.`);
  if (exam.validUntil < today) {
    return notMet(`Your medical exam of ${exam.takenOn} was valid until ${exam.validUntil}: take a new one.`);
  }
  return MET;
}

function revalidableVerdict(licence: DrivingLicence | null, today: string): Verdict {
  if (!licence) return notMet('You hold no driving licence to revalidate: apply for a new one.');
  if (licence.status === 'SUSPENDED') return notMet(`Your licence ${licence.number} is suspended: it cannot be revalidated until the suspension ends.`);
  if (licence.status === 'CANCELLED') return notMet(`Your licence ${licence.number} is cancelled: it cannot be revalidated.`);
  const opensOn = shiftDate(licence.expiresOn, -REVALIDATION_WINDOW_DAYS);
  if (today < opensOn) return notMet(`Your licence is valid until ${licence.expiresOn}: it can be revalidated from ${opensOn}.`);
  return MET;
}

function vehicleOwnerVerdict(vehicles: readonly VehicleRow[]): Verdict {
  return vehicles.length > 0 ? MET : notMet('No vehicle is registered in your name.');
}

type Check = (dni: string, loaders: TransportLoaders, today: string) => Promise<Verdict>;

/** The requirements transport answers, each loading only the records it needs. */
const CHECKS: ReadonlyMap<string, Check> = new Map<string, Check>([
  ['no-unpaid-fines', async (dni, loaders) => unpaidFinesVerdict(await loaders.finesByDni.load(dni))],
  ['medical-exam-approved', async (dni, loaders, today) => medicalExamVerdict(await loaders.latestMedicalExamByDni.load(dni), today)],
  ['licence-revalidable', async (dni, loaders, today) => revalidableVerdict(await loaders.licenceByDni.load(dni), today)],
  ['vehicle-owner', async (dni, loaders) => vehicleOwnerVerdict(await loaders.vehiclesByOwner.load(dni))],
]);

const TRANSPORT_CODES = [...CHECKS.keys()];

export const Procedure = {
  async __resolveReference(representation: { slug?: unknown; requirementCodes?: unknown }): Promise<ProcedureReference> {
    return procedureReference(representation);
  },

  transportChecks(procedure: ProcedureReference, _args: unknown, context: TransportContext): Promise<RequirementCheck[]> {
    return answerChecks(procedure.requirementCodes, TRANSPORT_CODES, context.viewer?.dni, (code, dni) =>
      CHECKS.get(code)!(dni, context.loaders, context.today),
    );
  },
};
