import { readFileSync } from 'node:fs';
import { printSchema, Supergraph } from '@apollo/federation-internals';
import {
  buildSchema,
  getIntrospectionQuery,
  Kind,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  costRefusal,
  DEFAULT_QUERY_LIMITS,
  operationCost,
  queryLimitRules,
  queryParseOptions,
  type QueryLimits,
} from '../../lib/queryLimits.js';
import { errorCodes, graphql } from '../helpers/graphql.js';
import { startGateway, type RunningGateway } from '../helpers/platform.js';
import { supergraphForPlanner } from '../../gateway/authorization.js';
import { capturingLogger, startToySubgraph, toySupergraph, type ToySubgraph } from './toys.js';

/** `{ a0: <selection> a1: <selection> ... }` with `count` aliases. */
function aliased(count: number, selection: string): string {
  return `{ ${Array.from({ length: count }, (_, i) => `a${i}: ${selection}`).join(' ')} }`;
}

/** `__type` nested `depth` fields deep: introspection lets a flat toy schema be queried deeply. */
function nested(depth: number): string {
  const ofTypes = depth - 4; // __type, fields, type ... name
  return `{ __type(name: "Person") { fields { type { ${'ofType { '.repeat(ofTypes)}name${' }'.repeat(ofTypes)} } } } }`;
}

describe('over HTTP, with the default limits', () => {
  let people: ToySubgraph;
  let pets: ToySubgraph;
  let gateway: RunningGateway;

  beforeAll(async () => {
    people = await startToySubgraph('people');
    pets = await startToySubgraph('pets');
    gateway = await startGateway({ kind: 'sdl', sdl: toySupergraph([people, pets]) });
  });

  afterAll(async () => {
    await gateway?.close();
    await people?.close();
    await pets?.close();
  });

  it('refuses a query nested deeper than 12 with HTTP 400, naming the limit', async () => {
    expect((await graphql(gateway.url, nested(12))).status).toBe(200);
    const response = await graphql(gateway.url, nested(13));
    expect(response.status).toBe(400);
    expect(response.errors).toEqual([
      { message: 'Query depth limit of 12 exceeded, found 13.', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
    ]);
  });

  it('refuses more than 30 aliases with HTTP 400', async () => {
    const allowed = await graphql(gateway.url, aliased(30, 'people { name }'));
    expect(allowed.status).toBe(200);
    expect(allowed.data.a29).toEqual([{ name: 'Ana' }, { name: 'Luis' }]);
    const response = await graphql(gateway.url, aliased(31, 'people { name }'));
    expect(response.status).toBe(400);
    expect(response.errors).toEqual([
      { message: 'Aliases limit of 30 exceeded, found 31.', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
    ]);
  });

  it('refuses a document of more than 2000 tokens while parsing it', async () => {
    const response = await graphql(gateway.url, `{ ${'__typename '.repeat(2000)} }`);
    expect(response.status).toBe(400);
    expect(errorCodes(response)).toEqual(['GRAPHQL_PARSE_FAILED']);
    // sic: graphql-js says "more that".
    expect(response.errors?.[0]?.message).toMatch(/^Syntax Error: Document contains more tha[nt] 2000 tokens\. Parsing aborted\.$/);
  });

  it("lets the playground's introspection through", async () => {
    const response = await graphql(gateway.url, getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }));
    expect(response.status).toBe(200);
    expect(response.errors).toBeUndefined();
    expect(response.data.__schema.queryType).toMatchObject({ name: 'Query' });
  });

  it('still answers after refusing', async () => {
    const response = await graphql(gateway.url, '{ people { name pets } }');
    expect(response).toEqual({
      status: 200,
      data: { people: [{ name: 'Ana', pets: ['Michi', 'Firulais'] }, { name: 'Luis', pets: ['Boby'] }] },
    });
  });
});

