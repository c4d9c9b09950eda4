import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citizenToken, graphql } from '../helpers/graphql.js';
import { startPlatform, type Platform } from '../helpers/platform.js';
import { ANA, CARMEN, JORGE, LUIS, ROSA } from '../helpers/personas.js';
import { makeRoom } from '../helpers/subgraph.js';
import { expectNoErrors, expectOneError } from './support.js';

/**
 * The intake through the real gateway: the agencies' verdicts decide how an application opens. What
 * the citizen can settle (fines, a tax debt) opens it ACTION_REQUIRED with it listed; what no step of
 * theirs changes (a licence they do not hold) refuses it, making nothing; UNKNOWN (an agency down)
 * is not NOT_MET.
 */
let platform: Platform;

const REVALIDATION = 'revalidar-licencia-de-conducir';
const REFUND = 'solicitar-devolucion-de-renta';
const START = `mutation($input: StartApplicationInput!) {
  startApplication(input: $input) {
    application { id status nextStep procedure { slug } timeline { from status note actor { kind id } } }
    unmetRequirements { code status detail agency { code } }
  }
}`;
const MINE = '{ me { applications { id status } } }';

let keys = 0;
const newKey = (who: string) => `intake-${who}-${process.pid}-${++keys}`;

beforeAll(async () => {
  platform = await startPlatform({ citizens: 5 });
});
afterAll(async () => {
  await platform?.close();
});

async function start(dni: string, procedureSlug: string, idempotencyKey: string) {
  return graphql(platform.url, START, { input: { procedureSlug, channel: 'ONLINE', idempotencyKey } }, await citizenToken(dni));
}

async function rowsFor(dni: string, idempotencyKey: string) {
  const { rows } = await platform.subgraphs.portal.db.query<{ id: string; events: number }>(
    `SELECT a.id, (SELECT count(*)::int FROM application_events e WHERE e.application_id = a.id) AS events
       FROM applications a WHERE a.dni = $1 AND a.idempotency_key = $2`,
    [dni, idempotencyKey],
  );
  return rows;
}

