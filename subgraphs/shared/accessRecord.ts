import { createHash } from 'node:crypto';
import type { Caller } from '../../lib/caller.js';
import type { Database, Queryable } from './db.js';

/** Who read: the citizen themself, an agency's official, or an agency's service (a requirement check included). */
export type AccessorKind = 'CITIZEN' | 'OFFICIAL' | 'AGENCY';

export interface Accessor {
  kind: AccessorKind;
  /** The citizen's DNI, the official's id, or the service's client id. */
  id: string;
  name: string | null;
  /** The accessor's agency; null for a citizen. */
  agency: string | null;
}

/** One read of one citizen's data, as the agency records it. */
export interface AccessEntry {
  at: Date;
  /** Whose data. */
  dni: string;
  /** The agency whose data it is. */
  agency: string;
  /** What was read: field coordinates (`Citizen.trafficFines`), sorted. */
  fields: string[];
  accessor: Accessor;
  purpose: string | null;
  requestId: string;
}

/** An entry as stored: its place in the chain, and the hashes that chain it. */
export interface StoredAccessEntry extends AccessEntry {
  position: number;
  previousHash: string;
  hash: string;
}

/** The previous hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** How the entry is recorded for whoever reads. */
export function accessorOf(caller: Caller): Accessor {
  if (caller.kind === 'citizen') return { kind: 'CITIZEN', id: caller.id, name: null, agency: null };
  return { kind: caller.kind === 'official' ? 'OFFICIAL' : 'AGENCY', id: caller.id, name: caller.name, agency: caller.agency };
}

/**
 * The hash that chains an entry: sha256 over its contents and the previous entry's hash, in a fixed
 * order. Its position is not hashed, so a row moved to make room for a forged one stays itself and
 * the verifier can tell an insertion from an alteration.
 */
export function entryHash(entry: AccessEntry, previousHash: string): string {
  const { accessor } = entry;
  const contents = [
    previousHash,
    entry.at.toISOString(),
    entry.dni,
    entry.agency,
    entry.fields,
    accessor.kind,
    accessor.id,
    accessor.name,
    accessor.agency,
    entry.purpose,
    entry.requestId,
  ];
  return createHash('sha256').update(JSON.stringify(contents)).digest('hex');
}

/** One read as a resolver notes it: many of one request for one citizen, accessor and purpose make one entry. */
export interface NotedRead {
  dni: string;
  agency: string;
  field: string;
  accessor: Accessor;
  purpose: string | null;
}

/** The reads of one request, gathered as resolvers note them and written once, when the response is ready. */
export class AccessLog {
  private readonly reads = new Map<string, Omit<NotedRead, 'field'> & { fields: Set<string> }>();

  note(read: NotedRead): void {
    const { accessor } = read;
    const key = JSON.stringify([read.dni, read.agency, accessor.kind, accessor.id, accessor.name, accessor.agency, read.purpose]);
    let gathered = this.reads.get(key);
    if (!gathered) this.reads.set(key, (gathered = { ...read, fields: new Set() }));
    gathered.fields.add(read.field);
  }

  get size(): number {
    return this.reads.size;
  }

  /** The entries to write, all at `at`. */
  entries(at: Date, requestId: string): AccessEntry[] {
    return [...this.reads.values()].map(({ fields, ...read }) => ({ ...read, at, fields: [...fields].sort(), requestId }));
  }
}

/** Only one writer extends the chain at a time (any fixed number; the migrations' lock is 4242). */
const CHAIN_LOCK = 4243;

interface Row {
  position: string | number;
  at: Date;
  dni: string;
  agency: string;
  fields: string[];
  accessor_kind: AccessorKind;
  accessor_id: string;
  accessor_name: string | null;
  accessor_agency: string | null;
  purpose: string | null;
  request_id: string;
  previous_hash: string;
  hash: string;
}

const COLUMNS = [
  'position',
  'at',
  'dni',
  'agency',
  'fields',
  'accessor_kind',
  'accessor_id',
  'accessor_name',
  'accessor_agency',
  'purpose',
  'request_id',
  'previous_hash',
  'hash',
] as const;

function fromRow(row: Row): StoredAccessEntry {
  return {
    position: Number(row.position),
    at: row.at,
    dni: row.dni,
    agency: row.agency,
    fields: row.fields,
    accessor: { kind: row.accessor_kind, id: row.accessor_id, name: row.accessor_name, agency: row.accessor_agency },
    purpose: row.purpose,
    requestId: row.request_id,
    previousHash: row.previous_hash,
    hash: row.hash,
  };
}

