import { badUserInput } from '../../lib/errors.js';
import { isCaseNumber } from './caseNumbers.js';

export function assertCaseNumber(id: unknown): asserts id is string {
  if (typeof id !== 'string' || !isCaseNumber(id)) throw badUserInput(`"${String(id)}" no es un número de expediente: tienen la forma CUT-2026-000123.`, 'id');
}

/** For keys with no format of their own (slugs, agency codes), arriving in representations as any JSON. */
export function assertString(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string') throw badUserInput(`${field} must be a string.`, field);
}
