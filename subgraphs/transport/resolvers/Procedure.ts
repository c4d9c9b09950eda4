import { badUserInput } from '../../shared/errors.js';
import { addDays, isoDate } from '../../shared/seeding.js';
import type { TransportContext } from '../context.js';
import type { DrivingLicence, TransportLoaders } from '../loaders.js';
import type { MedicalExamRow, TrafficFineRow, VehicleRow } from '../store.js';

/** How long before expiry a licence may be revalidated (MTC). */
const REVALIDATION_WINDOW_DAYS = 60;

type RequirementStatus = 'MET' | 'NOT_MET' | 'UNKNOWN';

interface RequirementCheck {
  code: string;
  status: RequirementStatus;
  detail: string | null;
}

/** A procedure as the portal hands it over: its key and the requirement codes it @requires. */
interface ProcedureReference {
  slug: string;
  requirementCodes: string[];
}

type Verdict = Omit<RequirementCheck, 'code'>;

const MET: Verdict = { status: 'MET', detail: null };
const notMet = (detail: string): Verdict => ({ status: 'NOT_MET', detail });

/** Days from an ISO date, as an ISO date. */
function shiftDate(iso: string, days: number): string {
  return isoDate(addDays(new Date(`${iso}T00:00:00Z`), days));
}

/** "2750.00" → "S/ 2,750.00", as amounts are written in Peru. */
function soles(amount: string): string {
  const [whole = '0', cents = '00'] = amount.split('.');
  return `S/ ${whole.replace(/\B(?=(\d{3})+$)/g, ',')}.${cents}`;
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

export const Procedure = {
  async __resolveReference(reference: { slug: string; requirementCodes?: unknown }): Promise<ProcedureReference> {
    const codes = reference.requirementCodes;
    // The planner always sends them (@requires); anything else is a malformed representation, refused
    // asynchronously so that it fails its own entity and not the whole `_entities` list.
    if (!Array.isArray(codes) || !codes.every((code): code is string => typeof code === 'string')) {
      throw badUserInput('A Procedure representation must carry requirementCodes, a list of codes.', 'requirementCodes');
    }
    return { slug: reference.slug, requirementCodes: codes };
  },

  /** One check per code transport owns, in the procedure's order; other agencies' codes are theirs to answer. */
  async transportChecks(procedure: ProcedureReference, _args: unknown, context: TransportContext): Promise<RequirementCheck[]> {
    const owned = [...new Set(procedure.requirementCodes)].flatMap((code) => {
      const check = CHECKS.get(code);
      return check ? [{ code, check }] : [];
    });
    // Checks are always about the signed-in citizen themself: an agency token without a DNI gets no verdicts.
    const dni = context.viewer?.dni;
    if (!dni) return owned.map(({ code }) => ({ code, status: 'UNKNOWN', detail: 'Sign in to check.' }));
    return Promise.all(owned.map(async ({ code, check }) => ({ code, ...(await check(dni, context.loaders, context.today)) })));
  },
};
