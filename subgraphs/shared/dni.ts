import { badUserInput } from '../../lib/errors.js';

/**
 * A DNI as written on the card, without its check character: exactly 8 digits, leading zeros included.
 * Every agency keys its citizens by it, so every agency checks it the same way, with the same words.
 */
const DNI_FORMAT = /^\d{8}$/;

/** Whether `value` has the shape of a DNI. The check character is never part of it (RENIEC does not require it). */
export function isDni(value: unknown): value is string {
  return typeof value === 'string' && DNI_FORMAT.test(value);
}

/** What a person reads when `value` is not a DNI, wherever they typed or sent it. */
export function notADni(value: unknown): string {
  return `${JSON.stringify(value)} is not a DNI: a DNI is exactly 8 digits, e.g. 41234567.`;
}

/**
 * `value` as a DNI, or BAD_USER_INPUT naming `field` (default `dni`). Keys arrive from entity
 * representations as any JSON, so a number or null is as malformed as a short string.
 */
export function parseDni(value: unknown, field = 'dni'): string {
  if (isDni(value)) return value;
  throw badUserInput(notADni(value), field);
}
