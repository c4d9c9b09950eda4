import type { Queryable } from '../shared/db.js';
import type { SeedOptions } from '../shared/service.js';
import { addDays, isoDate } from '../shared/calendar.js';
import { forEachBatch, generatedDni, insertRows, SeededRandom } from '../shared/seeding.js';
import type { CitizenRow, CivilRecordKind, CivilRecordRow, IdentityDocumentRow, MaritalStatus } from './store.js';

/** An adult's DNI is issued for eight years. */
const DNI_VALIDITY_DAYS = 2922;

const CITIZEN_COLUMNS = {
  dni: 'text',
  given_names: 'text',
  paternal_surname: 'text',
  maternal_surname: 'text',
  birth_date: 'date',
  marital_status: 'text',
};
const DOCUMENT_COLUMNS = { dni: 'text', kind: 'text', issued_on: 'date', expires_on: 'date', status: 'text' };
const RECORD_COLUMNS = {
  record_number: 'text',
  dni: 'text',
  kind: 'text',
  registered_on: 'date',
  place: 'text',
  digitised: 'boolean',
};

/** The rows of one seeding pass, one array per table. */
interface Rows {
  citizens: CitizenRow[];
  documents: IdentityDocumentRow[];
  records: CivilRecordRow[];
}

/** Record numbers: the kind's digit and a 9-digit serial (personas 1-5, generated citizen i: 1000 + i). */
function recordNumber(kind: CivilRecordKind, serial: number): string {
  return `${{ BIRTH: 1, MARRIAGE: 2, DIVORCE: 3 }[kind]}${String(serial).padStart(9, '0')}`;
}

/** A document issued for eight years, expiring `daysFromToday` from `today` (negative: already expired). */
function documentExpiring(
  dni: string,
  kind: IdentityDocumentRow['kind'],
  today: Date,
  daysFromToday: number,
): IdentityDocumentRow {
  const expires = addDays(today, daysFromToday);
  return { dni, kind, issuedOn: isoDate(addDays(expires, -DNI_VALIDITY_DAYS)), expiresOn: isoDate(expires), status: 'VALID' };
}

/** The five people of domain.md §6; their document dates are relative to `today` so that their situations hold on any day. */
function personas(today: Date): Rows {
  const citizen = (
    dni: string,
    givenNames: string,
    paternalSurname: string,
    maternalSurname: string,
    birthDate: string,
    maritalStatus: MaritalStatus,
  ): CitizenRow => ({ dni, givenNames, paternalSurname, maternalSurname, birthDate, maritalStatus });
  const record = (serial: number, dni: string, kind: CivilRecordKind, registeredOn: string, place: string): CivilRecordRow => ({
    recordNumber: recordNumber(kind, serial),
    dni,
    kind,
    registeredOn,
    place,
    digitised: true,
  });
  return {
    citizens: [
      citizen('41234567', 'Ana María', 'Quispe', 'Mamani', '1988-03-14', 'SINGLE'),
      citizen('45678912', 'Luis Alberto', 'Huamán', 'Torres', '1979-09-02', 'MARRIED'),
      citizen('72345678', 'Rosa Elena', 'Condori', 'Ccama', '1996-06-21', 'SINGLE'),
      citizen('43218765', 'Jorge Luis', 'Ramírez', 'Salazar', '1975-11-30', 'DIVORCED'),
      citizen('47851236', 'Carmen Rosa', 'Flores', 'Vargas', '1991-02-08', 'MARRIED'),
    ],
    documents: [
      documentExpiring('41234567', 'DNIE', today, 2022),
      documentExpiring('45678912', 'AZUL', today, 922),
      // Rosa's DNI expired some weeks ago: every procedure needing a valid DNI sends her to renew it.
      documentExpiring('72345678', 'AZUL', today, -25),
      documentExpiring('43218765', 'DNIE', today, 2522),
      documentExpiring('47851236', 'AZUL', today, 1422),
    ],
    records: [
      record(1, '41234567', 'BIRTH', '1988-03-29', 'Miraflores, Lima'),
      record(2, '45678912', 'BIRTH', '1979-09-20', 'Cercado de Lima, Lima'),
      record(2, '45678912', 'MARRIAGE', '2008-05-17', 'Santiago de Surco, Lima'),
      record(3, '72345678', 'BIRTH', '1996-07-02', 'Juliaca, San Román'),
      record(4, '43218765', 'BIRTH', '1975-12-15', 'Arequipa, Arequipa'),
      record(4, '43218765', 'MARRIAGE', '2003-02-22', 'Yanahuara, Arequipa'),
      record(4, '43218765', 'DIVORCE', '2019-10-08', 'Arequipa, Arequipa'),
      record(5, '47851236', 'BIRTH', '1991-02-25', 'Trujillo, Trujillo'),
      record(5, '47851236', 'MARRIAGE', '2017-12-09', 'San Isidro, Lima'),
    ],
  };
}