/**
 * Appends `entries` to the chain, in one transaction: each is hashed with the one before it. Writers
 * take turns (an advisory lock), so that two requests never chain to the same predecessor.
 */
export async function appendAccessEntries(db: Database, entries: readonly AccessEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
    const head = (await tx.query<Pick<Row, 'position' | 'hash'>>('SELECT position, hash FROM access_record ORDER BY position DESC LIMIT 1')).rows[0];
    let position = head ? Number(head.position) : 0;
    let previousHash = head?.hash ?? GENESIS_HASH;
    const values: unknown[] = [];
    for (const entry of entries) {
      const hash = entryHash(entry, previousHash);
      position += 1;
      const { accessor } = entry;
      values.push(position, entry.at, entry.dni, entry.agency, entry.fields, accessor.kind, accessor.id, accessor.name, accessor.agency, entry.purpose, entry.requestId, previousHash, hash);
      previousHash = hash;
    }
    const tuples = entries.map((_, row) => `(${COLUMNS.map((_, column) => `$${row * COLUMNS.length + column + 1}`).join(', ')})`);
    await tx.query(`INSERT INTO access_record (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`, values);
  });
}

/** Where a page of a citizen's entries, merged across agencies newest first, stopped. */
export interface AccessCursor {
  at: string;
  /** The subgraph whose record holds the entry: it orders entries of the same instant. */
  source: string;
  position: number;
}

export function encodeAccessCursor(cursor: AccessCursor): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.source, cursor.position])).toString('base64url');
}

/** The cursor `text` encodes, or null when it is not one. */
export function decodeAccessCursor(text: string): AccessCursor | null {
  try {
    const [at, source, position] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    if (typeof at !== 'string' || Number.isNaN(Date.parse(at)) || typeof source !== 'string' || !Number.isSafeInteger(position) || (position as number) < 1) return null;
    return { at, source, position: position as number };
  } catch {
    return null;
  }
}

/** One agency's part of a page of a citizen's entries: its first `first` after the cursor, and how many it holds. */
export interface AccessSlice {
  totalCount: number;
  /** Entries after the cursor (all of them when there is none). */
  countAfter: number;
  entries: StoredAccessEntry[];
}

/**
 * The entries of citizen `dni` in this record (`source`, the subgraph's name) that come after `after`
 * in the merged order: newest first, then by source, then by position, descending. Each agency answers
 * its slice; the portal merges them (see schema/README.md).
 */
export async function accessSlice(db: Queryable, source: string, dni: string, first: number, after: AccessCursor | null): Promise<AccessSlice> {
  // (at, source, position) < (cursor.at, cursor.source, cursor.position), this record's source being fixed.
  const params: unknown[] = [dni];
  let afterCursor = 'true';
  if (after) {
    params.push(new Date(after.at));
    if (source < after.source) afterCursor = 'at <= $2';
    else if (source > after.source) afterCursor = 'at < $2';
    else {
      params.push(after.position);
      afterCursor = '(at, position) < ($2, $3)';
    }
  }
  const [counts, page] = await Promise.all([
    db.query<{ total: string | number; after: string | number }>(
      `SELECT count(*) AS total, count(*) FILTER (WHERE ${afterCursor}) AS after FROM access_record WHERE dni = $1`,
      params,
    ),
    db.query<Row>(
      `SELECT ${COLUMNS.join(', ')} FROM access_record WHERE dni = $1 AND ${afterCursor} ORDER BY at DESC, position DESC LIMIT ${Math.trunc(first)}`,
      params,
    ),
  ]);
  const row = counts.rows[0];
  return { totalCount: Number(row?.total ?? 0), countAfter: Number(row?.after ?? 0), entries: page.rows.map(fromRow) };
}

/** The hash of the entry at `position`, or null when there is none: to check a head kept elsewhere is still in place. */
export async function hashAt(db: Queryable, position: number): Promise<string | null> {
  return (await db.query<{ hash: string }>('SELECT hash FROM access_record WHERE position = $1', [position])).rows[0]?.hash ?? null;
}

