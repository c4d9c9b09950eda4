import type { Database, Queryable } from '../shared/db.js';
import { addDays, isoDate } from '../shared/calendar.js';
import { forEachBatch, generatedDni, insertRows, SeededRandom } from '../shared/seeding.js';
import type { SeedOptions } from '../shared/service.js';
import { formatCaseNumber } from './caseNumbers.js';
import { AGENCIES, OFFICES, PROCEDURES, STATUS_CHECKS, type ChannelKind, type OfficeEntry, type ProcedureEntry } from './catalogue.js';
import { dueOnFor } from './dueDates.js';
import { receivedNote } from './intake.js';
import { OFFICIALS } from './officials.js';
import { searchKey } from './search.js';
import type { ApplicationStatus } from './store.js';

interface SeedEvent {
  /** ISO 8601 date-time in UTC. */
  at: string;
  status: ApplicationStatus;
  note: string;
}

/** An application to seed; its status is that of its last event, its dates those of its first and last. */
export interface SeedApplication {
  serial: number;
  dni: string;
  procedureSlug: string;
  channel: ChannelKind;
  officeId: string | null;
  nextStep: string | null;
  events: [SeedEvent, ...SeedEvent[]];
}

const CARMEN = '47851236';

/** Generated citizen `i` gets serial GENERATED_SERIAL_BASE + i: independent of batching, clear of the personas' 1–3. */
const GENERATED_SERIAL_BASE = 1000;

/** How each final status is usually reached. */
const STATUS_PATHS: Record<ApplicationStatus, ApplicationStatus[]> = {
  SUBMITTED: ['SUBMITTED'],
  IN_REVIEW: ['SUBMITTED', 'IN_REVIEW'],
  ACTION_REQUIRED: ['SUBMITTED', 'IN_REVIEW', 'ACTION_REQUIRED'],
  APPROVED: ['SUBMITTED', 'IN_REVIEW', 'APPROVED'],
  READY_FOR_PICKUP: ['SUBMITTED', 'IN_REVIEW', 'APPROVED', 'READY_FOR_PICKUP'],
  COMPLETED: ['SUBMITTED', 'COMPLETED'],
  REJECTED: ['SUBMITTED', 'IN_REVIEW', 'REJECTED'],
  CANCELLED: ['SUBMITTED', 'CANCELLED'],
};
const STATUSES = Object.keys(STATUS_PATHS) as ApplicationStatus[];

const officesById = new Map(OFFICES.map((office) => [office.id, office]));
const proceduresBySlug = new Map(PROCEDURES.map((procedure) => [procedure.slug, procedure]));

function procedureEntry(slug: string): ProcedureEntry {
  const found = proceduresBySlug.get(slug);
  if (!found) throw new Error(`the catalogue has no procedure ${slug}`);
  return found;
}

function office(id: string): OfficeEntry {
  const found = officesById.get(id);
  if (!found) throw new Error(`the catalogue has no office ${id}`);
  return found;
}

function pickUpAt(place: OfficeEntry, what: string): string {
  return `Recoge ${what} en ${place.name}, ${place.address} (${place.district}), ${place.hours}. Lleva tu DNI.`;
}

