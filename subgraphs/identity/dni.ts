import { isDni } from '../shared/dni.js';
import { shiftIsoDate } from '../shared/calendar.js';

const WEIGHTS = [3, 2, 7, 6, 5, 4, 3, 2] as const;
const DIGIT_FORM = '65432110987';
const LETTER_FORM = 'KJIHGFEDCBA';

/**
 * The check character printed after the number on the card, in both forms RENIEC uses: a digit
 * (older cards) and a letter. Weights 3 2 7 6 5 4 3 2, c = sum mod 11; 10117410 → { digit: '2', letter: 'G' }.
 */
export function dniCheckCharacters(dni: string): { digit: string; letter: string } {
  if (!isDni(dni)) throw new RangeError(`not a DNI: "${dni}"`);
  let sum = 0;
  for (let i = 0; i < WEIGHTS.length; i++) sum += Number(dni[i]) * WEIGHTS[i]!;
  const c = sum % 11;
  return { digit: DIGIT_FORM[c]!, letter: LETTER_FORM[c]! };
}

/** What RENIEC stores: expiry is not stored as a status, because it changes with the calendar, not with an event. */
export type StoredDocumentStatus = 'VALID' | 'CANCELLED';
/** What a reader sees on a given day. */
export type DocumentStatus = StoredDocumentStatus | 'EXPIRED';

/** A DNI can be renewed from this many days before it expires (and any time after). */
export const RENEWAL_WINDOW_DAYS = 60;

/** The first day a DNI expiring on `expiresOn` can be renewed. */
export function renewableFrom(expiresOn: string): string {
  return shiftIsoDate(expiresOn, -RENEWAL_WINDOW_DAYS);
}