/** What `verifyAccessRecord` found: the first entry out of place, or none. */
export interface RecordVerification {
  entries: number;
  /** The last entry's hash: publish it elsewhere to detect a rewritten tail later. */
  headHash: string | null;
  problem: { kind: 'altered' | 'inserted' | 'deleted' | 'unchained'; position: number; message: string } | null;
}

/** How many entries `verifyAccessRecord` reads at once. */
const VERIFY_BATCH = 5000;

/**
 * Walks the whole record in position order and checks every link: each entry's hash against its
 * contents, its previous hash against the entry before it, and positions for gaps. It names the first
 * problem: an entry altered (its contents no longer match its hash), inserted (the chain steps over
 * it), deleted (a gap, or a link to an entry that is not there), or unchained (the next entry does not
 * chain to it: its hash was recomputed, or entries after it were deleted and the gap closed). A chain proves only what lies before its last entry: entries appended by
 * someone who recomputes every hash, or a record emptied, need the head hash kept elsewhere.
 */
export async function verifyAccessRecord(db: Queryable): Promise<RecordVerification> {
  let entries = 0;
  // The last entry accepted, and the hash before it: an entry chaining to that one steps over it.
  let accepted: { position: number; hash: string; previousHash: string } | null = null;
  let pending: StoredAccessEntry[] = [];
  let lastPosition = 0;
  let done = false;

  const next = async (): Promise<StoredAccessEntry | undefined> => {
    if (pending.length === 0 && !done) {
      const rows = await db.query<Row>(`SELECT ${COLUMNS.join(', ')} FROM access_record WHERE position > $1 ORDER BY position LIMIT ${VERIFY_BATCH}`, [lastPosition]);
      pending = rows.rows.map(fromRow);
      if (pending.length < VERIFY_BATCH) done = true;
      lastPosition = pending.at(-1)?.position ?? lastPosition;
    }
    return pending.shift();
  };
  const peek = async (): Promise<StoredAccessEntry | undefined> => {
    const entry = await next();
    if (entry) pending.unshift(entry);
    return entry;
  };

  for (let entry = await next(); entry; entry = await next()) {
    entries += 1;
    const expectedPrevious = accepted?.hash ?? GENESIS_HASH;
    const expectedPosition: number = (accepted?.position ?? 0) + 1;
    const intact = entryHash(entry, entry.previousHash) === entry.hash;
    const linked = entry.previousHash === expectedPrevious;
    if (intact && linked && entry.position === expectedPosition) {
      accepted = { position: entry.position, hash: entry.hash, previousHash: entry.previousHash };
      continue;
    }
    const following = await peek();
    const at = entry.position;
    const problem = (kind: NonNullable<RecordVerification['problem']>['kind'], position: number, message: string) => ({ entries, headHash: null, problem: { kind, position, message } });
    if (following && following.previousHash === expectedPrevious) {
      return problem('inserted', at, `entry ${at} was inserted: the entries around it chain past it`);
    }
    if (!intact) return problem('altered', at, `entry ${at} was altered: its contents no longer match its hash`);
    if (accepted && entry.previousHash === accepted.previousHash) {
      return problem('inserted', accepted.position, `entry ${accepted.position} was inserted: entry ${at} chains past it`);
    }
    if (entry.position > expectedPosition) {
      return problem('deleted', expectedPosition, `entry ${expectedPosition} was deleted: the record goes from ${expectedPosition - 1} to ${at}`);
    }
    if (accepted) {
      // Either reading fits: the chain alone cannot tell them apart, so both are named.
      return problem(
        'unchained',
        at,
        `entry ${at} does not chain to entry ${accepted.position}: entry ${accepted.position} was altered (its hash recomputed), or entries after it were deleted and the positions closed up`,
      );
    }
    return problem('deleted', at, `an entry before ${at} was deleted: entry ${at} chains to one that is not there`);
  }
  // Every row up to the last one walked must have been walked: one at a position the walk never meets
  // (0 or below, which the table's check forbids but its owner can drop) is an insertion all the same.
  const last = accepted?.position ?? 0;
  const stored = Number((await db.query<{ n: string | number }>('SELECT count(*) AS n FROM access_record WHERE position <= $1', [last])).rows[0]?.n ?? 0);
  if (stored !== entries) {
    return { entries, headHash: null, problem: { kind: 'inserted', position: 0, message: `${stored - entries} entries were inserted outside the chain's positions (1 to ${entries})` } };
  }
  return { entries, headHash: accepted?.hash ?? null, problem: null };
}