/** Carmen's three applications at three agencies, submitted on different days, each with its timeline. */
function personaApplications(today: Date): SeedApplication[] {
  const at = (daysAgo: number, time: string) => `${isoDate(addDays(today, -daysAgo))}T${time}Z`;
  const pickUpOffice = office('mac-lima-norte');
  return [
    {
      serial: 1,
      dni: CARMEN,
      procedureSlug: 'revalidar-licencia-de-conducir',
      channel: 'IN_PERSON',
      officeId: pickUpOffice.id,
      nextStep: pickUpAt(pickUpOffice, 'tu licencia de conducir'),
      events: [
        { at: at(20, '14:10:00'), status: 'SUBMITTED', note: `${receivedNote('IN_PERSON')} Cita en ${pickUpOffice.name}.` },
        { at: at(20, '14:40:00'), status: 'IN_REVIEW', note: 'El MTC está verificando el DNI, el examen médico y las papeletas.' },
        { at: at(18, '16:05:00'), status: 'APPROVED', note: 'Se cumplen todos los requisitos: se está emitiendo la licencia de conducir.' },
        { at: at(15, '10:30:00'), status: 'READY_FOR_PICKUP', note: `La licencia de conducir está lista para recoger en ${pickUpOffice.name}.` },
      ],
    },
    {
      serial: 2,
      dni: CARMEN,
      procedureSlug: 'duplicado-de-dni',
      channel: 'ONLINE',
      officeId: null,
      nextStep: null,
      events: [
        { at: at(6, '21:15:00'), status: 'SUBMITTED', note: receivedNote('ONLINE') },
        { at: at(5, '15:00:00'), status: 'IN_REVIEW', note: 'El RENIEC está contrastando la solicitud con el registro.' },
      ],
    },
    {
      serial: 3,
      dni: CARMEN,
      procedureSlug: 'inscribirse-en-el-ruc',
      channel: 'ONLINE',
      officeId: null,
      nextStep: null,
      events: [
        { at: at(45, '13:20:00'), status: 'SUBMITTED', note: receivedNote('ONLINE') },
        { at: at(45, '13:25:00'), status: 'COMPLETED', note: 'Inscripción en el RUC realizada; se emitió la Clave SOL.' },
      ],
    },
  ];
}

function statusNote(status: ApplicationStatus, procedure: ProcedureEntry, channel: ChannelKind, place: OfficeEntry | null): string {
  switch (status) {
    case 'SUBMITTED':
      return receivedNote(channel);
    case 'IN_REVIEW':
      return `${procedure.agencyCode} está revisando los requisitos.`;
    case 'ACTION_REQUIRED':
      return 'Falta algo: revisa el siguiente paso.';
    case 'APPROVED':
      return 'Aprobada: se está emitiendo el resultado.';
    case 'READY_FOR_PICKUP':
      return `El resultado está listo para recoger en ${place?.name ?? 'la oficina'}.`;
    case 'COMPLETED':
      return 'Concluida: se entregó el resultado.';
    case 'REJECTED':
      return `${procedure.agencyCode} la denegó: no se cumplió un requisito.`;
    case 'CANCELLED':
      return 'Cancelada a pedido del ciudadano.';
  }
}

function nextStepFor(status: ApplicationStatus, procedure: ProcedureEntry, place: OfficeEntry | null): string | null {
  if (status === 'READY_FOR_PICKUP' && place) return pickUpAt(place, 'el resultado');
  if (status !== 'ACTION_REQUIRED') return null;
  return procedure.fee.paymentCode
    ? `Paga S/ ${procedure.fee.amount} con el código ${procedure.fee.paymentCode} en el Banco de la Nación o en págalo.pe.`
    : 'Sube el documento que falta desde esta página.';
}

/** About one generated citizen in ten has one application, decided by their index alone. Exported for tests. */
export function generatedApplication(index: number, today: Date): SeedApplication | null {
  const random = new SeededRandom(`portal-application-${index}`);
  if (!random.chance(0.1)) return null;
  const procedure = random.pick(PROCEDURES);
  const channel = random.pick(procedure.channels);
  const place = channel.officeIds.length > 0 ? office(random.pick(channel.officeIds)) : null;
  const picked = random.pick(STATUSES);
  const status = picked === 'READY_FOR_PICKUP' && !place ? 'COMPLETED' : picked;
  const path = STATUS_PATHS[status];
  // One event per day at most, so timestamps never collide and the last one is before today.
  const submittedDaysAgo = random.int(path.length, 120);
  const daysBetween = Math.floor(submittedDaysAgo / path.length);
  const events = path.map((eventStatus, step) => {
    const hour = String(random.int(13, 22)).padStart(2, '0');
    const minute = String(random.int(0, 59)).padStart(2, '0');
    return {
      at: `${isoDate(addDays(today, -(submittedDaysAgo - step * daysBetween)))}T${hour}:${minute}:00Z`,
      status: eventStatus,
      note: statusNote(eventStatus, procedure, channel.kind, place),
    };
  });
  const [first, ...rest] = events;
  if (!first) throw new Error(`status ${status} has no path`);
  return {
    serial: GENERATED_SERIAL_BASE + index,
    dni: generatedDni(index),
    procedureSlug: procedure.slug,
    channel: channel.kind,
    officeId: place?.id ?? null,
    nextStep: nextStepFor(status, procedure, place),
    events: [first, ...rest],
  };
}

