import type { Queryable } from '../shared/db.js';
import type { StoredDocumentStatus } from './dni.js';

export type MaritalStatus = 'SINGLE' | 'MARRIED' | 'DIVORCED' | 'WIDOWED';
export type IdentityDocumentKind = 'AZUL' | 'DNIE';
export type CivilRecordKind = 'BIRTH' | 'MARRIAGE' | 'DIVORCE';

/** A person as RENIEC registers them. Dates are YYYY-MM-DD strings. */
export interface CitizenRow {
  dni: string;
  givenNames: string;
  paternalSurname: string;
  maternalSurname: string;
  birthDate: string;
  maritalStatus: MaritalStatus;
}

/** A citizen's current identity document, with its status as stored (never EXPIRED: see `statusOn`). */
export interface IdentityDocumentRow {
  dni: string;
  kind: IdentityDocumentKind;
  issuedOn: string;
  expiresOn: string;
  status: StoredDocumentStatus;
}

/** One civil-registry record (acta). */
export interface CivilRecordRow {
  recordNumber: string;
  dni: string;
  kind: CivilRecordKind;
  registeredOn: string;
  place: string;
  digitised: boolean;
}

/**
 * SQL access to RENIEC's database. Every read takes a batch of DNIs (one statement whatever their
 * number); dates are selected as text because `pg` would turn a `date` into a local-time JS Date.
 */
export class IdentityStore {
  constructor(private readonly db: Queryable) {}

  async citizensByDni(dnis: readonly string[]): Promise<CitizenRow[]> {
    const result = await this.db.query<CitizenRow>(
      `SELECT dni, given_names AS "givenNames", paternal_surname AS "paternalSurname",
              maternal_surname AS "maternalSurname", to_char(birth_date, 'YYYY-MM-DD') AS "birthDate",
              marital_status AS "maritalStatus"
         FROM citizens WHERE dni = ANY($1)`,
      [dnis],
    );
    return result.rows;
  }

  async identityDocumentsByDni(dnis: readonly string[]): Promise<IdentityDocumentRow[]> {
    const result = await this.db.query<IdentityDocumentRow>(
      `SELECT dni, kind, to_char(issued_on, 'YYYY-MM-DD') AS "issuedOn",
              to_char(expires_on, 'YYYY-MM-DD') AS "expiresOn", status
         FROM identity_documents WHERE dni = ANY($1)`,
      [dnis],
    );
    return result.rows;
  }

  /** The records of all these citizens, each citizen's oldest first. */
  async civilRecordsByDni(dnis: readonly string[]): Promise<CivilRecordRow[]> {
    const result = await this.db.query<CivilRecordRow>(
      `SELECT record_number AS "recordNumber", dni, kind, to_char(registered_on, 'YYYY-MM-DD') AS "registeredOn",
              place, digitised
         FROM civil_records WHERE dni = ANY($1)
        ORDER BY dni, registered_on, record_number`,
      [dnis],
    );
    return result.rows;
  }
}
