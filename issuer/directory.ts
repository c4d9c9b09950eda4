import type { Caller } from '../lib/caller.js';
import { OFFICIALS } from '../subgraphs/portal/officials.js';

/** The development directory's officials: the desk's, as the portal seeds them. */
export function officialCaller(id: string): Extract<Caller, { kind: 'official' }> | null {
  const official = OFFICIALS.find((entry) => entry.id === id);
  if (!official) return null;
  return { kind: 'official', id: official.id, name: official.name, agency: official.agencyCode, office: official.officeId, scopes: official.scopes };
}

/** The ids `officialCaller` knows, for messages. */
export const OFFICIAL_IDS: readonly string[] = OFFICIALS.map((official) => official.id);