/**
 * A seeded application's idempotency key: the serial, never the case number. The case number takes the
 * year of the submission date, which moves with the seed's `today`; the key does not, so seeding on a
 * later day finds the same application instead of writing a second one.
 */
function seedKey(serial: number): string {
  return `seed-${serial}`;
}

const APPLICATION_COLUMNS = {
  id: 'text',
  dni: 'text',
  procedure_slug: 'text',
  channel: 'text',
  office_id: 'text',
  status: 'text',
  next_step: 'text',
  submitted_at: 'timestamptz',
  updated_at: 'timestamptz',
  idempotency_key: 'text',
  due_on: 'date',
};
const APPLICATION_NAMES = Object.keys(APPLICATION_COLUMNS);
const APPLICATION_UNNEST = Object.values(APPLICATION_COLUMNS).map((type, i) => `$${i + 1}::${type}[]`).join(', ');
/** The events' arrays follow the applications' in the same statement's parameters. */
const EVENT_UNNEST = ['text', 'timestamptz', 'text', 'text'].map((type, i) => `$${APPLICATION_NAMES.length + i + 1}::${type}[]`).join(', ');

/**
 * The applications' parameters, one array per column of APPLICATION_COLUMNS. A new application's case
 * number is its serial with the year it was submitted.
 */
function applicationParameters(applications: readonly SeedApplication[]): unknown[][] {
  const rows = applications.map((application) => {
    const submitted = application.events[0];
    const last = application.events.at(-1) ?? submitted;
    return [
      formatCaseNumber(Number(submitted.at.slice(0, 4)), application.serial),
      application.dni,
      application.procedureSlug,
      application.channel,
      application.officeId,
      last.status,
      application.nextStep,
      submitted.at,
      last.at,
      seedKey(application.serial),
      dueOnFor(submitted.at, procedureEntry(application.procedureSlug).processingDays),
    ];
  });
  return APPLICATION_NAMES.map((_, column) => rows.map((row) => row[column] ?? null));
}

/** The events' parameters, one array each for application key (`dni/seed key`), at, status and note. */
function eventParameters(applications: readonly SeedApplication[]): unknown[][] {
  const events = applications.flatMap((application) =>
    application.events.map((event) => [`${application.dni}/${seedKey(application.serial)}`, event.at, event.status, event.note]),
  );
  return [0, 1, 2, 3].map((column) => events.map((event) => event[column]));
}

/**
 * Generated citizens' applications, written only if missing, each with its timeline: one statement for
 * both tables, whatever their number. An application already there (same citizen, same seed key) is
 * kept as it is, timeline included: generated data only has to be consistent, not current. So is one
 * whose case number is taken by another application: it is skipped, never merged into that one.
 */
async function insertApplications(db: Queryable, applications: readonly SeedApplication[]): Promise<void> {
  if (applications.length === 0) return;
  await db.query(
    `WITH written AS (
       INSERT INTO applications (${APPLICATION_NAMES.join(', ')}, seeded)
       SELECT *, true FROM unnest(${APPLICATION_UNNEST})
       ON CONFLICT DO NOTHING
       RETURNING id, dni || '/' || idempotency_key AS key)
     INSERT INTO application_events (application_id, at, status, note)
     SELECT written.id, e.at, e.status, e.note
       FROM unnest(${EVENT_UNNEST}) AS e(key, at, status, note) JOIN written USING (key)`,
    [...applicationParameters(applications), ...eventParameters(applications)],
  );
}

/**
 * The personas' applications, restated so that their dates and statuses are relative to this seed's
 * `today`: a new one is inserted, one already there (same citizen, same seed key) keeps its case number
 * and gets every other column anew, and its timeline is replaced, all in one transaction. Only rows the
 * seed wrote are restated (`seeded`): an application a citizen started is never touched.
 */