describe('over HTTP, with a cost limit of 10', () => {
  let people: ToySubgraph;
  let pets: ToySubgraph;
  let gateway: RunningGateway;
  const { logger, lines } = capturingLogger();

  beforeAll(async () => {
    people = await startToySubgraph('people');
    pets = await startToySubgraph('pets');
    gateway = await startGateway({ kind: 'sdl', sdl: toySupergraph([people, pets]) }, { logger, queryLimits: { maxCost: 10 } });
  });

  afterAll(async () => {
    await gateway?.close();
    await people?.close();
    await pets?.close();
  });

  it('refuses a query that costs more with HTTP 400, saying how cost is counted', async () => {
    // Each `people { id name pets }` is 4: the field and its three.
    expect((await graphql(gateway.url, aliased(2, 'people { id name pets }'))).status).toBe(200);
    const response = await graphql(gateway.url, aliased(3, 'people { id name pets }'));
    expect(response.status).toBe(400);
    expect(errorCodes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(response.errors?.[0]?.message).toMatch(/^Query cost limit of 10 exceeded, found 12\. Each field counts 1/);
    // What the operator sees, to tune QUERY_MAX_COST by.
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'operation refused: too costly', cost: 12, maxCost: 10 }));
  });

  it('still answers after refusing', async () => {
    const response = await graphql(gateway.url, '{ people { name pets } }');
    expect(response.status).toBe(200);
    expect(response.data.people).toHaveLength(2);
  });
});

