import type { Database } from '../shared/db.js';
import { formatCaseNumber } from './caseNumbers.js';
import type { AgencyEntry, ApprovalKind, ChannelKind, OfficeEntry } from './catalogue.js';
import type { ProcedurePosition, QueuePosition } from './cursor.js';

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

/** One event of a citizen's application, named by its place in the events' one sequence. */
export interface CitizenEventRecord {
  eventId: string;
  applicationId: string;
  status: ApplicationStatus;
  /** ISO 8601 date-time in UTC. */
  at: string;
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
  /** How it opens, as the agencies' verdicts decided (intake.ts): SUBMITTED, or ACTION_REQUIRED with what to settle. */
  status: 'SUBMITTED' | 'ACTION_REQUIRED';
  nextStep: string | null;
  /** The note of the citizen's submission, the event that opens the timeline. */
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

/** Which applications a desk's queue holds: an agency's, in some statuses, at one office, overdue or not on `today`. */
export interface QueueFilter {
  agencyCode: string;
  statuses: readonly ApplicationStatus[];
  officeId: string | null;
  overdue: boolean | null;
  /** YYYY-MM-DD in Peru: what "overdue" is judged on. */
  today: string;
}

/** `$1` to `$5` of every queue query. */
const QUEUE_FILTER = `procedure_slug IN (SELECT slug FROM procedures WHERE agency_code = $1) AND status = ANY($2::text[])
  AND ($3::text IS NULL OR office_id = $3) AND ($4::boolean IS NULL OR (due_on < $5::date) = $4)`;

function queueParameters(filter: QueueFilter): unknown[] {
  return [filter.agencyCode, filter.statuses, filter.officeId, filter.overdue, filter.today];
}

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

  /** Up to `limit` events of `dni`'s applications with an id above `afterId`, in id order: what a live stream has not sent yet. */
  async eventsOfCitizenSince(dni: string, afterId: string, limit: number): Promise<CitizenEventRecord[]> {
    const result = await this.db.query<CitizenEventRecord>(
      `SELECT e.id::text AS "eventId", e.application_id AS "applicationId", e.status, ${isoTimestamp('e.at')} AS at
         FROM application_events e JOIN applications a ON a.id = e.application_id
        WHERE a.dni = $1 AND e.id > $2::bigint ORDER BY e.id LIMIT $3`,
      [dni, afterId, limit],
    );
    return result.rows;
  }

  /** The id of the latest event of `dni`'s applications, "0" when none: where a live stream without Last-Event-ID starts. */
  async lastEventIdOf(dni: string): Promise<string> {
    const result = await this.db.query<{ id: string }>(
      `SELECT coalesce(max(e.id), 0)::text AS id FROM application_events e JOIN applications a ON a.id = e.application_id WHERE a.dni = $1`,
      [dni],
    );
    return result.rows[0]?.id ?? '0';
  }

  /** Up to `limit` of an agency's applications in `filter`, most urgent first (QUEUE_ORDER), after `after` when given. */
  async queue(filter: QueueFilter, after: QueuePosition | null, limit: number): Promise<ApplicationRecord[]> {
    const result = await this.db.query<ApplicationRecord>(
      `SELECT ${APPLICATION_COLUMNS} FROM applications
        WHERE ${QUEUE_FILTER} AND ($6::date IS NULL OR (due_on, id) > ($6::date, $7::text))
        ORDER BY due_on, id LIMIT $8`,
      [...queueParameters(filter), after?.dueOn ?? null, after?.id ?? null, limit],
    );
    return result.rows;
  }

