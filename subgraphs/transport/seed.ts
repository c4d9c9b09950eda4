import type { Database, Queryable } from '../shared/db.js';
import { amountFromCents } from '../shared/money.js';
import type { SeedOptions } from '../shared/service.js';
import { addDays, isoDate } from '../shared/calendar.js';
import { forEachBatch, generatedDni, insertRows, SeededRandom } from '../shared/seeding.js';
import type { FineStatus, LicenceClass, MedicalExamResult, StoredLicenceStatus } from './store.js';

/** The UIT in soles, oldest first (DS 309-2022-EF, 309-2023-EF, 260-2024-EF, 301-2025-EF): fines are a percentage of it. */
const UIT_HISTORY = [
  { year: 2023, soles: 4950 },
  { year: 2024, soles: 5150 },
  { year: 2025, soles: 5350 },
  { year: 2026, soles: 5500 },
] as const;

/**
 * Infraction codes of the Reglamento Nacional de Tránsito as SAT Lima collects them: minor (L) 4 % of the
 * UIT, serious (G) 8 %, very serious (M) 12 % to 100 %. The selection and wording are illustrative.
 */
const INFRACTIONS = {
  L02: { uitPercent: 4, description: 'Estacionar en zona prohibida por la señalización.' },
  L06: { uitPercent: 4, description: 'No encender las luces intermitentes al detenerse en la vía.' },
  L08: { uitPercent: 4, description: 'Usar la bocina innecesariamente o con sonido estridente.' },
  G10: { uitPercent: 8, description: 'Exceder los límites máximos de velocidad establecidos.' },
  G24: { uitPercent: 8, description: 'No respetar la señal de pare o de ceda el paso.' },
  G58: { uitPercent: 8, description: 'Conducir sin el cinturón de seguridad abrochado.' },
  M03: { uitPercent: 50, description: 'Conducir sin licencia de conducir o permiso provisional.' },
  M06: { uitPercent: 12, description: 'Estacionar en curvas, puentes, túneles o zonas estrechas de la vía.' },
} as const;
type InfractionCode = keyof typeof INFRACTIONS;

const MINOR: InfractionCode[] = ['L02', 'L06', 'L08'];
const SERIOUS: InfractionCode[] = ['G10', 'G24', 'G58'];
const VERY_SERIOUS: InfractionCode[] = ['M03', 'M06'];

const MEDICAL_CENTRES = [
  'Centro Médico Vial Lima Norte (Los Olivos)',
  'Policlínico de Conductores Santiago de Surco',
  'Centro de Evaluación Médica San Juan de Lurigancho',
  'Clínica del Conductor Callao',
  'Centro Médico Vial Ate',
] as const;

const CARS = [
  ['Toyota', 'Yaris'],
  ['Toyota', 'Corolla'],
  ['Hyundai', 'Accent'],
  ['Kia', 'Rio'],
  ['Nissan', 'Sentra'],
  ['Suzuki', 'Swift'],
  ['Chevrolet', 'Sail'],
  ['Kia', 'Picanto'],
  ['Hyundai', 'Tucson'],
  ['Toyota', 'Hilux'],
  ['Volkswagen', 'Gol'],
  ['Mitsubishi', 'L200'],
] as const;
const COLOURS = ['Blanco', 'Plata', 'Gris', 'Negro', 'Rojo', 'Azul'] as const;

/** A medical exam's result can be used this long for a licence procedure. */
const EXAM_VALIDITY_DAYS = 182;

const LICENCE_COLUMNS = { dni: 'text', number: 'text', class: 'text', issued_on: 'date', expires_on: 'date', status: 'text', points: 'int' };
const EXAM_COLUMNS = { id: 'text', dni: 'text', taken_on: 'date', result: 'text', centre: 'text', valid_until: 'date' };
const FINE_COLUMNS = { number: 'text', dni: 'text', plate: 'text', code: 'text', description: 'text', amount: 'numeric', issued_on: 'date', status: 'text' };
const VEHICLE_COLUMNS = { plate: 'text', owner_dni: 'text', make: 'text', model: 'text', year: 'int', colour: 'text' };

