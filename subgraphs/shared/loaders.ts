/**
 * What a DataLoader batch function returns: one answer per key, in the keys' order, whatever order the
 * database returned the rows in. Every agency's loaders line rows up with keys through these two.
 */

/** The row of each key, in the keys' order; null where no row has that key. */
export function oneRowPerKey<Key, Row>(keys: readonly Key[], rows: readonly Row[], keyOf: (row: Row) => Key): (Row | null)[] {
  const byKey = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => byKey.get(key) ?? null);
}

/** The rows of each key (possibly none), in the keys' order, keeping the rows' own order within a key. */
export function rowsPerKey<Key, Row>(keys: readonly Key[], rows: readonly Row[], keyOf: (row: Row) => Key): Row[][] {
  const byKey = new Map<Key, Row[]>(keys.map((key) => [key, []]));
  for (const row of rows) byKey.get(keyOf(row))?.push(row);
  return keys.map((key) => byKey.get(key) ?? []);
}