  async countQueue(filter: QueueFilter): Promise<number> {
    const result = await this.db.query<{ total: number }>(`SELECT count(*)::int AS total FROM applications WHERE ${QUEUE_FILTER}`, queueParameters(filter));
    return result.rows[0]?.total ?? 0;
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
      // A citizen's events then commit in the order of their ids (startApplication takes the same
      // lock): a live stream that has sent id n never finds a smaller one committed later.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`application-of-${application.dni}`]);
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

  /** The application a citizen's idempotency key started, if any. */
  async applicationByKey(dni: string, idempotencyKey: string): Promise<ApplicationRecord | null> {
    const result = await this.db.query<ApplicationRecord>(`SELECT ${APPLICATION_COLUMNS} FROM applications WHERE dni = $1 AND idempotency_key = $2`, [dni, idempotencyKey]);
    return result.rows[0] ?? null;
  }

  /**
   * Starts an application, or finds the one already started with the same idempotency key: the
   * unique (dni, idempotency_key) makes a retry, even a concurrent one, wait for the first insert and
   * then insert nothing (the serial it drew is skipped: gaps are harmless), so only then is the row
   * read back. The first event, the citizen's submission (in `status`, from none), is written in the
   * same transaction as the application. `created` is false when the key was already used, possibly
   * for another procedure: the caller decides what that means. `openOne` instead when the citizen
   * already has an application of this procedure that is not over (completed, rejected or
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
        `INSERT INTO applications (id, dni, procedure_slug, channel, office_id, status, next_step, submitted_at, updated_at, idempotency_key, due_on)
         VALUES ($1, $2, $3, $4, $5, $8, $9, now(), now(), $6, $7)
         ON CONFLICT (dni, idempotency_key) DO NOTHING
         RETURNING ${APPLICATION_COLUMNS}`,
        [formatCaseNumber(year, Number(serial)), input.dni, input.procedureSlug, input.channel, input.officeId, input.idempotencyKey, input.dueOn, input.status, input.nextStep],
      );
      const created = inserted.rows[0];
      if (created) {
        const event = await tx.query<{ id: string }>(
          `INSERT INTO application_events (application_id, at, status, note, actor_kind, actor_id, office_id) VALUES ($1, now(), $5, $2, 'CITIZEN', $3, $4)
           RETURNING id::text`,
          [created.id, input.note, input.dni, input.officeId, input.status],
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

  /**
   * An agency's applications counted per procedure, by title: every procedure one applies for, with
   * zeros when it has none, and a lookup only if it has some. `today` (YYYY-MM-DD, Peru's) is what
   * "overdue" is judged against, as `Application.overdue` judges it. Days to a decision are calendar
   * days in Peru, from the day of submission to the day of the first APPROVED or REJECTED event; an
   * application decided with no such event (none should be) is counted but has no days.
   */
  async statisticsOfAgency(agencyCode: string, today: string): Promise<ProcedureStatisticsRecord[]> {
    const result = await this.db.query<ProcedureStatisticsRecord>(
      `SELECT p.slug AS "procedureSlug",
              count(*) FILTER (WHERE a.status IN ('SUBMITTED', 'IN_REVIEW', 'ACTION_REQUIRED'))::int AS open,
              count(*) FILTER (WHERE a.status IN ('SUBMITTED', 'IN_REVIEW', 'ACTION_REQUIRED') AND a.due_on < $2::date)::int AS overdue,
              count(*) FILTER (WHERE a.status IN ('APPROVED', 'READY_FOR_PICKUP', 'COMPLETED', 'REJECTED'))::int AS decided,
              round(percentile_cont(0.5) WITHIN GROUP (
                ORDER BY ((decision.at AT TIME ZONE 'America/Lima')::date - (a.submitted_at AT TIME ZONE 'America/Lima')::date)::float8
              )::numeric, 1)::float8 AS "medianDaysToDecision"
         FROM procedures p
         LEFT JOIN applications a ON a.procedure_slug = p.slug
         -- Null days (no decision yet) are left out of the median by percentile_cont itself.
         LEFT JOIN LATERAL (
           SELECT min(e.at) AS at FROM application_events e WHERE e.application_id = a.id AND e.status IN ('APPROVED', 'REJECTED')
         ) decision ON true
        WHERE p.agency_code = $1
        GROUP BY p.slug
       HAVING NOT p.information_only OR count(a.id) > 0
        ORDER BY p.title, p.slug`,
      [agencyCode, today],
    );
    return result.rows;
  }
}

/** One procedure's figures at its agency: counts only, never whose applications they are. */
export interface ProcedureStatisticsRecord {
  procedureSlug: string;
  open: number;
  overdue: number;
  decided: number;
  /** One decimal; null when no application of the procedure has been decided. */
  medianDaysToDecision: number | null;
}