type LicenceInsert = [dni: string, number: string, licenceClass: LicenceClass, issuedOn: string, expiresOn: string, status: StoredLicenceStatus, points: number];
type ExamInsert = [id: string, dni: string, takenOn: string, result: MedicalExamResult, centre: string, validUntil: string];
type FineInsert = [number: string, dni: string, plate: string | null, code: InfractionCode, description: string, amount: string, issuedOn: string, status: FineStatus];
type VehicleInsert = [plate: string, ownerDni: string, make: string, model: string, year: number, colour: string];

/**
 * Of generated citizens' `fines`, those of citizens who have none yet. A generated fine's number carries
 * the year it was issued, which moves with the seed's `today`: keyed by number alone, seeding on a later
 * day would write a citizen's fines a second time. How many fines a citizen has does not depend on
 * `today`, so a citizen's fines are written once, by the first seed, and kept.
 */
async function finesOfUnfinedCitizens(db: Queryable, fines: readonly FineInsert[]): Promise<FineInsert[]> {
  if (fines.length === 0) return [];
  const dnis = [...new Set(fines.map(([, dni]) => dni))];
  const known = await db.query<{ dni: string }>('SELECT DISTINCT dni FROM traffic_fines WHERE dni = ANY($1::text[])', [dnis]);
  const fined = new Set(known.rows.map((row) => row.dni));
  return fines.filter(([, dni]) => !fined.has(dni));
}

/** Rows for the four tables, written with one statement per table. */
class TransportRows {
  readonly licences: LicenceInsert[] = [];
  readonly exams: ExamInsert[] = [];
  readonly fines: FineInsert[] = [];
  readonly vehicles: VehicleInsert[] = [];

  /**
   * `restate` (the personas): rows whose key exists are set to these values, so that their stories hold
   * relative to this seed's `today`. Otherwise (generated citizens) existing rows are kept.
   */
  async write(db: Queryable, restate: boolean): Promise<void> {
    const write = (table: string, columns: Record<string, string>, key: string[], rows: readonly unknown[][]) =>
      insertRows(db, table, columns, rows, restate ? key : undefined);
    await write('driving_licences', LICENCE_COLUMNS, ['dni'], this.licences);
    await write('medical_exams', EXAM_COLUMNS, ['id'], this.exams);
    await write('traffic_fines', FINE_COLUMNS, ['number'], restate ? this.fines : await finesOfUnfinedCitizens(db, this.fines));
    await write('vehicles', VEHICLE_COLUMNS, ['plate'], this.vehicles);
  }
}

/**
 * `uitPercent` % of the UIT of `year` as an exact two-decimal string. A year not yet in UIT_HISTORY uses
 * the latest UIT known (and one before it the oldest), so that seeding never fails on the calendar.
 */
function fineAmount(uitPercent: number, year: number): string {
  let uit: number = UIT_HISTORY[0].soles;
  for (const entry of UIT_HISTORY) if (entry.year <= year) uit = entry.soles;
  // UIT × percent / 100, counted in cents: integers only, no float rounding.
  return amountFromCents(uit * uitPercent);
}

function fine(dni: string, number: string, code: InfractionCode, issuedOn: string, status: FineStatus, plate: string | null): FineInsert {
  const { uitPercent, description } = INFRACTIONS[code];
  return [number, dni, plate, code, description, fineAmount(uitPercent, Number(issuedOn.slice(0, 4))), issuedOn, status];
}

