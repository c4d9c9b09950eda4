/**
 * The lifecycle (domain.md §7) at the portal: officials move their agency's applications, the
 * citizen cancels theirs, every change an event with who, from which status, where and why, and two
 * moves on the same version never both win.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../lib/caller.js';
import { portalService } from '../../subgraphs/portal/createSubgraph.js';
import { graphql } from '../helpers/graphql.js';
import { ANA, CARMEN } from '../helpers/personas.js';
import { makeRoom, startSubgraph, type RunningSubgraph } from '../helpers/subgraph.js';
import { asCitizen, asOfficial } from '../helpers/trust.js';

const PEDRO = asOfficial('MTC-0001');
const OSCAR = asOfficial('RENIEC-0001');
const PURPOSE = 'revisión del expediente';
const REVALIDATION = 'revalidar-licencia-de-conducir';

let portal: RunningSubgraph;

beforeAll(async () => {
  portal = await startSubgraph(portalService, { citizens: 5 });
});
afterAll(async () => {
  await portal?.close();
});

const ask = async (query: string, variables: Record<string, unknown>, caller: Caller | null, purpose?: string) =>
  graphql(portal.url, query, variables, await portal.as(caller, purpose));
const codes = (response: { errors?: { extensions?: Record<string, unknown> }[] }) => (response.errors ?? []).map((error) => error.extensions?.code);

const EVENT = 'at from status note actor { kind id name agency { code } } office { id name }';
const MOVE = `mutation($input: MoveApplicationInput!) { moveApplication(input: $input) { application { id version status nextStep timeline { ${EVENT} } } } }`;
const CANCEL = `mutation($id: ID!, $reason: String!) { cancelApplication(id: $id, reason: $reason) { application { id status version timeline { ${EVENT} } } } }`;

/**
 * Ana starts a licence revalidation in person at MAC Lima Norte: a new SUBMITTED application of MTC's.
 * Her earlier one is closed first (as if cancelled): she may hold one open at a time.
 */
async function anaApplies(): Promise<string> {
  await makeRoom(portal.db, ANA, REVALIDATION);
  const start = await ask(
    'mutation($input: StartApplicationInput!) { startApplication(input: $input) { application { id } } }',
    { input: { procedureSlug: REVALIDATION, channel: 'IN_PERSON', officeId: 'mac-lima-norte', idempotencyKey: randomUUID() } },
    asCitizen(ANA),
  );
  expect(start.errors).toBeUndefined();
  return start.data.startApplication.application.id;
}

const move = (applicationId: string, to: string, expectedVersion: number, note = '', caller: Caller = PEDRO) =>
  ask(MOVE, { input: { applicationId, to, note, expectedVersion } }, caller, PURPOSE);

