/**
 * The officials of the agency desk (domain.md §7), seeded into the portal's `officials` table and
 * known to the development issuer, which signs tokens for them (`npm run token -- --official MTC-0001`).
 * Names are invented; offices are the catalogue's.
 */
export interface OfficialEntry {
  id: string;
  name: string;
  agencyCode: string;
  officeId: string;
  scopes: readonly string[];
}

export const OFFICIALS: readonly OfficialEntry[] = [
  { id: 'MTC-0001', name: 'Pedro Salas Rojas', agencyCode: 'MTC', officeId: 'mtc-lima-centro', scopes: ['applications:review'] },
  { id: 'MTC-0002', name: 'Lucía Mendoza Paz', agencyCode: 'MTC', officeId: 'mac-callao', scopes: ['applications:review'] },
  { id: 'RENIEC-0001', name: 'Óscar Vela Ríos', agencyCode: 'RENIEC', officeId: 'reniec-lima-centro', scopes: ['applications:review'] },
  { id: 'SUNAT-0001', name: 'Teresa Ñique Soto', agencyCode: 'SUNAT', officeId: 'sunat-lima-centro', scopes: ['applications:review'] },
];
