import type { Queryable } from '../shared/db.js';

export type LicenceClass = 'A_I' | 'A_IIA' | 'A_IIB' | 'A_IIIA' | 'A_IIIB' | 'A_IIIC' | 'B_I' | 'B_IIA' | 'B_IIB' | 'B_IIC';
/** What the registry stores; EXPIRED is not stored but derived from the expiry date (see loaders.ts). */
export type StoredLicenceStatus = 'VALID' | 'SUSPENDED' | 'CANCELLED';
export type MedicalExamResult = 'APPROVED' | 'REJECTED';
export type FineStatus = 'UNPAID' | 'PAID' | 'IN_COACTIVE_COLLECTION' | 'ANNULLED';

/** Dates are ISO strings (YYYY-MM-DD), selected as text so that no driver turns them into local-time Dates. */
export interface LicenceRow {
  dni: string;
  number: string;
  class: LicenceClass;
  issuedOn: string;
  expiresOn: string;
  status: StoredLicenceStatus;
  points: number;
}

export interface MedicalExamRow {
  dni: string;
  takenOn: string;
  result: MedicalExamResult;
  centre: string;
  validUntil: string;
}

export interface TrafficFineRow {
  number: string;
  dni: string;
  plate: string | null;
  code: string;
  description: string;
  /** Exact decimal with two places, e.g. "214.00". */
  amount: string;
  issuedOn: string;
  status: FineStatus;
}

export interface VehicleRow {
  plate: string;
  ownerDni: string;
  make: string;
  model: string;
  year: number;
  colour: string;
}

const VEHICLE_COLUMNS = 'plate, owner_dni AS "ownerDni", make, model, year, colour';

/** SQL access to MTC's and SAT's records. Every method takes many keys and costs one statement. */
export class TransportStore {
  constructor(private readonly db: Queryable) {}

  async licencesByDni(dnis: readonly string[]): Promise<LicenceRow[]> {
    const result = await this.db.query<LicenceRow>(
      `SELECT dni, number, class, to_char(issued_on, 'YYYY-MM-DD') AS "issuedOn",
              to_char(expires_on, 'YYYY-MM-DD') AS "expiresOn", status, points
         FROM driving_licences WHERE dni = ANY($1)`,
      [dnis],
    );
    return result.rows;
  }

  /** Each citizen's latest exam only: an older one never decides anything. */
  async latestMedicalExamsByDni(dnis: readonly string[]): Promise<MedicalExamRow[]> {
    const result = await this.db.query<MedicalExamRow>(
      `SELECT DISTINCT ON (dni) dni, to_char(taken_on, 'YYYY-MM-DD') AS "takenOn", result, centre,
              to_char(valid_until, 'YYYY-MM-DD') AS "validUntil"
         FROM medical_exams WHERE dni = ANY($1)
        ORDER BY dni, taken_on DESC, id DESC`,
      [dnis],
    );
    return result.rows;
  }

  /** Newest first within each citizen. */
  async finesByDni(dnis: readonly string[]): Promise<TrafficFineRow[]> {
    const result = await this.db.query<TrafficFineRow>(
      `SELECT number, dni, plate, code, description, amount::text AS amount,
              to_char(issued_on, 'YYYY-MM-DD') AS "issuedOn", status
         FROM traffic_fines WHERE dni = ANY($1)
        ORDER BY dni, issued_on DESC, number DESC`,
      [dnis],
    );
    return result.rows;
  }

  async vehiclesByOwner(dnis: readonly string[]): Promise<VehicleRow[]> {
    const result = await this.db.query<VehicleRow>(
      `SELECT ${VEHICLE_COLUMNS} FROM vehicles WHERE owner_dni = ANY($1) ORDER BY owner_dni, plate`,
      [dnis],
    );
    return result.rows;
  }

  /** `plates` must be normalised (see plate.ts): that is how they are stored. */
  async vehiclesByPlate(plates: readonly string[]): Promise<VehicleRow[]> {
    const result = await this.db.query<VehicleRow>(`SELECT ${VEHICLE_COLUMNS} FROM vehicles WHERE plate = ANY($1)`, [
      plates,
    ]);
    return result.rows;
  }
}