const FEMALE_NAMES = [
  'María', 'Rosa', 'Ana', 'Carmen', 'Juana', 'Luz', 'Elena', 'Sofía', 'Lucía', 'Valeria',
  'Milagros', 'Yolanda', 'Gladys', 'Flor', 'Isabel', 'Patricia', 'Mónica', 'Jimena', 'Camila', 'Verónica',
];
const MALE_NAMES = [
  'José', 'Luis', 'Juan', 'Carlos', 'Jorge', 'Miguel', 'César', 'Víctor', 'Raúl', 'Andrés',
  'Martín', 'Óscar', 'Héctor', 'Julio', 'Alberto', 'Diego', 'Sebastián', 'Walter', 'Percy', 'Édgar',
];
const SURNAMES = [
  'Quispe', 'Mamani', 'Huamán', 'Flores', 'Condori', 'Ccama', 'Rodríguez', 'García', 'Sánchez', 'Ramírez',
  'Torres', 'Vargas', 'Chávez', 'Rojas', 'Mendoza', 'Castillo', 'Gutiérrez', 'Díaz', 'Pérez', 'López',
  'Gonzáles', 'Ramos', 'Cruz', 'Espinoza', 'Salazar', 'Paredes', 'Vásquez', 'Ríos', 'Huanca', 'Apaza',
  'Ticona', 'Cárdenas', 'Córdova', 'Núñez', 'Chuquimamani', 'Ayala', 'Villanueva', 'Zapata', 'Yupanqui', 'Pari',
];
const REGISTRY_OFFICES = [
  'Cercado de Lima, Lima', 'San Juan de Lurigancho, Lima', 'Comas, Lima', 'Villa El Salvador, Lima',
  'Miraflores, Lima', 'Callao, Callao', 'Arequipa, Arequipa', 'Cusco, Cusco', 'Juliaca, San Román',
  'Puno, Puno', 'Trujillo, Trujillo', 'Chiclayo, Chiclayo', 'Piura, Piura', 'Huancayo, Huancayo',
  'Iquitos, Maynas', 'Ayacucho, Huamanga', 'Tacna, Tacna', 'Cajamarca, Cajamarca',
];

const OLDEST_BIRTH = Date.UTC(1945, 0, 1);
const YOUNGEST_BIRTH = Date.UTC(2007, 11, 31);
const DAY_MS = 86_400_000;

/**
 * Generated citizen `index`: its own random stream (seeded by the index), so the same index gives
 * the same person whatever the batch size or the total asked for.
 */
