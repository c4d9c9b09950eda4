import type { Database } from '../shared/db.js';
import { formatCaseNumber } from './caseNumbers.js';
import type { AgencyEntry, ApprovalKind, ChannelKind, OfficeEntry } from './catalogue.js';
import type { ProcedurePosition } from './cursor.js';

/** An agency as read back: what the catalogue seeded. */
export type AgencyRecord = AgencyEntry;

/** An office as read back: the catalogue's entry without its agency, which the Office type does not publish. */
export type OfficeRecord = Omit<OfficeEntry, 'agencyCode'>;

export interface ProcedureRecord {
  slug: string;
  agencyCode: string;
  title: string;
  summary: string;
  description: string;
  /** Two decimals, as PostgreSQL prints numeric(12,2). */
  feeAmount: string;
  feeUitPercent: string | null;
  /** YYYY-MM-DD. */
  feeAsOf: string;
  paymentCode: string | null;
  processingDays: number;
  approval: ApprovalKind;
  /** A lookup with nothing to apply for (see catalogue.ts). */
  informationOnly: boolean;
  legalBasis: string[];
}

export type RequirementKind = 'STATUS_CHECK' | 'DOCUMENT';

export interface RequirementRecord {
  slug: string;
  code: string;
  kind: RequirementKind;
  description: string;
  agencyCode: string;
}

export interface ChannelRecord {
  slug: string;
  kind: ChannelKind;
  url: string | null;
  appointmentRequired: boolean;
}

/** An office as listed for one channel of one procedure. */
export interface ChannelOfficeRecord extends OfficeRecord {
  slug: string;
  kind: ChannelKind;
}

export type ApplicationStatus =
  | 'SUBMITTED'
  | 'IN_REVIEW'
  | 'ACTION_REQUIRED'
  | 'APPROVED'
  | 'READY_FOR_PICKUP'
  | 'COMPLETED'
  | 'REJECTED'
  | 'CANCELLED';

export interface ApplicationRecord {
  id: string;
  dni: string;
  procedureSlug: string;
  channel: ChannelKind;
  officeId: string | null;
  status: ApplicationStatus;
  nextStep: string | null;
  /** ISO 8601 date-time in UTC. */
  submittedAt: string;
  updatedAt: string;
  /** Bumped by every change: a move names the version it saw (`expectedVersion`). */
  version: number;
  /** YYYY-MM-DD in Peru's calendar: the end of its legal time limit, fixed at submission (dueDates.ts). */
  dueOn: string;
}

/** Who made an event: the applicant, an official, or the platform. */
export type Actor =
  | { kind: 'CITIZEN'; id: string; name: null; agency: null }
  | { kind: 'OFFICIAL'; id: string; name: string | null; agency: string }
  | { kind: 'SYSTEM'; id: null; name: null; agency: null };

export interface ApplicationEventRecord {
  applicationId: string;
  /** ISO 8601 date-time in UTC. */
  at: string;
  from: ApplicationStatus | null;
  status: ApplicationStatus;
  note: string;
  actor: Actor;
  officeId: string | null;
}

/** One change of an application's status, as `PortalStore.move` writes it with its event. */
export interface Move {
  applicationId: string;
  expectedVersion: number;
  from: ApplicationStatus;
  to: ApplicationStatus;
  note: string;
  nextStep: string | null;
  actor: Actor;
  officeId: string | null;
}

/** Which procedures a catalogue query is about: all `words` in the search text, and one agency. */
export interface ProcedureFilter {
  words: string[];
  agencyCode: string | null;
}

export interface NewApplication {
  dni: string;
  procedureSlug: string;
  channel: ChannelKind;
  officeId: string | null;
  idempotencyKey: string;
  /** The note of the SUBMITTED event that opens the timeline. */
  note: string;
  /** When its legal time limit ends (dueDates.ts). */
  dueOn: string;
}

/** Timestamps leave the database as ISO text in UTC: no Date parsing in the server's local time zone. */
const isoTimestamp = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

