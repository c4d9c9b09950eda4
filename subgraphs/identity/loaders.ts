import DataLoader from 'dataloader';
import { oneRowPerKey, rowsPerKey } from '../shared/loaders.js';
import { statusOn } from '../shared/calendar.js';
import { renewableFrom, type DocumentStatus } from './dni.js';
import type { CitizenRow, CivilRecordRow, IdentityDocumentKind, IdentityStore } from './store.js';

/** An identity document as read on the request's day: whether it is expired depends on that day. */
export interface IdentityDocument {
  number: string;
  kind: IdentityDocumentKind;
  issuedOn: string;
  expiresOn: string;
  status: DocumentStatus;
  /** The first day it can be renewed (RENEWAL_WINDOW_DAYS before expiry). */
  renewableFrom: string;
  /** Whether that day has come. */
  renewable: boolean;
}

export interface IdentityLoaders {
  /** A citizen by DNI; null when RENIEC has no such person. */
  citizen: DataLoader<string, CitizenRow | null>;
  /** A citizen's current document by DNI; null when they have none on record. */
  identityDocument: DataLoader<string, IdentityDocument | null>;
  /** A citizen's civil records by DNI, oldest first; empty when none. */
  civilRecords: DataLoader<string, CivilRecordRow[]>;
}

/**
 * Per-request loaders: every lookup of the same request made in the same tick becomes one SQL
 * statement per table. `today` (YYYY-MM-DD, the request's) is the day statuses are judged on.
 */
export function createLoaders(store: IdentityStore, today: string): IdentityLoaders {
  return {
    citizen: new DataLoader(async (dnis) => oneRowPerKey(dnis, await store.citizensByDni(dnis), (row) => row.dni)),
    identityDocument: new DataLoader(async (dnis) =>
      oneRowPerKey(dnis, await store.identityDocumentsByDni(dnis), (row) => row.dni).map((row) => {
        if (!row) return null;
        const from = renewableFrom(row.expiresOn);
        return {
          number: row.dni,
          kind: row.kind,
          issuedOn: row.issuedOn,
          expiresOn: row.expiresOn,
          status: statusOn(row.status, row.expiresOn, today),
          renewableFrom: from,
          renewable: today >= from,
        };
      }),
    ),
    civilRecords: new DataLoader(async (dnis) => rowsPerKey(dnis, await store.civilRecordsByDni(dnis), (row) => row.dni)),
  };
}