/** `date` moved back `years` calendar years. */
function yearsBefore(date: Date, years: number): Date {
  return new Date(Date.UTC(date.getUTCFullYear() - years, date.getUTCMonth(), date.getUTCDate()));
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** The registration-region letters of Lima and Callao. */
const LIMA_REGIONS = 'ABCD';
/** Generated plates are region letter (Lima: A–D), digit, letter, three digits: 4 × 10 × 26 × 1000 of them. */
const GENERATED_PLATES = 4 * 10 * 26 * 1000;
/** Coprime with GENERATED_PLATES, so that `serial × SCATTER mod GENERATED_PLATES` is a bijection. */
const SCATTER = 387_551;

/**
 * The plate of generated vehicle `serial`: unique per serial and scattered so that neighbours do not get
 * consecutive plates. Their second character is always a digit, so they never collide with the
 * personas' letter–letter–letter plates.
 */
export function generatedPlate(serial: number): string {
  if (!Number.isInteger(serial) || serial < 0 || serial >= GENERATED_PLATES) {
    throw new RangeError(`Vehicle serial ${serial} is outside the ${GENERATED_PLATES} generated plates.`);
  }
  const value = (serial * SCATTER) % GENERATED_PLATES;
  const digits = String(value % 1000).padStart(3, '0');
  const letter = LETTERS[Math.floor(value / 1000) % 26];
  const digit = Math.floor(value / 26_000) % 10;
  const region = LIMA_REGIONS[Math.floor(value / 260_000)];
  return `${region}${digit}${letter}-${digits}`;
}

/** Generated citizen `index`'s fine number `k` (0–2): numbers from 1000000 up, clear of the personas'. */
function generatedFineNumber(index: number, k: number, issuedOn: string): string {
  return `SAT-${issuedOn.slice(0, 4)}-${String(1_000_000 + index * 3 + k).padStart(7, '0')}`;
}

/**
 * The five personas of domain.md §6. Licences and exams are relative to `today`; the fines are dated in
 * 2023–2025 on purpose: their amounts are that year's UIT percentages (Luis owes the S/ 214.00 and
 * S/ 428.00 quoted in the docs), and being unpaid does not depend on a fine's age.
 */
function addPersonas(rows: TransportRows, today: Date): void {
  const daysFromToday = (days: number) => addDays(today, days);
  const licence = (dni: string, licenceClass: LicenceClass, expires: Date, validityYears: number, points: number): LicenceInsert => [
    dni,
    `Q${dni}`,
    licenceClass,
    isoDate(yearsBefore(expires, validityYears)),
    isoDate(expires),
    'VALID',
    points,
  ];
  const approvedExam = (dni: string, taken: Date, centre: string): ExamInsert => [
    `${dni}-1`,
    dni,
    isoDate(taken),
    'APPROVED',
    centre,
    isoDate(addDays(taken, EXAM_VALIDITY_DAYS)),
  ];

  // Ana María Quispe Mamani: everything in order for revalidating her licence.
  rows.licences.push(licence('41234567', 'A_I', daysFromToday(30), 10, 0));
  rows.exams.push(approvedExam('41234567', daysFromToday(-14), MEDICAL_CENTRES[1]));
  rows.vehicles.push(['BKR-512', '41234567', 'Toyota', 'Yaris', 2019, 'Plata']);

  // Luis Alberto Huamán Torres: licence expired, exam approved, two unpaid fines (one minor, one serious).
  rows.licences.push(licence('45678912', 'A_I', daysFromToday(-40), 10, 35));
  rows.exams.push(approvedExam('45678912', daysFromToday(-9), MEDICAL_CENTRES[0]));
  rows.vehicles.push(['CHT-408', '45678912', 'Hyundai', 'Accent', 2016, 'Gris']);
  rows.fines.push(
    fine('45678912', 'SAT-2025-0000123', 'L02', '2025-03-14', 'UNPAID', 'CHT-408'),
    fine('45678912', 'SAT-2025-0000457', 'G10', '2025-08-22', 'UNPAID', 'CHT-408'),
    fine('45678912', 'SAT-2023-0000089', 'L08', '2023-05-30', 'PAID', 'CHT-408'),
  );

  // Rosa Elena Condori Ccama holds no licence, exam, vehicle or fine: her story is her expired DNI.

  // Jorge Luis Ramírez Salazar: a taxi driver (A-IIa) with one fine, paid; his only exam is the one he
  // took for the licence, long out of date.
  const jorgeExpires = daysFromToday(900);
  rows.licences.push(licence('43218765', 'A_IIA', jorgeExpires, 5, 20));
  rows.exams.push(approvedExam('43218765', addDays(yearsBefore(jorgeExpires, 5), -10), MEDICAL_CENTRES[3]));
  rows.vehicles.push(['ARX-731', '43218765', 'Toyota', 'Corolla', 2020, 'Blanco']);
  rows.fines.push(fine('43218765', 'SAT-2024-0000318', 'G24', '2024-07-19', 'PAID', 'ARX-731'));

  // Carmen Rosa Flores Vargas: revalidating her A-I licence, which expires soon; exam approved.
  rows.licences.push(licence('47851236', 'A_I', daysFromToday(20), 10, 0));
  rows.exams.push(approvedExam('47851236', daysFromToday(-20), MEDICAL_CENTRES[4]));
}

/** Generated citizen `index`: its records depend on the index alone, so any population size agrees on it. */
function addGeneratedCitizen(rows: TransportRows, index: number, today: Date): void {
  const random = new SeededRandom(`transport/${index}`);
  const dni = generatedDni(index);
  const daysAgo = (days: number) => addDays(today, -days);

  const plates: string[] = [];
  if (random.chance(0.35)) {
    const count = random.chance(0.8) ? 1 : 2;
    for (let k = 0; k < count; k++) {
      const [make, model] = random.pick(CARS);
      const plate = generatedPlate(index * 2 + k);
      plates.push(plate);
      const year = random.int(today.getUTCFullYear() - 16, today.getUTCFullYear());
      rows.vehicles.push([plate, dni, make, model, year, random.pick(COLOURS)]);
    }
  }

  if (random.chance(0.6)) {
    const roll = random.next();
    const licenceClass: LicenceClass = roll < 0.8 ? 'A_I' : roll < 0.92 ? 'A_IIA' : 'B_IIB';
    const validityYears = licenceClass === 'A_I' ? 10 : 5;
    const expires = addDays(today, random.int(-730, validityYears * 365 - 30));
    const issued = yearsBefore(expires, validityYears);
    const statusRoll = random.next();
    const status: StoredLicenceStatus = statusRoll < 0.94 ? 'VALID' : statusRoll < 0.98 ? 'SUSPENDED' : 'CANCELLED';
    // 100 points in 24 months is what suspends a licence.
    const points = status === 'SUSPENDED' ? 100 : random.chance(0.7) ? 0 : random.int(1, 80);
    rows.licences.push([dni, `Q${dni}`, licenceClass, isoDate(issued), isoDate(expires), status, points]);

    // The exam taken to get the licence, and for some a recent one (renewing, or changing class).
    const exams: [Date, MedicalExamResult][] = [[addDays(issued, -random.int(3, 30)), 'APPROVED']];
    if (random.chance(0.2)) exams.push([daysAgo(random.int(1, 150)), random.chance(0.9) ? 'APPROVED' : 'REJECTED']);
    exams.forEach(([taken, result], k) =>
      rows.exams.push([`${dni}-${k + 1}`, dni, isoDate(taken), result, random.pick(MEDICAL_CENTRES), isoDate(addDays(taken, EXAM_VALIDITY_DAYS))]),
    );
  }

  if (random.chance(0.25)) {
    const count = random.pick([1, 1, 1, 2, 2, 3]);
    for (let k = 0; k < count; k++) {
      const gravity = random.next();
      const code = random.pick(gravity < 0.5 ? MINOR : gravity < 0.9 ? SERIOUS : VERY_SERIOUS);
      const ageDays = random.int(5, 1200);
      const statusRoll = random.next();
      // Only an old unpaid fine has had time to reach coactive collection.
      const status: FineStatus =
        statusRoll < 0.55 ? 'PAID' : statusRoll < 0.6 ? 'ANNULLED' : ageDays > 365 && statusRoll < 0.8 ? 'IN_COACTIVE_COLLECTION' : 'UNPAID';
      const issuedOn = isoDate(daysAgo(ageDays));
      const plate = plates.length > 0 ? random.pick(plates) : null;
      rows.fines.push(fine(dni, generatedFineNumber(index, k, issuedOn), code, issuedOn, status, plate));
    }
  }
}

/**
 * MTC's and SAT Lima's sample records: the five personas, then `options.citizens` generated citizens
 * written in batches (one statement per table per batch). Deterministic and safe to run again, on any
 * day: the personas' rows are restated relative to `options.today` (Ana's licence expiring within 60
 * days, Luis's expired), generated citizens' rows are written only if missing (fines: only for a
 * citizen who has none).
 */
export async function seedTransport(db: Database, options: SeedOptions): Promise<void> {
  const personas = new TransportRows();
  addPersonas(personas, options.today);
  await personas.write(db, true);
  await forEachBatch(
    options.citizens,
    async (indexes) => {
      const rows = new TransportRows();
      for (const index of indexes) addGeneratedCitizen(rows, index, options.today);
      await rows.write(db, false);
    },
    options.onProgress,
  );
}
