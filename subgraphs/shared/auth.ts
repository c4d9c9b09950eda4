import type { Caller } from '../../lib/caller.js';
import { isDni } from './dni.js';

/**
 * The DNI of a citizen caller: their token's `sub`, when it is one. Anything else (no caller, an
 * official, a service, a `sub` that is no DNI) has none: it reads no record as its own.
 */
export function citizenDni(caller: Caller | null): string | null {
  return caller?.kind === 'citizen' && isDni(caller.id) ? caller.id : null;
}