function generatedCitizen(index: number, today: Date, into: Rows): void {
  const random = new SeededRandom(`identity:${index}`);
  const dni = generatedDni(index);
  const names = random.chance(0.5) ? FEMALE_NAMES : MALE_NAMES;
  const first = random.pick(names);
  const second = random.pick(names);
  const givenNames = random.chance(0.6) && second !== first ? `${first} ${second}` : first;
  const birth = new Date(OLDEST_BIRTH + random.int(0, (YOUNGEST_BIRTH - OLDEST_BIRTH) / DAY_MS) * DAY_MS);
  const age = (today.getTime() - birth.getTime()) / (365.25 * DAY_MS);
  const roll = random.next();
  const maritalStatus: MaritalStatus =
    age < 23 || roll >= 0.6 ? 'SINGLE' : roll < 0.42 ? 'MARRIED' : roll < 0.49 ? 'DIVORCED' : age >= 60 ? 'WIDOWED' : 'SINGLE';
  into.citizens.push({
    dni,
    givenNames,
    paternalSurname: random.pick(SURNAMES),
    maternalSurname: random.pick(SURNAMES),
    birthDate: isoDate(birth),
    maritalStatus,
  });

  const expired = random.chance(0.08);
  into.documents.push(
    documentExpiring(dni, random.chance(0.3) ? 'DNIE' : 'AZUL', today, expired ? -random.int(1, 700) : random.int(1, DNI_VALIDITY_DAYS - 1)),
  );

  const serial = 1000 + index;
  const birthPlace = random.pick(REGISTRY_OFFICES);
  if (random.chance(0.96)) {
    into.records.push({
      recordNumber: recordNumber('BIRTH', serial),
      dni,
      kind: 'BIRTH',
      registeredOn: isoDate(addDays(birth, random.int(3, 60))),
      place: birthPlace,
      // Records from 1990 on were born digital; older ones are digitised as RENIEC gets to them.
      digitised: birth.getUTCFullYear() >= 1990 || random.chance(0.9),
    });
  }
  if (maritalStatus !== 'SINGLE') {
    const married = new Date(Math.min(addDays(birth, random.int(22 * 365, 35 * 365)).getTime(), addDays(today, -30).getTime()));
    const place = random.chance(0.7) ? birthPlace : random.pick(REGISTRY_OFFICES);
    into.records.push({ recordNumber: recordNumber('MARRIAGE', serial), dni, kind: 'MARRIAGE', registeredOn: isoDate(married), place, digitised: true });
    if (maritalStatus === 'DIVORCED') {
      const divorced = new Date(Math.min(addDays(married, random.int(2 * 365, 15 * 365)).getTime(), addDays(today, -10).getTime()));
      into.records.push({ recordNumber: recordNumber('DIVORCE', serial), dni, kind: 'DIVORCE', registeredOn: isoDate(divorced), place, digitised: true });
    }
  }
}

/**
 * Writes one table per statement. `restate` (the personas): existing rows are set to the new values, so
 * their stories hold relative to this seed's `today`. Otherwise (generated citizens) existing rows are
 * kept: they only need to be consistent, and seeding stays insert-if-missing.
 */
async function writeRows(db: Queryable, rows: Rows, restate: boolean): Promise<void> {
  const write = (table: string, columns: Record<string, string>, key: string[], values: unknown[][]) =>
    insertRows(db, table, columns, values, restate ? key : undefined);
  // Citizens first: documents and records reference them.
  await write(
    'citizens',
    CITIZEN_COLUMNS,
    ['dni'],
    rows.citizens.map((c) => [c.dni, c.givenNames, c.paternalSurname, c.maternalSurname, c.birthDate, c.maritalStatus]),
  );
  await write(
    'identity_documents',
    DOCUMENT_COLUMNS,
    ['dni'],
    rows.documents.map((d) => [d.dni, d.kind, d.issuedOn, d.expiresOn, d.status]),
  );
  await write(
    'civil_records',
    RECORD_COLUMNS,
    ['record_number'],
    rows.records.map((r) => [r.recordNumber, r.dni, r.kind, r.registeredOn, r.place, r.digitised]),
  );
}

/**
 * RENIEC's sample data: the five personas and `options.citizens` generated citizens. Deterministic and
 * safe to run again, on any day: the personas' rows are restated relative to `options.today` (Rosa's
 * DNI expired, the others' valid); a generated citizen is written only if missing, and then whole.
 */
export async function seedIdentity(db: Queryable, options: SeedOptions): Promise<void> {
  await writeRows(db, personas(options.today), true);
  await forEachBatch(
    options.citizens,
    async (indexes) => {
      // A generated citizen is written whole, once: which records they have depends on their age on
      // `today` (married from 23), so rows added on a later day could contradict the ones kept.
      const known = await db.query<{ dni: string }>('SELECT dni FROM citizens WHERE dni = ANY($1::text[])', [indexes.map(generatedDni)]);
      const written = new Set(known.rows.map((row) => row.dni));
      const rows: Rows = { citizens: [], documents: [], records: [] };
      for (const index of indexes) if (!written.has(generatedDni(index))) generatedCitizen(index, options.today, rows);
      await writeRows(db, rows, false);
    },
    options.onProgress,
  );
}
