/**
 * Opaque page cursors for the catalogue. A cursor is base64url JSON carrying a version, so that the
 * format can change later while old cursors are still recognised (or refused cleanly), and the sort
 * key of the last row seen (title, slug), so that a page never depends on an offset that shifts when
 * procedures are added.
 */
export interface ProcedurePosition {
  title: string;
  slug: string;
}

const CURSOR_VERSION = 1;

export function encodeCursor(position: ProcedurePosition): string {
  return Buffer.from(JSON.stringify({ v: CURSOR_VERSION, title: position.title, slug: position.slug })).toString('base64url');
}

/** The position a cursor names, or null when it is not a cursor this version produced. */
export function decodeCursor(cursor: string): ProcedurePosition | null {
  // Buffer.from skips characters outside the alphabet: check them first so garbage is not half-read.
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { v, title, slug } = value as Record<string, unknown>;
  if (v !== CURSOR_VERSION || typeof title !== 'string' || typeof slug !== 'string') return null;
  return { title, slug };
}
