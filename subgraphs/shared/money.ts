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

/** "S/ 3,250.00": how amounts in soles are written in Peru. */
export function soles(amount: string | bigint): string {
  const cents = typeof amount === 'bigint' ? amount : toCents(amount);
  const units = (cents / 100n).toString().replace(/\B(?=(\d{3})+$)/g, ',');
  return `S/ ${units}.${(cents % 100n).toString().padStart(2, '0')}`;
}