const AGENCY_COLUMNS = 'code, name, ruc, website';
const OFFICE_COLUMNS = 'o.id, o.name, o.address, o.district, o.hours, o.latitude, o.longitude';
const PROCEDURE_COLUMNS = `slug, agency_code AS "agencyCode", title, summary, description, fee_amount AS "feeAmount",
  fee_uit_percent::text AS "feeUitPercent", to_char(fee_as_of, 'YYYY-MM-DD') AS "feeAsOf", payment_code AS "paymentCode",
  processing_days AS "processingDays", approval, legal_basis AS "legalBasis", information_only AS "informationOnly"`;
const APPLICATION_COLUMNS = `id, dni, procedure_slug AS "procedureSlug", channel, office_id AS "officeId", status,
  next_step AS "nextStep", ${isoTimestamp('submitted_at')} AS "submittedAt", ${isoTimestamp('updated_at')} AS "updatedAt", version,
  to_char(due_on, 'YYYY-MM-DD') AS "dueOn"`;

/** `$agency` and `$words` are the first two parameters of every catalogue query. */
const PROCEDURE_FILTER = `($1::text IS NULL OR agency_code = $1)
  AND NOT EXISTS (SELECT 1 FROM unnest($2::text[]) AS word WHERE strpos(search_text, word) = 0)`;

/** One event the store wrote on an application's record; `eventId` is its place in the events' one sequence. */
export interface ApplicationChange {
  dni: string;
  applicationId: string;
  eventId: string;
}

/** SQL access to the portal's database: the catalogue and the applications. Batch methods take arrays of keys. */
export class PortalStore {
  /** `changed` hears of every event written, once its transaction has committed: the live stream's source. */
  constructor(
    private readonly db: Database,
    private readonly changed: (change: ApplicationChange) => void = () => {},
  ) {}

  async agenciesByCode(codes: readonly string[]): Promise<AgencyRecord[]> {
    const result = await this.db.query<AgencyRecord>(`SELECT ${AGENCY_COLUMNS} FROM agencies WHERE code = ANY($1)`, [codes]);
    return result.rows;
  }

  /** Agencies that have at least one procedure in the catalogue, by code. */
  async agenciesWithProcedures(): Promise<AgencyRecord[]> {
    const result = await this.db.query<AgencyRecord>(
      `SELECT ${AGENCY_COLUMNS} FROM agencies a
        WHERE EXISTS (SELECT 1 FROM procedures p WHERE p.agency_code = a.code) ORDER BY code`,
    );
    return result.rows;
  }

  async officesById(ids: readonly string[]): Promise<OfficeRecord[]> {
    const result = await this.db.query<OfficeRecord>(`SELECT ${OFFICE_COLUMNS} FROM offices o WHERE o.id = ANY($1)`, [ids]);
    return result.rows;
  }

  async proceduresBySlug(slugs: readonly string[]): Promise<ProcedureRecord[]> {
    const result = await this.db.query<ProcedureRecord>(`SELECT ${PROCEDURE_COLUMNS} FROM procedures WHERE slug = ANY($1)`, [slugs]);
    return result.rows;
  }

  /** Up to `limit` procedures matching `filter`, by title then slug, after `after` when given. */
  async findProcedures(filter: ProcedureFilter, after: ProcedurePosition | null, limit: number): Promise<ProcedureRecord[]> {
    const result = await this.db.query<ProcedureRecord>(
      `SELECT ${PROCEDURE_COLUMNS} FROM procedures
        WHERE ${PROCEDURE_FILTER} AND ($3::text IS NULL OR (title, slug) > ($3::text, $4::text))
        ORDER BY title, slug LIMIT $5`,
      [filter.agencyCode, filter.words, after?.title ?? null, after?.slug ?? null, limit],
    );
    return result.rows;
  }

  async countProcedures(filter: ProcedureFilter): Promise<number> {
    const result = await this.db.query<{ total: number }>(
      `SELECT count(*)::int AS total FROM procedures WHERE ${PROCEDURE_FILTER}`,
      [filter.agencyCode, filter.words],
    );
    return result.rows[0]?.total ?? 0;
  }

