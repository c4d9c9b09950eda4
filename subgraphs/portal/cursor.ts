/**
 * Opaque page cursors for the portal's lists. A cursor is base64url JSON carrying a version, so that
 * the format can change later while old cursors are still recognised (or refused cleanly), and the
 * sort key of the last row seen, so that a page never depends on an offset that shifts when rows are
 * added.
 */
const CURSOR_VERSION = 1;

/** A list's sort key: the fields a cursor carries, in order. */
export type Order = readonly string[];
export type Position<Keys extends Order> = Record<Keys[number], string>;

/** The catalogue's order: by title, then slug. */
export const PROCEDURE_ORDER = ['title', 'slug'] as const;
export type ProcedurePosition = Position<typeof PROCEDURE_ORDER>;

/** A desk queue's order: the earliest due date first, then the case number. */
export const QUEUE_ORDER = ['dueOn', 'id'] as const;
export type QueuePosition = Position<typeof QUEUE_ORDER>;

export function encodeCursor<Keys extends Order>(order: Keys, row: Position<Keys>): string {
  const position = Object.fromEntries(order.map((key) => [key, row[key as Keys[number]]]));
  return Buffer.from(JSON.stringify({ v: CURSOR_VERSION, ...position })).toString('base64url');
}

/** The position a cursor names in `order`, or null when it is not a cursor of that list this version produced. */
export function decodeCursor<Keys extends Order>(order: Keys, cursor: string): Position<Keys> | null {
  // Buffer.from skips characters outside the alphabet: check them first so garbage is not half-read.
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const fields = value as Record<string, unknown>;
  if (fields.v !== CURSOR_VERSION || Object.keys(fields).length !== order.length + 1) return null;
  if (!order.every((key) => typeof fields[key] === 'string')) return null;
  return Object.fromEntries(order.map((key) => [key, fields[key]])) as Position<Keys>;
}