describe('an official moving an application', () => {
  it('moves it along the lifecycle, each move an event with who, from which status, where and the note', async () => {
    const id = await anaApplies();
    const reviewing = await move(id, 'IN_REVIEW', 1, 'Documentos recibidos.');
    expect(reviewing.errors).toBeUndefined();
    expect(reviewing.data.moveApplication.application).toMatchObject({ id, version: 2, status: 'IN_REVIEW', nextStep: expect.stringContaining('evaluando') });
    const approved = await move(id, 'APPROVED', 2, 'Examen médico conforme.');
    const { timeline } = approved.data.moveApplication.application;
    expect(timeline.map((event: { from: string | null; status: string }) => [event.from, event.status])).toEqual([
      [null, 'SUBMITTED'],
      ['SUBMITTED', 'IN_REVIEW'],
      ['IN_REVIEW', 'APPROVED'],
    ]);
    expect(timeline[0].actor).toMatchObject({ kind: 'CITIZEN', id: ANA, name: null, agency: null });
    expect(timeline[2]).toMatchObject({
      note: 'Examen médico conforme.',
      actor: { kind: 'OFFICIAL', id: 'MTC-0001', name: 'Pedro Salas Rojas', agency: { code: 'MTC' } },
      office: { id: 'mtc-lima-centro' },
    });
    // Ana sees all of it.
    const hers = await ask(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Application { status version timeline { ${EVENT} } } } }`, { r: [{ __typename: 'Application', id }] }, asCitizen(ANA));
    expect(hers.data._entities[0]).toMatchObject({ status: 'APPROVED', version: 3, timeline: timeline });
  });

  it('refuses what the lifecycle does not allow (BAD_USER_INPUT), a rejection without a reason, and a stale version (CONFLICT)', async () => {
    const id = await anaApplies();
    const skip = await move(id, 'APPROVED', 1);
    expect([codes(skip), skip.errors?.[0]?.message]).toEqual([['BAD_USER_INPUT'], 'Una solicitud presentada no puede pasar a APPROVED: solo a IN_REVIEW.']);
    await move(id, 'IN_REVIEW', 1);
    expect(codes(await move(id, 'REJECTED', 2, '  '))).toEqual(['BAD_USER_INPUT']);
    const stale = await move(id, 'ACTION_REQUIRED', 1, 'Falta el examen médico.');
    expect(codes(stale)).toEqual(['CONFLICT']);
    expect(stale.errors?.[0]?.message).toContain('Otro funcionario movió la solicitud');
  });

  it('is FORBIDDEN for another agency’s official, for a citizen, and for a case number that does not exist, alike', async () => {
    const id = await anaApplies();
    const oscar = await move(id, 'IN_REVIEW', 1, '', OSCAR);
    const nowhere = await move('CUT-2026-999999', 'IN_REVIEW', 1);
    expect([codes(oscar), codes(nowhere)]).toEqual([['FORBIDDEN'], ['FORBIDDEN']]);
    expect(oscar.errors?.[0]?.message).toBe(nowhere.errors?.[0]?.message);
    expect(codes(await move(id, 'IN_REVIEW', 1, '', asCitizen(ANA)))).toEqual(['FORBIDDEN']);
  });

  it('lets exactly one of 20 moves made at once on the same version win, with exactly one new event', async () => {
    const id = await anaApplies();
    const moves = await Promise.all(Array.from({ length: 20 }, () => move(id, 'IN_REVIEW', 1, 'En evaluación.')));
    expect(moves.filter((answer) => !answer.errors).length).toBe(1);
    expect(moves.filter((answer) => codes(answer)[0] === 'CONFLICT').length).toBe(19);
    const events = await portal.db.query<{ n: number }>('SELECT count(*)::int AS n FROM application_events WHERE application_id = $1', [id]);
    expect(events.rows[0]!.n).toBe(2);
  });
});

describe('a citizen starting a second one', () => {
  it('is refused while the first is open, naming its case number; the first one’s key still finds the first', async () => {
    const first = await anaApplies();
    const key = randomUUID();
    const START = 'mutation($input: StartApplicationInput!) { startApplication(input: $input) { application { id } } }';
    const input = { procedureSlug: REVALIDATION, channel: 'ONLINE', idempotencyKey: key };
    const second = await ask(START, { input }, asCitizen(ANA));
    expect([codes(second), second.errors?.[0]?.message]).toEqual([['BAD_USER_INPUT'], `Ya tienes una solicitud abierta de "Revalidar licencia de conducir": el expediente ${first}. Sigue esa, o cancélala antes de empezar otra.`]);
    const rows = await portal.db.query('SELECT 1 FROM applications WHERE dni = $1 AND idempotency_key = $2', [ANA, key]);
    expect(rows.rows).toHaveLength(0);
    // Once the first is cancelled, the same request starts the second.
    await ask(CANCEL, { id: first, reason: 'Me equivoqué de canal.' }, asCitizen(ANA));
    const again = await ask(START, { input }, asCitizen(ANA));
    expect(again.errors).toBeUndefined();
    expect(again.data.startApplication.application.id).not.toBe(first);
  });

  it('is refused for a lookup, which has nothing to apply for', async () => {
    const START = 'mutation($input: StartApplicationInput!) { startApplication(input: $input) { application { id } } }';
    const lookup = await ask(START, { input: { procedureSlug: 'consulta-vehicular', channel: 'ONLINE', idempotencyKey: randomUUID() } }, asCitizen(ANA));
    expect([codes(lookup), lookup.errors?.[0]?.message]).toEqual([['BAD_USER_INPUT'], '"Consulta vehicular" es una consulta: se hace al instante en el canal de la entidad, sin solicitud.']);
    const catalogue = await ask('{ procedure(slug: "consulta-vehicular") { informationOnly } renewal: procedure(slug: "renovar-dni") { informationOnly } }', {}, null);
    expect(catalogue.data).toEqual({ procedure: { informationOnly: true }, renewal: { informationOnly: false } });
  });

  it('lets only one of 10 starts made at once with different keys through', async () => {
    await makeRoom(portal.db, ANA, REVALIDATION);
    const START = 'mutation($input: StartApplicationInput!) { startApplication(input: $input) { application { id } } }';
    const starts = await Promise.all(
      Array.from({ length: 10 }, async () => ask(START, { input: { procedureSlug: REVALIDATION, channel: 'ONLINE', idempotencyKey: randomUUID() } }, asCitizen(ANA))),
    );
    expect(starts.filter((answer) => !answer.errors).length).toBe(1);
    expect(starts.filter((answer) => codes(answer)[0] === 'BAD_USER_INPUT').length).toBe(9);
  });
});

describe('a citizen cancelling', () => {
  it('cancels an undecided application of theirs, with the reason on its record', async () => {
    const id = await anaApplies();
    const cancelled = await ask(CANCEL, { id, reason: 'Ya no viajo.' }, asCitizen(ANA));
    expect(cancelled.errors).toBeUndefined();
    expect(cancelled.data.cancelApplication.application).toMatchObject({ status: 'CANCELLED', version: 2 });
    expect(cancelled.data.cancelApplication.application.timeline.at(-1)).toMatchObject({ from: 'SUBMITTED', status: 'CANCELLED', note: 'Cancelada por el ciudadano: Ya no viajo.', actor: { kind: 'CITIZEN', id: ANA } });
    const again = await ask(CANCEL, { id, reason: 'otra vez' }, asCitizen(ANA));
    expect([codes(again), again.errors?.[0]?.message]).toEqual([['BAD_USER_INPUT'], 'La solicitud ya está cancelada: solo se cancela antes de una decisión.']);
  });

  it('is FORBIDDEN for another citizen’s application as for one that does not exist, and needs a reason', async () => {
    const id = await anaApplies();
    const carmen = await ask(CANCEL, { id, reason: 'x' }, asCitizen(CARMEN));
    const nowhere = await ask(CANCEL, { id: 'CUT-2026-999999', reason: 'x' }, asCitizen(CARMEN));
    expect([codes(carmen), codes(nowhere)]).toEqual([['FORBIDDEN'], ['FORBIDDEN']]);
    expect(carmen.errors?.[0]?.message).toBe(nowhere.errors?.[0]?.message);
    expect(codes(await ask(CANCEL, { id, reason: ' ' }, asCitizen(ANA)))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await ask(CANCEL, { id, reason: 'x' }, PEDRO, PURPOSE))).toEqual(['FORBIDDEN']);
  });
});

describe.each(['postgres', 'pglite'] as const)('the record itself, on %s', (engine) => {
  let own: RunningSubgraph;
  let id: string;
  let seededId: string;

  beforeAll(async () => {
    own = await startSubgraph(portalService, { engine, citizens: 0 });
    const started = await graphql(
      own.url,
      'mutation($input: StartApplicationInput!) { startApplication(input: $input) { application { id } } }',
      { input: { procedureSlug: 'duplicado-de-dni', channel: 'ONLINE', idempotencyKey: randomUUID() } },
      await own.as(asCitizen(ANA)),
    );
    expect(started.errors).toBeUndefined();
    id = started.data.startApplication.application.id;
    seededId = (await own.db.query<{ id: string }>('SELECT id FROM applications WHERE seeded LIMIT 1')).rows[0]!.id;
  });
  afterAll(async () => {
    await own?.close();
  });

  const refused = (sql: string, parameters: unknown[]) => expect(own.db.query(sql, parameters)).rejects.toThrow(/append-only|no event|cannot be deleted|keeps whose/);

  it("refuses to rewrite or delete a citizen's events, or to delete the application", async () => {
    await refused(`UPDATE application_events SET note = 'otra cosa' WHERE application_id = $1`, [id]);
    await refused('DELETE FROM application_events WHERE application_id = $1', [id]);
    await refused('DELETE FROM applications WHERE id = $1', [id]);
    // Nor can it be passed off as the seed's, or as someone else's, to get round that.
    await refused('UPDATE applications SET seeded = true WHERE id = $1', [id]);
    await refused(`UPDATE applications SET dni = '45678912' WHERE id = $1`, [id]);
    await refused('UPDATE applications SET updated_at = updated_at - interval \'1 day\' WHERE id = $1', [id]);
    const events = await own.db.query('SELECT note FROM application_events WHERE application_id = $1', [id]);
    expect(events.rows).toHaveLength(1);
  });

  it('refuses a change of status with no event, and takes one with its event in the same transaction', async () => {
    await refused(`UPDATE applications SET status = 'IN_REVIEW', updated_at = clock_timestamp() WHERE id = $1`, [id]);
    expect((await own.db.query<{ status: string }>('SELECT status FROM applications WHERE id = $1', [id])).rows[0]!.status).toBe('SUBMITTED');
    await makeRoom(own.db, ANA, 'duplicado-de-dni');
    expect((await own.db.query<{ status: string }>('SELECT status FROM applications WHERE id = $1', [id])).rows[0]!.status).toBe('CANCELLED');
  });

  it('lets the sample-data seed restate what it wrote, and nothing else', async () => {
    await own.db.query(`UPDATE application_events SET note = note WHERE application_id = $1`, [seededId]);
    await portalService.seed(own.db, { citizens: 0, today: new Date() });
    expect((await own.db.query('SELECT 1 FROM applications WHERE id = $1', [id])).rows).toHaveLength(1);
  });
});