describe('the defaults, over the committed supergraph', () => {
  // The API schema the gateway validates against, rebuilt by this module's graphql-js: federation's
  // own is built by graphql's CommonJS build, which `validate` here (its ESM build) would refuse.
  const schema: GraphQLSchema = buildSchema(
    printSchema(Supergraph.build(supergraphForPlanner(readFileSync(new URL('../../schema/supergraph.graphql', import.meta.url), 'utf8'))).apiSchema()),
  );
  // The repository's copy of the published contract (test/integration/contractCopy.test.ts keeps them equal).
  const contract = readFileSync(new URL('../../contract/portal.graphql', import.meta.url), 'utf8');

  /** The validation errors and, for each operation, the cost refusal under `limits`: what the gateway would say. */
  function refusals(source: string, limits: QueryLimits, variables: Record<string, Record<string, unknown>> = {}): string[] {
    let document: DocumentNode;
    try {
      document = parse(source, queryParseOptions(limits));
    } catch (error) {
      return [(error as Error).message];
    }
    const errors = validate(schema, document, [...specifiedRules, ...queryLimitRules(limits)]).map((error) => error.message);
    if (errors.length) return errors;
    return operations(document).flatMap((operation) => {
      const refusal = costRefusal(schema, document, operation, variables[operation.name?.value ?? ''], limits.maxCost);
      return refusal ? [refusal.error.message] : [];
    });
  }

  const operations = (document: DocumentNode) =>
    document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);

  /** Each contract operation with the largest page the portal serves and valid required variables. */
  const WORST_CASE = {
    SearchProcedures: { text: 'licencia', first: 100 },
    WhatDoINeed: { slug: 'licencia-de-conducir-a1' },
    StartApplication: { input: { procedureSlug: 'licencia-de-conducir-a1', channel: 'ONLINE', idempotencyKey: 'k' } },
  };

  it('let every contract operation pass at half of each limit', () => {
    const half: QueryLimits = {
      maxDepth: DEFAULT_QUERY_LIMITS.maxDepth / 2,
      maxAliases: DEFAULT_QUERY_LIMITS.maxAliases / 2,
      maxCost: DEFAULT_QUERY_LIMITS.maxCost / 2,
      maxTokens: DEFAULT_QUERY_LIMITS.maxTokens / 2,
    };
    expect(refusals(contract, half, WORST_CASE)).toEqual([]);
  });

  it('cost the contract operations this much (a change here is worth a look at the limits)', () => {
    const document = parse(contract);
    const costs = Object.fromEntries(
      operations(document).map((operation) => [
        operation.name?.value,
        operationCost(schema, document, operation, WORST_CASE[operation.name?.value as keyof typeof WORST_CASE] ?? {}),
      ]),
    );
    expect(costs).toEqual({ SearchProcedures: 1701, WhatDoINeed: 26, WhereIsMyApplication: 23, MyRecords: 41, StartApplication: 11 });
  });

  const attackSelection = 'procedures(first: 100) { edges { node { requirements { status agency { name } } channels { offices { id } } } } }';

  it("refuse the review's attack: 1,500 aliases of a page of 100 procedures", () => {
    const attack = aliased(1500, attackSelection);
    expect(refusals(attack, DEFAULT_QUERY_LIMITS)).toEqual([expect.stringMatching(/^Syntax Error: Document contains more tha[nt] 2000 tokens/)]);
    // Each limit on its own refuses it too.
    const noTokenLimit = { ...DEFAULT_QUERY_LIMITS, maxTokens: 1_000_000 };
    expect(refusals(attack, noTokenLimit)).toEqual(['Aliases limit of 30 exceeded, found 1500.']);
    expect(refusals(attack, { ...noTokenLimit, maxAliases: 10_000 })).toEqual([expect.stringMatching(/^Query cost limit of 5000 exceeded, found \d{7}\./)]);
  });

  it('count page sizes given in variables, defaults included', () => {
    // One alias of the attack costs 901: 1 + 100 × (edges, node, requirements, status, agency, name, channels, offices, id).
    const byVariable = `query Attack($n: Int = 100) ${aliased(6, attackSelection.replace('first: 100', 'first: $n'))}`;
    expect(refusals(byVariable, DEFAULT_QUERY_LIMITS, { Attack: {} })).toEqual([expect.stringMatching(/^Query cost limit of 5000 exceeded/)]);
    expect(refusals(byVariable, DEFAULT_QUERY_LIMITS, { Attack: { n: 10 } })).toEqual([]);
    expect(refusals(byVariable, DEFAULT_QUERY_LIMITS, { Attack: { n: 100 } })).toEqual(['Query cost limit of 5000 exceeded, found 5406. Each field counts 1, and what is selected under a field with `first` or `last` counts that many times: ask for smaller pages or fewer fields.']);
    // No `first`: the schema's default page (20).
    const byDefault = parse('{ procedures { totalCount } }');
    expect(operationCost(schema, byDefault, operations(byDefault)[0]!, {})).toBe(1 + 20 * 1);
  });

  it('see through fragments, each counted wherever it is spread', () => {
    const deep = '{ ...A } fragment A on Query { procedures { edges { ...B } } } fragment B on ProcedureEdge { node { ... on Procedure { requirements { agency { code } } } } }';
    expect(refusals(deep, { ...DEFAULT_QUERY_LIMITS, maxDepth: 5 })).toEqual(['Query depth limit of 5 exceeded, found 6.']);
    const manyAliases = `{ ...A ...B } fragment A on Query { ${aliased(20, 'agencies { code }').slice(1, -1)} } fragment B on Query { ...A }`;
    expect(refusals(manyAliases, DEFAULT_QUERY_LIMITS)).toEqual(['Aliases limit of 30 exceeded, found 40.']);
  });

  it('cost a fragment spread a million times without walking it a million times', () => {
    // Each level spreads the one below twice: 2^20 copies of `agencies { code }` (cost 2) once expanded.
    const levels = Array.from({ length: 20 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
    const bomb = parse(`{ ...F0 } ${levels.join(' ')} fragment F20 on Query { agencies { code } }`);
    const started = performance.now();
    expect(operationCost(schema, bomb, operations(bomb)[0]!, {})).toBe(2 ** 21);
    expect(performance.now() - started).toBeLessThan(100);
  });
});
