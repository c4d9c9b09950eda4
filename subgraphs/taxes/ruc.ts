/**
 * RUC (Registro Único de Contribuyentes) numbers: 2-digit type, 8-digit body, check digit. The check
 * digit rule is SUNAT's own validator's (and python-stdnum's): weights 5,4,3,2,7,6,5,4,3,2 over the
 * first ten digits, dv = (11 - sum mod 11) mod 10.
 */

const WEIGHTS = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2] as const;

/** Type prefixes SUNAT issues: 10 people with a DNI, 15/16/17 people without one, 20 legal entities. */
const PREFIXES = ['10', '15', '16', '17', '20'] as const;

/** The prefix of a natural person's RUC whose body is their DNI. */
const PERSON_WITH_DNI = '10';

/** The check digit for the first ten digits of a RUC. */
export function rucCheckDigit(firstTen: string): number {
  if (!/^\d{10}$/.test(firstTen)) throw new Error(`A RUC check digit needs 10 digits, not "${firstTen}".`);
  let sum = 0;
  WEIGHTS.forEach((weight, i) => (sum += weight * Number(firstTen[i])));
  return (11 - (sum % 11)) % 10;
}

/** The RUC SUNAT gives a person with DNI `dni` when they register: "10" + DNI + check digit. */
export function rucForDni(dni: string): string {
  const firstTen = PERSON_WITH_DNI + dni;
  return firstTen + rucCheckDigit(firstTen);
}

/** What is wrong with `ruc`, in words a person can act on; null when it is a valid RUC. */
export function rucProblem(ruc: string): string | null {
  if (!/^\d{11}$/.test(ruc)) return `A RUC has exactly 11 digits; "${ruc}" does not.`;
  const prefix = ruc.slice(0, 2);
  if (!(PREFIXES as readonly string[]).includes(prefix)) {
    return `A RUC starts with ${PREFIXES.slice(0, -1).join(', ')} or ${PREFIXES.at(-1)}; ${ruc} starts with ${prefix}.`;
  }
  const expected = rucCheckDigit(ruc.slice(0, 10));
  if (Number(ruc[10]) !== expected) {
    return `RUC ${ruc} has a wrong check digit: it ends in ${ruc[10]}, but the first ten digits give ${expected}.`;
  }
  return null;
}

/** The DNI inside a person's "10" RUC (who owns it, even before it is registered); null for other types. */
export function dniInRuc(ruc: string): string | null {
  return ruc.startsWith(PERSON_WITH_DNI) && ruc.length === 11 ? ruc.slice(2, 10) : null;
}
