/** Exact cents of an amount as PostgreSQL prints a numeric(12,2) ("3250.00"): no float ever. */
export function toCents(amount: string): bigint {
  const match = /^(\d+)\.(\d{2})$/.exec(amount);
  if (!match) throw new Error(`Not an amount with two decimals: "${amount}".`);
  return BigInt(match[1]! + match[2]!);
}

/** The sum of amounts, in cents. */
export function sumCents(amounts: readonly string[]): bigint {
  return amounts.reduce((sum, amount) => sum + toCents(amount), 0n);
}

/** An amount as PostgreSQL prints a numeric(12,2), from its cents: the inverse of toCents (123450 → "1234.50"). */
export function amountFromCents(cents: bigint | number): string {
  // BigInt() refuses a fractional number: a fraction of a cent is a bug upstream, not something to round.
  const exact = BigInt(cents);
  if (exact < 0n) throw new RangeError(`Amounts are never negative: ${exact} cents.`);
  return `${exact / 100n}.${(exact % 100n).toString().padStart(2, '0')}`;
}

/** An amount as the schemas' Money type: every agency here charges in soles. */
export function pen(amount: string): { amount: string; currency: 'PEN' } {
  return { amount, currency: 'PEN' };
}

/** "S/ 3,250.00": how amounts in soles are written in Peru. */
export function soles(amount: string | bigint): string {
  const [units, decimals] = amountFromCents(typeof amount === 'bigint' ? amount : toCents(amount)).split('.');
  return `S/ ${units!.replace(/\B(?=(\d{3})+$)/g, ',')}.${decimals}`;
}
