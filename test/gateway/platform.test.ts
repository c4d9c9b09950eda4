import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { citizenToken, errorCodes, graphql } from '../helpers/graphql.js';
import { LUIS } from '../helpers/personas.js';
import { startPlatform, type Platform } from '../helpers/platform.js';

/** The harness itself, end to end: the four real subgraphs, composed in-process, behind the gateway. */
let platform: Platform;

beforeAll(async () => {
  platform = await startPlatform({ citizens: 10 });
});
afterAll(async () => {
  await platform?.close();
});

const WHAT_DO_I_NEED = `query WhatDoINeed($slug: ID!) {
  procedure(slug: $slug) { slug requirements { code status detail agency { code } } }
}`;

async function requirements(token?: string) {
  const response = await graphql(platform.url, WHAT_DO_I_NEED, { slug: 'revalidar-licencia-de-conducir' }, token);
  const statuses = Object.fromEntries(
    (response.data?.procedure?.requirements ?? []).map((requirement: { code: string; status: string }) => [requirement.code, requirement.status]),
  );
  return { response, statuses };
}

async function health() {
  const response = await fetch(`${platform.baseUrl}/health`);
  return { status: response.status, body: await response.json() };
}

describe('startPlatform', () => {
  it('serves the four agencies, all healthy', async () => {
    expect(await health()).toEqual({
      status: 200,
      body: {
        status: 'ok',
        subgraphs: { identity: 'up', portal: 'up', taxes: 'up', transport: 'up' },
        circuits: { identity: 'closed', portal: 'closed', taxes: 'closed', transport: 'closed' },
        redis: 'memory',
        rateLimits: { state: 'off', failedOpen: 0 },
      },
    });
  });

  it("answers each requirement from the agency that owns the fact, for the signed-in citizen", async () => {
    const { response, statuses } = await requirements(await citizenToken(LUIS));
    expect(errorCodes(response)).toEqual([]);
    expect(statuses).toMatchObject({ 'dni-valid': 'MET', 'medical-exam-approved': 'MET', 'no-unpaid-fines': 'NOT_MET' });
    const fines = response.data.procedure.requirements.find((requirement: { code: string }) => requirement.code === 'no-unpaid-fines');
    expect(fines.detail).toContain('2 papeletas sin pagar');
  });

  it('answers UNKNOWN for everyone anonymous', async () => {
    const { response, statuses } = await requirements();
    expect(errorCodes(response)).toEqual([]);
    expect(Object.values(statuses).length).toBeGreaterThan(0);
    expect(new Set(Object.values(statuses))).toEqual(new Set(['UNKNOWN']));
  });

  it('keeps the other agencies\' answers when one is down, and names it', async () => {
    await platform.subgraphs.transport.close();
    const { response, statuses } = await requirements(await citizenToken(LUIS));
    expect(statuses).toMatchObject({ 'dni-valid': 'MET', 'medical-exam-approved': 'UNKNOWN', 'no-unpaid-fines': 'UNKNOWN' });
    expect(response.errors?.map((error) => [error.extensions?.code, error.extensions?.serviceName])).toContainEqual(['SUBGRAPH_UNAVAILABLE', 'transport']);
    await vi.waitFor(async () => expect((await health()).body).toMatchObject({ status: 'unavailable', down: ['transport'] }), {
      timeout: 5000,
      interval: 200,
    });
  });
});
