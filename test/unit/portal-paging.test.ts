import { describe, expect, it } from 'vitest';
import { formatCaseNumber, isCaseNumber } from '../../subgraphs/portal/caseNumbers.js';
import { decodeCursor, encodeCursor, PROCEDURE_ORDER, QUEUE_ORDER } from '../../subgraphs/portal/cursor.js';
import { searchKey, searchWords } from '../../subgraphs/portal/search.js';

describe('procedure cursors', () => {
  it('round-trips a position, accents included, as base64url', () => {
    const position = { title: 'Pasaporte electrónico', slug: 'pasaporte-electronico' };
    const cursor = encodeCursor(PROCEDURE_ORDER, position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(PROCEDURE_ORDER, cursor)).toEqual(position);
  });

  it("carries only its list's sort key, and is not taken for another list's", () => {
    const application = { dueOn: '2026-12-09', id: 'CUT-2026-000123', dni: '41234567' };
    const cursor = encodeCursor(QUEUE_ORDER, application);
    expect(Buffer.from(cursor, 'base64url').toString()).not.toContain('41234567');
    expect(decodeCursor(QUEUE_ORDER, cursor)).toEqual({ dueOn: '2026-12-09', id: 'CUT-2026-000123' });
    expect(decodeCursor(PROCEDURE_ORDER, cursor)).toBeNull();
    expect(decodeCursor(QUEUE_ORDER, encodeCursor(PROCEDURE_ORDER, { title: 'A', slug: 'a' }))).toBeNull();
  });

  it('refuses what it did not produce', () => {
    const json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    expect(decodeCursor(PROCEDURE_ORDER, '')).toBeNull();
    expect(decodeCursor(PROCEDURE_ORDER, 'not a cursor!')).toBeNull();
    expect(decodeCursor(PROCEDURE_ORDER, 'bm90IGpzb24')).toBeNull(); // "not json"
    expect(decodeCursor(PROCEDURE_ORDER, json({ v: 2, title: 'A', slug: 'a' }))).toBeNull();
    expect(decodeCursor(PROCEDURE_ORDER, json({ v: 1, title: 'A' }))).toBeNull();
    expect(decodeCursor(PROCEDURE_ORDER, json(['A', 'a']))).toBeNull();
    expect(decodeCursor(PROCEDURE_ORDER, json(null))).toBeNull();
  });
});

describe('search normalisation', () => {
  it('ignores case and accents', () => {
    expect(searchKey('Renovación del DNI')).toBe('renovacion del dni');
    expect(searchKey('  PÁGALO.PE   Ñandú ')).toBe('pagalo.pe nandu');
  });

  it('splits a search into normalised words, nothing for an empty one', () => {
    expect(searchWords('Licencia  CONDUCIR')).toEqual(['licencia', 'conducir']);
    expect(searchWords('   ')).toEqual([]);
    expect(searchWords(null)).toEqual([]);
  });
});

describe('case numbers', () => {
  it('pads the serial to six digits and never truncates a longer one', () => {
    expect(formatCaseNumber(2026, 123)).toBe('CUT-2026-000123');
    expect(formatCaseNumber(2027, 1234567)).toBe('CUT-2027-1234567');
  });

  it('recognises only that shape', () => {
    expect(isCaseNumber('CUT-2026-000123')).toBe(true);
    expect(isCaseNumber('CUT-2026-123')).toBe(false);
    expect(isCaseNumber('cut-2026-000123')).toBe(false);
    expect(isCaseNumber("CUT-2026-000123' OR 1=1")).toBe(false);
  });
});