  /** The requirements of each procedure, in the catalogue's order. */
  async requirementsBySlug(slugs: readonly string[]): Promise<RequirementRecord[]> {
    const result = await this.db.query<RequirementRecord>(
      `SELECT slug, code, kind, description, agency_code AS "agencyCode" FROM procedure_requirements
        WHERE slug = ANY($1) ORDER BY slug, position`,
      [slugs],
    );
    return result.rows;
  }

  /** The channels of each procedure, online first. */
  async channelsBySlug(slugs: readonly string[]): Promise<ChannelRecord[]> {
    const result = await this.db.query<ChannelRecord>(
      `SELECT slug, kind, url, appointment_required AS "appointmentRequired" FROM procedure_channels
        WHERE slug = ANY($1) ORDER BY slug, kind = 'IN_PERSON'`,
      [slugs],
    );
    return result.rows;
  }

  /** The offices of each (procedure, channel) pair, by name. */
  async officesByChannel(channels: readonly { slug: string; kind: ChannelKind }[]): Promise<ChannelOfficeRecord[]> {
    const result = await this.db.query<ChannelOfficeRecord>(
      `SELECT co.slug, co.kind, ${OFFICE_COLUMNS} FROM channel_offices co JOIN offices o ON o.id = co.office_id
        WHERE (co.slug, co.kind) IN (SELECT * FROM unnest($1::text[], $2::text[]))
        ORDER BY o.name`,
      [channels.map((channel) => channel.slug), channels.map((channel) => channel.kind)],
    );
    return result.rows;
  }

  async applicationsById(ids: readonly string[]): Promise<ApplicationRecord[]> {
    const result = await this.db.query<ApplicationRecord>(`SELECT ${APPLICATION_COLUMNS} FROM applications WHERE id = ANY($1)`, [ids]);
    return result.rows;
  }

  /** The applications of each citizen, newest first. */
  async applicationsByDni(dnis: readonly string[]): Promise<ApplicationRecord[]> {
    const result = await this.db.query<ApplicationRecord>(
      `SELECT ${APPLICATION_COLUMNS} FROM applications WHERE dni = ANY($1) ORDER BY submitted_at DESC, id DESC`,
      [dnis],
    );
    return result.rows;
  }

  /** The timeline of each application, oldest first. */
  async eventsByApplication(ids: readonly string[]): Promise<ApplicationEventRecord[]> {
    const result = await this.db.query<ApplicationEventRecord>(
      `SELECT application_id AS "applicationId", ${isoTimestamp('at')} AS at, from_status AS "from", status, note,
              actor_kind, actor_id, actor_name, actor_agency, office_id AS "officeId"
         FROM application_events WHERE application_id = ANY($1) ORDER BY at`,
      [ids],
    );
    return result.rows.map(({ actor_kind, actor_id, actor_name, actor_agency, ...event }: ApplicationEventRecord & Record<string, any>) => ({
      ...event,
      actor: { kind: actor_kind, id: actor_id, name: actor_name, agency: actor_agency } as Actor,
    }));
  }

  /**
   * Moves an application and writes its event, together: only when it still has `expectedVersion`
   * and status `from`, so that of two moves made on the same version exactly one happens. Null when
   * it had moved on (the caller says CONFLICT).
   */
  async move(move: Move): Promise<ApplicationRecord | null> {
    const written = await this.db.transaction(async (tx) => {
      const moved = await tx.query<ApplicationRecord>(
        `UPDATE applications SET status = $4, next_step = $5, version = version + 1, updated_at = clock_timestamp()
          WHERE id = $1 AND version = $2 AND status = $3
          RETURNING ${APPLICATION_COLUMNS}`,
        [move.applicationId, move.expectedVersion, move.from, move.to, move.nextStep],
      );
      const application = moved.rows[0];
      if (!application) return null;
      const event = await tx.query<{ id: string }>(
        `INSERT INTO application_events (application_id, at, from_status, status, note, actor_kind, actor_id, actor_name, actor_agency, office_id)
         SELECT id, updated_at, $2, $3, $4, $5, $6, $7, $8, $9 FROM applications WHERE id = $1
         RETURNING id::text`,
        [move.applicationId, move.from, move.to, move.note, move.actor.kind, move.actor.id, move.actor.name, move.actor.agency, move.officeId],
      );
      return { application, eventId: event.rows[0]!.id };
    });
    if (!written) return null;
    this.changed({ dni: written.application.dni, applicationId: written.application.id, eventId: written.eventId });
    return written.application;
  }