describe('the intake decides from the verdicts', () => {
  let luisApplication: string;

  it('Luis, with two unpaid SAT fines, starts revalidation ACTION_REQUIRED, the fines listed in nextStep, the timeline and unmetRequirements', async () => {
    const response = await start(LUIS, REVALIDATION, newKey('luis'));
    expectNoErrors(response);
    const { application, unmetRequirements } = response.data.startApplication;
    luisApplication = application.id;
    expect(application).toMatchObject({ status: 'ACTION_REQUIRED', procedure: { slug: REVALIDATION } });
    expect(application.nextStep).toMatch(/^Resuelve lo que falta para que Ministerio de Transportes y Comunicaciones evalúe tu solicitud\. SAT: /);
    for (const fine of ['SAT-2025-0000123', 'SAT-2025-0000457']) expect(application.nextStep).toContain(fine);
    expect(application.timeline).toEqual([
      { from: null, status: 'ACTION_REQUIRED', note: expect.stringMatching(/^Recibida por la ventanilla única \(en línea\)\. Falta que el ciudadano resuelva: SAT: .*SAT-2025-0000123/), actor: { kind: 'CITIZEN', id: LUIS } },
    ]);
    expect(unmetRequirements).toEqual([{ code: 'no-unpaid-fines', status: 'NOT_MET', detail: expect.stringContaining('SAT-2025-0000457'), agency: { code: 'SAT' } }]);
  });

  it('Jorge, with a tax debt in coactive collection, starts his refund ACTION_REQUIRED, SUNAT saying what he owes', async () => {
    const response = await start(JORGE, REFUND, newKey('jorge'));
    expectNoErrors(response);
    const { application, unmetRequirements } = response.data.startApplication;
    expect(application.status).toBe('ACTION_REQUIRED');
    expect(application.nextStep).toContain('SUNAT: ');
    expect(unmetRequirements.map((requirement: { code: string; status: string }) => [requirement.code, requirement.status])).toEqual([['no-tax-debt', 'NOT_MET']]);
  });

  it('Rosa, who holds no driving licence, is refused revalidation in Spanish with MTC\'s reason, and nothing is made', async () => {
    const token = await citizenToken(ROSA);
    const before = await graphql(platform.url, MINE, {}, token);
    expectNoErrors(before);
    const idempotencyKey = newKey('rosa');
    const response = await start(ROSA, REVALIDATION, idempotencyKey);
    const error = expectOneError(response, 'BAD_USER_INPUT', { serviceName: 'portal' });
    expect(response.data ?? null).toBeNull();
    expect(error.message).toMatch(/^No puedes iniciar "Revalidar licencia de conducir"\. MTC: /);
    // Her expired DNI she could renew: only what makes it impossible is the reason.
    expect(error.extensions?.requirements).toEqual([{ code: 'licence-revalidable', detail: expect.any(String) }]);
    expect(error.message).toContain((error.extensions!.requirements as { detail: string }[])[0]!.detail);
    expect(await rowsFor(ROSA, idempotencyKey)).toEqual([]);
    expect(await graphql(platform.url, MINE, {}, token)).toMatchObject({ data: before.data });
  });

  it('Ana, with everything met, starts revalidation SUBMITTED with nothing unmet and no next step', async () => {
    await makeRoom(platform.subgraphs.portal.db, ANA, REVALIDATION);
    const response = await start(ANA, REVALIDATION, newKey('ana'));
    expectNoErrors(response);
    expect(response.data.startApplication).toMatchObject({
      application: { status: 'SUBMITTED', nextStep: null, timeline: [{ from: null, status: 'SUBMITTED', note: 'Recibida por la ventanilla única (en línea).' }] },
      unmetRequirements: [],
    });
  });

  it('a retry with the same key returns the same application as it is, and makes nothing', async () => {
    await makeRoom(platform.subgraphs.portal.db, LUIS, REFUND);
    const idempotencyKey = newKey('luis-retry');
    const first = await start(LUIS, REFUND, idempotencyKey);
    expectNoErrors(first);
    const again = await start(LUIS, REFUND, idempotencyKey);
    expectNoErrors(again);
    expect(again.data.startApplication.application).toEqual(first.data.startApplication.application);
    expect(await rowsFor(LUIS, idempotencyKey)).toEqual([{ id: first.data.startApplication.application.id, events: 1 }]);
  });

  it('Carmen, whose revalidation is still open (ready for pick-up), is told its case number, and nothing is made', async () => {
    const idempotencyKey = newKey('carmen');
    const response = await start(CARMEN, REVALIDATION, idempotencyKey);
    const error = expectOneError(response, 'BAD_USER_INPUT', { serviceName: 'portal' });
    expect(error.message).toMatch(/^Ya tienes una solicitud abierta de "Revalidar licencia de conducir": el expediente CUT-\d{4}-\d{6}\./);
    expect(await rowsFor(CARMEN, idempotencyKey)).toEqual([]);
  });

  it("another citizen cannot see the application made: FORBIDDEN, in Spanish", async () => {
    const response = await graphql(platform.url, 'query($id: ID!) { application(id: $id) { id status } }', { id: luisApplication }, await citizenToken(ANA));
    const error = expectOneError(response, 'FORBIDDEN', { path: ['application'] });
    expect(error.message).toBe('No tienes ninguna solicitud con este número de expediente.');
    const his = await graphql(platform.url, 'query($id: ID!) { application(id: $id) { id status } }', { id: luisApplication }, await citizenToken(LUIS));
    expectNoErrors(his);
    expect(his.data.application).toEqual({ id: luisApplication, status: 'ACTION_REQUIRED' });
  });
});

describe('with an agency down', () => {
  it("Luis's revalidation starts SUBMITTED while transport (SAT's fines) cannot answer: UNKNOWN is not NOT_MET", async () => {
    await platform.subgraphs.transport.close();
    await makeRoom(platform.subgraphs.portal.db, LUIS, REVALIDATION);
    const response = await start(LUIS, REVALIDATION, newKey('luis-down'));
    expect(response.errors?.map((error) => [error.extensions?.code, error.extensions?.serviceName])).toEqual([['SUBGRAPH_UNAVAILABLE', 'transport']]);
    const { application, unmetRequirements } = response.data.startApplication;
    expect(application).toMatchObject({ status: 'SUBMITTED', nextStep: null });
    expect(unmetRequirements.map((requirement: { code: string; status: string; detail: string }) => [requirement.code, requirement.status, requirement.detail])).toEqual([
      ['licence-revalidable', 'UNKNOWN', 'MTC no puede responder en este momento.'],
      ['medical-exam-approved', 'UNKNOWN', 'MTC no puede responder en este momento.'],
      ['no-unpaid-fines', 'UNKNOWN', 'SAT no puede responder en este momento.'],
    ]);
  });
});
