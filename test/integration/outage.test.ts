import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citizenToken, type GraphQLResponse } from '../helpers/graphql.js';
import { startPlatform, type Platform } from '../helpers/platform.js';
import { ANA, JORGE, LUIS } from '../helpers/personas.js';
import { sendContractOperation } from './support.js';

/**
 * SUNAT's subgraph (taxes) is down for this whole suite. The contract's operations keep every other
 * agency's answer, say which agency is missing, and never invent a verdict for it.
 * (test/gateway/platform.test.ts covers WhatDoINeed with transport down.)
 */
let platform: Platform;

beforeAll(async () => {
  platform = await startPlatform({ citizens: 10 });
  await platform.subgraphs.taxes.close();
});
afterAll(async () => {
  await platform?.close();
});

const send = async (operationName: string, variables: Record<string, unknown>, dni: string) =>
  sendContractOperation(platform.url, operationName, variables, await citizenToken(dni));

/** The errors are exactly one SUBGRAPH_UNAVAILABLE naming taxes, with no address or stack in it. */
function expectOnlyTaxesMissing(response: GraphQLResponse): void {
  expect(response.status).toBe(200);
  expect(response.errors?.map((error) => [error.extensions?.code, error.extensions?.serviceName])).toEqual([['SUBGRAPH_UNAVAILABLE', 'taxes']]);
  const message = response.errors![0]!.message;
  expect(message).toContain('taxes');
  expect(message).not.toMatch(/127\.0\.0\.1|localhost|ECONNREFUSED|at .*\.js/);
}

describe('taxes down', () => {
  it("MyRecords keeps RENIEC's and MTC's records; taxpayer is null and the error names taxes", async () => {
    const response = await send('MyRecords', {}, JORGE);
    expectOnlyTaxesMissing(response);
    const me = response.data.me;
    expect(me).toMatchObject({
      dni: JORGE,
      fullName: 'Jorge Luis Ramírez Salazar',
      birthDate: '1975-11-30',
      identityDocument: { number: JORGE, status: 'VALID' },
      drivingLicence: { class: 'A_IIA', status: 'VALID', points: 20 },
      vehicles: [{ plate: 'ARX-731', make: 'Toyota', model: 'Corolla', year: 2020 }],
      taxpayer: null,
    });
    expect(me.trafficFines).toEqual([expect.objectContaining({ number: 'SAT-2024-0000318', status: 'PAID' })]);
  });

  it("WhatDoINeed: SUNAT's requirements are UNKNOWN, saying SUNAT cannot answer; the procedure itself is intact", async () => {
    const response = await send('WhatDoINeed', { slug: 'solicitar-devolucion-de-renta' }, JORGE);
    expectOnlyTaxesMissing(response);
    expect(response.data.procedure).toMatchObject({ slug: 'solicitar-devolucion-de-renta', agency: { code: 'SUNAT' }, fee: { amount: '0.00' } });
    expect(response.data.procedure.requirements.map(({ code, status, detail }: { code: string; status: string; detail: string }) => ({ code, status, detail }))).toEqual([
      { code: 'ruc-active', status: 'UNKNOWN', detail: expect.stringContaining('SUNAT no puede responder en este momento') },
      // Jorge's debt is not forgotten as MET: nobody can tell.
      { code: 'no-tax-debt', status: 'UNKNOWN', detail: expect.stringContaining('SUNAT no puede responder en este momento') },
    ]);
  });

  it("WhatDoINeed of a procedure that needs nothing from SUNAT is answered in full: Luis's fines are still NOT_MET", async () => {
    const response = await send('WhatDoINeed', { slug: 'revalidar-licencia-de-conducir' }, LUIS);
    // The plan asks taxes about every procedure, so its absence is still reported.
    expectOnlyTaxesMissing(response);
    const statuses = Object.fromEntries(response.data.procedure.requirements.map((requirement: { code: string; status: string }) => [requirement.code, requirement.status]));
    expect(statuses).toEqual({ 'dni-valid': 'MET', 'licence-revalidable': 'MET', 'medical-exam-approved': 'MET', 'no-unpaid-fines': 'NOT_MET' });
  });

  it("StartApplication still submits; SUNAT's requirements are listed as unmet because nobody can vouch for them", async () => {
    const input = { procedureSlug: 'solicitar-devolucion-de-renta', channel: 'ONLINE', idempotencyKey: `outage-${process.pid}-refund` };
    const response = await send('StartApplication', { input }, ANA);
    expectOnlyTaxesMissing(response);
    const { application, unmetRequirements } = response.data.startApplication;
    expect(application).toMatchObject({ status: 'SUBMITTED', procedure: { slug: 'solicitar-devolucion-de-renta' } });
    expect(unmetRequirements.map((requirement: { code: string; detail: string }) => [requirement.code, requirement.detail])).toEqual([
      ['ruc-active', expect.stringContaining('SUNAT no puede responder en este momento')],
      ['no-tax-debt', expect.stringContaining('SUNAT no puede responder en este momento')],
    ]);
    const { rows } = await platform.subgraphs.portal.db.query('SELECT id FROM applications WHERE dni = $1 AND idempotency_key = $2', [ANA, input.idempotencyKey]);
    expect(rows).toEqual([{ id: application.id }]);
  });
});