  /**
   * Starts an application, or finds the one already started with the same idempotency key: the
   * unique (dni, idempotency_key) makes a retry, even a concurrent one, wait for the first insert and
   * then insert nothing (the serial it drew is skipped: gaps are harmless), so only then is the row
   * read back. The SUBMITTED event is written in the same transaction as the application. `created`
   * is false when the key was already used, possibly for another procedure: the caller decides what
   * that means.
   */
  /**
   * Starts an application, or finds the one this idempotency key started. `openOne` instead when the
   * citizen already has an application of this procedure that is not over (completed, rejected or
   * cancelled): one at a time, so that nobody holds two revalidations.
   */
  async startApplication(input: NewApplication): Promise<{ application: ApplicationRecord; created: boolean } | { openOne: string }> {
    let submitted: ApplicationChange | null = null;
    const started = await this.db.transaction(async (tx) => {
      // One citizen's starts one after another: two at once must not both find no open application.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`application-of-${input.dni}`]);
      const retried = await tx.query<ApplicationRecord>(`SELECT ${APPLICATION_COLUMNS} FROM applications WHERE dni = $1 AND idempotency_key = $2`, [input.dni, input.idempotencyKey]);
      if (retried.rows[0]) return { application: retried.rows[0], created: false };
      const open = await tx.query<{ id: string }>(
        `SELECT id FROM applications WHERE dni = $1 AND procedure_slug = $2 AND status NOT IN ('COMPLETED', 'REJECTED', 'CANCELLED') ORDER BY submitted_at LIMIT 1`,
        [input.dni, input.procedureSlug],
      );
      if (open.rows[0]) return { openOne: open.rows[0].id };
      const next = await tx.query<{ year: number; serial: string }>(
        `SELECT extract(year FROM now() AT TIME ZONE 'America/Lima')::int AS year, nextval('application_number')::text AS serial`,
      );
      const { year, serial } = next.rows[0]!;
      const inserted = await tx.query<ApplicationRecord>(
        `INSERT INTO applications (id, dni, procedure_slug, channel, office_id, status, submitted_at, updated_at, idempotency_key, due_on)
         VALUES ($1, $2, $3, $4, $5, 'SUBMITTED', now(), now(), $6, $7)
         ON CONFLICT (dni, idempotency_key) DO NOTHING
         RETURNING ${APPLICATION_COLUMNS}`,
        [formatCaseNumber(year, Number(serial)), input.dni, input.procedureSlug, input.channel, input.officeId, input.idempotencyKey, input.dueOn],
      );
      const created = inserted.rows[0];
      if (created) {
        const event = await tx.query<{ id: string }>(
          `INSERT INTO application_events (application_id, at, status, note, actor_kind, actor_id, office_id) VALUES ($1, now(), 'SUBMITTED', $2, 'CITIZEN', $3, $4)
           RETURNING id::text`,
          [created.id, input.note, input.dni, input.officeId],
        );
        submitted = { dni: input.dni, applicationId: created.id, eventId: event.rows[0]!.id };
        return { application: created, created: true };
      }
      const found = await tx.query<ApplicationRecord>(
        `SELECT ${APPLICATION_COLUMNS} FROM applications WHERE dni = $1 AND idempotency_key = $2`,
        [input.dni, input.idempotencyKey],
      );
      const application = found.rows[0];
      if (!application) throw new Error(`application for idempotency key of ${input.dni} vanished inside its transaction`);
      return { application, created: false };
    });
    if (submitted) this.changed(submitted);
    return started;
  }
}
