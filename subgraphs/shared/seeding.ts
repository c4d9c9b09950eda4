import type { Queryable } from './db.js';

/**
 * The generated population shared by every agency's seed: citizen number `index` has the same DNI in
 * identity, transport and taxes, so the agencies agree without reading each other's databases.
 * DNIs run over 50000000-59999999 in a scrambled order (7654321 is coprime with 10^7, so no two
 * indexes collide), which keeps them clear of the five personas' DNIs.
 */
export function generatedDni(index: number): string {
  return String(50_000_000 + ((index * 7_654_321) % 10_000_000)).padStart(8, '0');
}

/** A deterministic pseudo-random source (mulberry32) seeded from a string: same seed, same sequence. */
export class SeededRandom {
  private state: number;

  constructor(seed: string) {
    let hash = 2166136261;
    for (let i = 0; i < seed.length; i++) hash = Math.imul(hash ^ seed.charCodeAt(i), 16777619);
    this.state = hash >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
}

/** How many generated citizens a seed batch writes at once: one statement per table per batch. */
export const SEED_BATCH = 5000;

/**
 * Inserts many rows with one statement per call (`INSERT ... SELECT FROM unnest(...)`). `columns` maps
 * a column to its SQL type. By default a row whose key exists is kept, so that seeding twice changes
 * nothing. With `restateOn` (the table's key), such a row is restated instead, every other column set
 * anew: how the personas' rows follow the seed's `today` when seeding again on a later day.
 */
export async function insertRows(
  db: Queryable,
  table: string,
  columns: Record<string, string>,
  rows: readonly (readonly unknown[])[],
  restateOn?: readonly string[],
): Promise<void> {
  if (rows.length === 0) return;
  const names = Object.keys(columns);
  const arrays = names.map((_, column) => rows.map((row) => row[column] ?? null));
  const unnest = names.map((name, i) => `$${i + 1}::${columns[name]}[]`).join(', ');
  const onConflict = restateOn
    ? `ON CONFLICT (${restateOn.join(', ')}) DO UPDATE SET ${names
        .filter((name) => !restateOn.includes(name))
        .map((name) => `${name} = EXCLUDED.${name}`)
        .join(', ')}`
    : 'ON CONFLICT DO NOTHING';
  await db.query(`INSERT INTO ${table} (${names.join(', ')}) SELECT * FROM unnest(${unnest}) ${onConflict}`, arrays);
}

/**
 * Runs `writeBatch` over generated citizens `[0, total)` in batches of SEED_BATCH, reporting progress.
 */
export async function forEachBatch(
  total: number,
  writeBatch: (indexes: number[]) => Promise<void>,
  onProgress?: (done: number) => void,
): Promise<void> {
  for (let start = 0; start < total; start += SEED_BATCH) {
    const indexes: number[] = [];
    for (let i = start; i < Math.min(total, start + SEED_BATCH); i++) indexes.push(i);
    await writeBatch(indexes);
    onProgress?.(start + indexes.length);
  }
}