async function restateApplications(db: Database, applications: readonly SeedApplication[]): Promise<void> {
  const columns = APPLICATION_NAMES.filter((name) => name !== 'id');
  const restate = columns.filter((name) => name !== 'dni' && name !== 'idempotency_key').map((name) => `${name} = EXCLUDED.${name}`);
  await db.transaction(async (tx) => {
    // A new application whose case number another one already holds (one started before this database
    // was first seeded) draws a number from the sequence instead; an existing one never draws.
    const written = await tx.query<{ id: string; key: string }>(
      `WITH given AS (SELECT * FROM unnest(${APPLICATION_UNNEST}) AS s(${APPLICATION_NAMES.join(', ')}))
       INSERT INTO applications (${APPLICATION_NAMES.join(', ')}, seeded)
       SELECT CASE
                WHEN EXISTS (SELECT 1 FROM applications a WHERE a.dni = given.dni AND a.idempotency_key = given.idempotency_key)
                  OR NOT EXISTS (SELECT 1 FROM applications a WHERE a.id = given.id)
                THEN given.id
                ELSE (SELECT 'CUT-' || split_part(given.id, '-', 2) || '-' || lpad(n, greatest(6, length(n)), '0')
                        FROM (SELECT nextval('application_number')::text AS n) AS drawn)
              END,
              ${columns.map((name) => `given.${name}`).join(', ')}, true
         FROM given
       ON CONFLICT (dni, idempotency_key) DO UPDATE SET ${restate.join(', ')} WHERE applications.seeded
       RETURNING id, dni || '/' || idempotency_key AS key`,
      applicationParameters(applications),
    );
    const ids = new Map(written.rows.map((row) => [row.key, row.id]));
    const events = applications.flatMap((application) => {
      const applicationId = ids.get(`${application.dni}/${seedKey(application.serial)}`);
      return applicationId ? application.events.map((event) => [applicationId, event.at, event.status, event.note]) : [];
    });
    // An event kept as it was keeps its place in the events' sequence (the live stream names events by it).
    await tx.query(
      `DELETE FROM application_events e WHERE e.application_id = ANY($1::text[])
          AND NOT EXISTS (SELECT 1 FROM unnest($2::text[], $3::timestamptz[]) AS kept(application_id, at)
                           WHERE kept.application_id = e.application_id AND kept.at = e.at)`,
      [[...ids.values()], events.map((event) => event[0]), events.map((event) => event[1])],
    );
    await insertRows(tx, 'application_events', { application_id: 'text', at: 'timestamptz', status: 'text', note: 'text' }, events, ['application_id', 'at']);
  });
}

const PROCEDURE_NAMES = [
  'slug',
  'agency_code',
  'title',
  'summary',
  'description',
  'search_text',
  'fee_amount',
  'fee_uit_percent',
  'fee_as_of',
  'payment_code',
  'processing_days',
  'approval',
  'legal_basis',
  'information_only',
];

/**
 * The catalogue as `catalogue.ts` has it, and the officials of `officials.ts`, restated on every seed in one transaction, so that an edited
 * fee, title (and its search_text) or requirement reaches a database seeded before the edit. A
 * procedure's requirements and channel offices are replaced outright: nothing references them, so one
 * the catalogue dropped goes too. Agencies, offices, procedures and channels the catalogue dropped are
 * kept: applications may name them. Exported for tests.
 */
