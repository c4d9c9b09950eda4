/**
 * The contract's operations as trusted documents: registered at start in the shared Redis, known by
 * hash to every replica, and, with ANONYMOUS_OPERATIONS=trusted, all that an anonymous caller may send.
 */
import { fileURLToPath } from 'node:url';
import { Kind, parse, print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrustedDocuments, sha256Of } from '../../gateway/trustedDocuments.js';
import { citizenToken, errorCodes, postRaw } from '../helpers/graphql.js';
import { ANA } from '../helpers/personas.js';
import { startGateway, startPlatform, type Platform, type RunningGateway } from '../helpers/platform.js';
import { MACHINE_REDIS_URL, redisPrefix } from '../helpers/redis.js';
import { CONTRACT_SOURCE } from './support.js';

const CONTRACT_FOLDER = fileURLToPath(new URL('../../contract/', import.meta.url));
const SEARCH_ALONE = print({ kind: Kind.DOCUMENT, definitions: parse(CONTRACT_SOURCE).definitions.filter((node) => node.kind === Kind.OPERATION_DEFINITION && node.name?.value === 'SearchProcedures') });
const NOT_IN_THE_CONTRACT = '{ agencies { code name } }';

const { keyPrefix, cleanUp } = redisPrefix('trusted');
let platform: Platform;
/** A replica told of no trusted document: it knows them from Redis only. */
let bare: RunningGateway;

beforeAll(async () => {
  const redis = { url: MACHINE_REDIS_URL, keyPrefix };
  platform = await startPlatform({ citizens: 5, gateway: { redis, trustedDocuments: [CONTRACT_FOLDER], anonymousOperations: 'trusted' } });
  bare = await startGateway({ kind: 'sdl', sdl: platform.supergraphSdl }, { redis, anonymousOperations: 'trusted' });
});
afterAll(async () => {
  await bare?.close();
  await platform?.close();
  await cleanUp();
});

const byHash = (source: string, variables: Record<string, unknown> = {}) => JSON.stringify({ variables, extensions: { persistedQuery: { version: 1, sha256Hash: sha256Of(source) } } });

it('reads each contract file as it is and each of its operations alone', async () => {
  const documents = await loadTrustedDocuments([CONTRACT_FOLDER]);
  expect(documents.map(({ origin }) => origin.slice(CONTRACT_FOLDER.length)).sort()).toEqual([
    'accountability.graphql',
    'accountability.graphql#CancelApplication',
    'accountability.graphql#MyApplicationUpdates',
    'accountability.graphql#WhoSawMyData',
    'desk.graphql',
    'desk.graphql#MoveApplication',
    'desk.graphql#MyQueue',
    'desk.graphql#ReviewApplication',
    'portal.graphql',
    'portal.graphql#MyRecords',
    'portal.graphql#SearchProcedures',
    'portal.graphql#StartApplication',
    'portal.graphql#WhatDoINeed',
    'portal.graphql#WhereIsMyApplication',
  ]);
  expect(documents.find(({ origin }) => origin.endsWith('#SearchProcedures'))?.source).toBe(SEARCH_ALONE);
  // An operation alone keeps the fragments it spreads: the desk's share one.
  expect(documents.find(({ origin }) => origin.endsWith('#ReviewApplication'))?.source).toMatch(/fragment Event on ApplicationEvent/);
  expect(documents.find(({ origin }) => origin.endsWith('#MyQueue'))?.source).not.toMatch(/fragment/);
  await expect(loadTrustedDocuments(['/nonexistent/contract'])).rejects.toThrow('TRUSTED_DOCUMENTS names /nonexistent/contract, which does not exist.');
});

describe('with ANONYMOUS_OPERATIONS=trusted', () => {
  it('serves an anonymous caller the contract, sent whole with its operation name', async () => {
    const answer = await postRaw(platform.url, JSON.stringify({ query: CONTRACT_SOURCE, operationName: 'SearchProcedures', variables: { text: 'licencia' } }));
    expect([answer.status, answer.errors]).toEqual([200, undefined]);
    expect(answer.data.procedures.totalCount).toBeGreaterThan(0);
  });

  it('serves a contract operation by its hash alone, on a replica that was told of none', async () => {
    for (const gateway of [platform, bare]) {
      const answer = await postRaw(gateway.url, byHash(SEARCH_ALONE, { text: 'dni' }));
      expect([answer.status, answer.errors]).toEqual([200, undefined]);
      expect(answer.data.procedures.totalCount).toBeGreaterThan(0);
    }
  });

  it('refuses an anonymous caller any other operation, by text or by hash, on every replica', async () => {
    for (const gateway of [platform, bare]) {
      const refused = await postRaw(gateway.url, JSON.stringify({ query: NOT_IN_THE_CONTRACT }));
      expect([refused.status, errorCodes(refused), refused.data]).toEqual([403, ['OPERATION_NOT_TRUSTED'], undefined]);
      expect(refused.errors?.[0]?.message).toContain('sign in');
      // Registering it by APQ does not make it trusted.
      const registered = await postRaw(gateway.url, JSON.stringify({ query: NOT_IN_THE_CONTRACT, extensions: { persistedQuery: { version: 1, sha256Hash: sha256Of(NOT_IN_THE_CONTRACT) } } }));
      expect([registered.status, errorCodes(registered)]).toEqual([403, ['OPERATION_NOT_TRUSTED']]);
    }
  });

  it('serves a signed-in caller any operation', async () => {
    const answer = await postRaw(bare.url, JSON.stringify({ query: NOT_IN_THE_CONTRACT }), { authorization: `Bearer ${await citizenToken(ANA)}` });
    expect([answer.status, answer.errors]).toEqual([200, undefined]);
    expect(answer.data.agencies.length).toBeGreaterThan(0);
  });
});

it('serves anonymous callers any operation by default', async () => {
  const open = await startGateway({ kind: 'sdl', sdl: platform.supergraphSdl });
  try {
    const answer = await postRaw(open.url, JSON.stringify({ query: NOT_IN_THE_CONTRACT }));
    expect([answer.status, answer.errors]).toEqual([200, undefined]);
  } finally {
    await open.close();
  }
});
