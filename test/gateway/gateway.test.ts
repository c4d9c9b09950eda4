import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAssertion } from '../../lib/assertions.js';
import { citizenToken, errorCodes, graphql, postRaw, type GraphQLResponse } from '../helpers/graphql.js';
import { startGateway, type RunningGateway } from '../helpers/platform.js';
import { testGatewayKeys } from '../helpers/trust.js';
import { capturingLogger, startToySubgraph, toySupergraph, type ToySubgraph } from './toys.js';

let people: ToySubgraph;
let pets: ToySubgraph;
let gateway: RunningGateway;
const log = capturingLogger();

beforeAll(async () => {
  people = await startToySubgraph('people');
  pets = await startToySubgraph('pets');
  gateway = await startGateway({ kind: 'sdl', sdl: toySupergraph([people, pets]) }, { logger: log.logger });
});

afterAll(async () => {
  await gateway?.close();
  await people?.close();
  await pets?.close();
});

/** POSTs a raw body to the gateway, for requests `graphql()` cannot make (bad JSON, odd headers). */
const post = (body: string, headers: Record<string, string> = {}) => postRaw(gateway.url, body, headers);

describe('the gateway over two toy subgraphs', () => {
  it('joins an entity across subgraphs in one response', async () => {
    const response = await graphql(gateway.url, '{ people { id name pets } petCount }');
    expect(response).toEqual({
      status: 200,
      data: {
        people: [
          { id: '1', name: 'Ana', pets: ['Michi', 'Firulais'] },
          { id: '2', name: 'Luis', pets: ['Boby'] },
        ],
        petCount: 3,
      },
    });
  });

  it("sends subgraphs an assertion of the verified caller and the request id, never the caller's token nor any other header", async () => {
    const token = await citizenToken('41234567');
    const response = await post(JSON.stringify({ query: '{ echo { authorization requestId cookie custom } }' }), {
      authorization: `Bearer ${token}`,
      'x-request-id': 'req-forwarding-1',
      cookie: 'session=secret',
      'x-custom': 'should-stay-at-the-gateway',
    });
    expect(response.status).toBe(200);
    const { authorization, ...rest } = response.data.echo;
    expect(rest).toEqual({ requestId: 'req-forwarding-1', cookie: null, custom: null });
    expect(authorization).not.toContain(token);
    // Made for that subgraph alone, signed with the gateway's key.
    expect(await verifyAssertion(authorization, await testGatewayKeys(), 'people')).toEqual({
      caller: { kind: 'citizen', id: '41234567', scopes: [] },
      purpose: null,
      requestId: 'req-forwarding-1',
    });
    await expect(verifyAssertion(authorization, await testGatewayKeys(), 'pets')).rejects.toThrow('not valid for the pets subgraph');
    expect(response.headers.get('x-request-id')).toBe('req-forwarding-1');
  });

  it('gives a request without a usable id a new one, sent to subgraphs and back to the caller', async () => {
    const response = await post(JSON.stringify({ query: '{ echo { requestId } }' }), { 'x-request-id': 'no spaces or <tags> allowed' });
    const echoed = response.data.echo.requestId;
    expect(echoed).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('x-request-id')).toBe(echoed);
  });

  it('serves an anonymous request with an assertion that names no caller', async () => {
    const response = await graphql(gateway.url, '{ echo { authorization } }');
    expect(response.status).toBe(200);
    expect(await verifyAssertion(response.data.echo.authorization, await testGatewayKeys(), 'people')).toMatchObject({ caller: null, purpose: null });
  });

  describe('answers bad requests with 400 and the right code, and keeps serving', () => {
    const cases: [string, () => Promise<GraphQLResponse>, string][] = [
      ['malformed JSON', () => post('{"query": "{ people { name } }"'), 'BAD_REQUEST'],
      ['an unparsable query', () => post(JSON.stringify({ query: '{ people { name ' })), 'GRAPHQL_PARSE_FAILED'],
      ['an unknown field', () => post(JSON.stringify({ query: '{ people { salary } }' })), 'GRAPHQL_VALIDATION_FAILED'],
      [
        'an unknown enum value in variables',
        () => post(JSON.stringify({ query: 'query ($c: Colour!) { favourite(colour: $c) }', variables: { c: 'PURPLE' } })),
        'BAD_USER_INPUT',
      ],
    ];
    it.each(cases)('%s', async (_name, send, code) => {
      const response = await send();
      expect(response.status).toBe(400);
      expect(errorCodes(response)).toEqual([code]);
      const good = await graphql(gateway.url, 'query ($c: Colour!) { favourite(colour: $c) }', { c: 'GREEN' });
      expect(good).toEqual({ status: 200, data: { favourite: 'GREEN' } });
    });
  });

  it("masks a subgraph's error without a deliberate code as SUBGRAPH_ERROR naming it, leaks none of it, and logs it in full with the request id", async () => {
    const response = await post(JSON.stringify({ query: '{ boom people { name } }' }), { 'x-request-id': 'req-boom-1' });
    const { headers: _headers, ...answer } = response;
    expect(answer).toEqual({
      status: 200,
      data: { boom: null, people: [{ name: 'Ana' }, { name: 'Luis' }] },
      errors: [{ message: 'The people subgraph could not answer this part.', path: ['boom'], extensions: { code: 'SUBGRAPH_ERROR', serviceName: 'people' } }],
    });
    expect(JSON.stringify(answer)).not.toMatch(/hunter2|postgres|ECONNREFUSED|10\.0\.0\.7|stacktrace/);

    const logged = log.lines.find((line) => line.msg === 'subgraph answered an error without a deliberate code' && line.requestId === 'req-boom-1');
    expect(JSON.stringify(logged)).toContain('hunter2');
    expect((await graphql(gateway.url, '{ petCount }')).data).toEqual({ petCount: 3 });
  });

  it('logs one line per operation: its name, duration, HTTP status and error codes, with the request id', async () => {
    await post(JSON.stringify({ query: 'query Boom { boom }' }), { 'x-request-id': 'req-log-1' });
    await post(JSON.stringify({ query: '{ people { salary } }' }), { 'x-request-id': 'req-log-2' });
    const operations = log.lines.filter((line) => line.msg === 'operation' && String(line.requestId).startsWith('req-log-'));
    expect(operations).toEqual([
      expect.objectContaining({ requestId: 'req-log-1', operationName: 'Boom', durationMs: expect.any(Number), httpStatus: 200, errorCodes: ['SUBGRAPH_ERROR'] }),
      expect.objectContaining({ requestId: 'req-log-2', operationName: null, durationMs: expect.any(Number), httpStatus: 400, errorCodes: ['GRAPHQL_VALIDATION_FAILED'] }),
    ]);
  });

  it('names a dead subgraph and keeps the data of the others', async () => {
    const { url } = pets;
    await pets.close();
    const response = await graphql(gateway.url, '{ people { name pets } }');
    expect(response.status).toBe(200);
    expect(response.data).toEqual({ people: [{ name: 'Ana', pets: null }, { name: 'Luis', pets: null }] });
    expect(response.errors).toEqual([
      {
        message: 'The pets subgraph could not be reached; its part of the answer is missing.',
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'pets' },
      },
    ]);
    expect(JSON.stringify(response)).not.toContain(url);
    expect(errorCodes(await graphql(gateway.url, '{ people { name } }'))).toEqual([]);
  });
});