export async function seedCatalogue(db: Database): Promise<void> {
  const slugs = PROCEDURES.map((p) => p.slug);
  await db.transaction(async (tx) => {
    await insertRows(
      tx,
      'agencies',
      { code: 'text', name: 'text', ruc: 'text', website: 'text' },
      AGENCIES.map((agency) => [agency.code, agency.name, agency.ruc, agency.website]),
      ['code'],
    );
    await insertRows(
      tx,
      'offices',
      {
        id: 'text',
        agency_code: 'text',
        name: 'text',
        address: 'text',
        district: 'text',
        hours: 'text',
        latitude: 'float8',
        longitude: 'float8',
      },
      OFFICES.map((o) => [o.id, o.agencyCode, o.name, o.address, o.district, o.hours, o.latitude, o.longitude]),
      ['id'],
    );
    // One statement per procedure: insertRows unnests arrays, which would flatten legal_basis (text[]).
    for (const p of PROCEDURES) {
      await tx.query(
        `INSERT INTO procedures (${PROCEDURE_NAMES.join(', ')})
         VALUES (${PROCEDURE_NAMES.map((_, i) => `$${i + 1}`).join(', ')})
         ON CONFLICT (slug) DO UPDATE SET ${PROCEDURE_NAMES.slice(1).map((name) => `${name} = EXCLUDED.${name}`).join(', ')}`,
        [
          p.slug,
          p.agencyCode,
          p.title,
          p.summary,
          p.description,
          searchKey(`${p.title} ${p.summary}`),
          p.fee.amount,
          p.fee.uitPercent,
          p.fee.asOf,
          p.fee.paymentCode,
          p.processingDays,
          p.approval,
          p.legalBasis,
          p.informationOnly ?? false,
        ],
      );
    }
    await tx.query('DELETE FROM procedure_requirements WHERE slug = ANY($1)', [slugs]);
    await insertRows(
      tx,
      'procedure_requirements',
      { slug: 'text', position: 'int4', code: 'text', kind: 'text', description: 'text', agency_code: 'text' },
      PROCEDURES.flatMap((p) =>
        p.requirements.map((requirement, position) => {
          // A document is received by the procedure's agency; a status check belongs to the fact's owner.
          const { description, agencyCode } =
            requirement.kind === 'DOCUMENT' ? { ...requirement, agencyCode: p.agencyCode } : STATUS_CHECKS[requirement.code];
          return [p.slug, position + 1, requirement.code, requirement.kind, description, agencyCode];
        }),
      ),
    );
    await insertRows(
      tx,
      'procedure_channels',
      { slug: 'text', kind: 'text', url: 'text', appointment_required: 'bool' },
      PROCEDURES.flatMap((p) => p.channels.map((channel) => [p.slug, channel.kind, channel.url, channel.appointmentRequired])),
      ['slug', 'kind'],
    );
    await insertRows(
      tx,
      'officials',
      { id: 'text', name: 'text', agency_code: 'text', office_id: 'text', scope: 'text' },
      OFFICIALS.map((official) => [official.id, official.name, official.agencyCode, official.officeId, official.scopes.join(' ')]),
      ['id'],
    );
    await tx.query('DELETE FROM channel_offices WHERE slug = ANY($1)', [slugs]);
    await insertRows(
      tx,
      'channel_offices',
      { slug: 'text', kind: 'text', office_id: 'text' },
      PROCEDURES.flatMap((p) => p.channels.flatMap((channel) => channel.officeIds.map((officeId) => [p.slug, channel.kind, officeId]))),
    );
  });
}

/**
 * The catalogue, Carmen's applications and those of the generated citizens. Deterministic and safe to
 * run again, on any day: Carmen's three applications are restated relative to `options.today` (same
 * case numbers, timelines rewritten), the generated citizens' are written only if missing, and
 * applications citizens started are never touched. First moves the case-number sequence past every
 * serial the seed may write and every case number already taken, so that a number drawn later never
 * collides with a seeded one.
 */
export async function seedPortal(db: Database, options: SeedOptions): Promise<void> {
  await seedCatalogue(db);
  // Past every serial this seed may write first, so that a number drawn for an application (a
  // citizen's, or a persona's whose case number a citizen's already holds) never meets one of them.
  await db.query(
    `SELECT setval('application_number', greatest(last_value, $1::bigint,
       (SELECT coalesce(max(split_part(id, '-', 3)::bigint), 1) FROM applications))) FROM application_number`,
    [GENERATED_SERIAL_BASE - 1 + options.citizens],
  );
  await restateApplications(db, personaApplications(options.today));
  await forEachBatch(
    options.citizens,
    (indexes) =>
      insertApplications(
        db,
        indexes.flatMap((index) => generatedApplication(index, options.today) ?? []),
      ),
    options.onProgress,
  );
}
