import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import {
  apiSchemaOf,
  checkProposal,
  contractOperations,
  formatCheckReport,
  type KnownOperation,
  type SubgraphVersion,
} from '../../registry/check.js';
import { coordinatesUsedBy } from '../../lib/schemaCoordinates.js';
import { composeSupergraph } from '../../schema/compose.js';

const NAMES = ['identity', 'transport', 'taxes', 'portal'] as const;
const config = YAML.parse(readFileSync(new URL('../../schema/supergraph.yaml', import.meta.url), 'utf8')) as {
  subgraphs: Record<string, { routing_url: string }>;
};
const current: SubgraphVersion[] = NAMES.map((name) => ({
  name,
  routingUrl: config.subgraphs[name]!.routing_url,
  sdl: readFileSync(new URL(`../../subgraphs/${name}/schema.graphql`, import.meta.url), 'utf8'),
}));
const transportSdl = current.find((version) => version.name === 'transport')!.sdl;

const composed = composeSupergraph(current.map((version) => ({ ...version, typeDefs: parse(version.sdl) })));
if (composed.errors) throw new Error('The committed subgraphs must compose for these tests.');
const apiSchema = apiSchemaOf(composed.supergraphSdl);
const CONTRACT_FOLDER = fileURLToPath(new URL('../../contract/', import.meta.url));
const contract = contractOperations(CONTRACT_FOLDER, apiSchema);

/** transport's SDL with `before` replaced by `after`, failing loudly if the SDL no longer has `before`. */
function transportWith(before: string | RegExp, after: string): string {
  const edited = transportSdl.replace(before, after);
  expect(edited).not.toBe(transportSdl);
  return edited;
}

function check(sdl: string, operations: readonly KnownOperation[] = contract) {
  return checkProposal({ subgraph: 'transport', sdl, current, operations, windowDays: 30 });
}

describe('coordinatesUsedBy', () => {
  const portal = parse(readFileSync(new URL('portal.graphql', `file://${CONTRACT_FOLDER}`), 'utf8'));

  it('collects the fields, named types and arguments MyRecords uses, sorted', () => {
    const used = coordinatesUsedBy(portal, apiSchema, 'MyRecords');
    expect(used).toEqual(expect.arrayContaining(['Query', 'Query.me', 'Citizen', 'Citizen.vehicles', 'Vehicle', 'Vehicle.year', 'Vehicle.plate']));
    expect(used).toEqual([...new Set(used)].sort());
    expect(used).not.toContain('Query.procedures');
  });

  it('collects arguments and variable types', () => {
    const used = coordinatesUsedBy(portal, apiSchema, 'SearchProcedures');
    expect(used).toEqual(expect.arrayContaining(['Query.procedures', 'Query.procedures.search', 'Query.procedures.first', 'String', 'Int']));
  });

  it('follows fragments, skips __typename and directive arguments, and records enum literals', () => {
    const document = parse(`
      query Fines { me { __typename ...Fines } }
      fragment Fines on Citizen { trafficFines(status: UNPAID) @include(if: true) { ...Fine } }
      fragment Fine on TrafficFine { number }
    `);
    const used = coordinatesUsedBy(document, apiSchema);
    expect(used).toEqual(expect.arrayContaining(['Citizen.trafficFines', 'Citizen.trafficFines.status', 'FineStatus.UNPAID', 'TrafficFine.number']));
    expect(used.some((coordinate) => coordinate.includes('__typename') || coordinate.includes('.if'))).toBe(false);
  });

  it('refuses an operation name the document does not have', () => {
    expect(() => coordinatesUsedBy(portal, apiSchema, 'Nope')).toThrow('no operation named "Nope"');
  });
});

describe('contractOperations', () => {
  it("lists every named operation of the contracts, the desk's included", () => {
    expect(contract.map((operation) => operation.name).sort()).toEqual(
      ['CancelApplication', 'MoveApplication', 'MyApplicationUpdates', 'MyQueue', 'MyRecords', 'ReviewApplication', 'SearchProcedures', 'StartApplication', 'WhatDoINeed', 'WhereIsMyApplication', 'WhoSawMyData'].sort(),
    );
    expect(contract.every((operation) => operation.origin === 'contract')).toBe(true);
    // The live tracker is the portal's subscription (see schema/README.md, "Live updates").
    expect(contract.find((operation) => operation.name === 'MyApplicationUpdates')!.coordinates).toContain('Subscription.applicationUpdated');
  });
});

describe('checkProposal', () => {
  it('fails when a field the contract reads is removed, naming the operation', async () => {
    const report = await check(transportWith(/\s*"Model year\."\s*year: Int!/, ''));
    expect(report.ok).toBe(false);
    expect(report.compositionErrors).toEqual([]);
    expect(report.supergraphSdl).toContain('type Vehicle');
    const removal = report.changes.find((change) => change.coordinate === 'Vehicle.year');
    expect(removal).toMatchObject({ criticality: 'BREAKING', type: 'FIELD_REMOVED' });
    expect(removal!.operations).toContainEqual({ name: 'MyRecords', origin: 'contract' });
    expect(removal!.note).toBeUndefined();
  });

  it('passes when the removed field is used by no operation, and says why', async () => {
    expect(contract.some((operation) => operation.coordinates.some((c) => c.startsWith('Vehicle.colour')))).toBe(false);
    const report = await check(transportWith(/\s*"Colour as registered\."\s*colour: String!/, ''));
    expect(report.ok).toBe(true);
    expect(report.changes).toEqual([
      {
        criticality: 'SAFE',
        type: 'FIELD_REMOVED',
        message: expect.stringContaining('colour'),
        coordinate: 'Vehicle.colour',
        operations: [],
        note: 'No client operation used Vehicle.colour in the last 30 days (contract operations and recorded traffic).',
      },
    ]);
  });

  it('fails the same removal when recorded traffic uses the field', async () => {
    const traffic: KnownOperation = { name: 'VehicleLookup', origin: 'traffic', coordinates: ['Query.vehicle', 'Vehicle', 'Vehicle.colour'] };
    const report = await check(transportWith(/\s*"Colour as registered\."\s*colour: String!/, ''), [...contract, traffic]);
    expect(report.ok).toBe(false);
    expect(report.changes).toEqual([
      expect.objectContaining({ criticality: 'BREAKING', coordinate: 'Vehicle.colour', operations: [{ name: 'VehicleLookup', origin: 'traffic' }] }),
    ]);
  });

  it('looks a required argument added to a field up by the operations that use the field', async () => {
    const traffic: KnownOperation = { name: 'VehicleLookup', origin: 'traffic', coordinates: ['Query.vehicle', 'Query.vehicle.plate'] };
    const report = await check(transportWith('vehicle(plate: ID!)', 'vehicle(plate: ID!, reason: String!)'), [traffic]);
    expect(report.ok).toBe(false);
    expect(report.changes).toEqual([
      expect.objectContaining({ criticality: 'BREAKING', type: 'FIELD_ARGUMENT_ADDED', coordinate: 'Query.vehicle.reason', operations: [{ name: 'VehicleLookup', origin: 'traffic' }] }),
    ]);
  });

  it('passes an added field as one safe change', async () => {
    const report = await check(transportWith('colour: String!', 'colour: String!\n  engine: String'));
    expect(report.ok).toBe(true);
    expect(report.changes).toEqual([expect.objectContaining({ criticality: 'SAFE', type: 'FIELD_ADDED', coordinate: 'Vehicle.engine', operations: [] })]);
    expect(report.changes[0]!.note).toBeUndefined();
  });

  it('reports a new field\'s description as a second safe change: the diff sees it apart', async () => {
    const report = await check(transportWith('colour: String!', 'colour: String!\n  "Engine number."\n  engine: String'));
    expect(report.ok).toBe(true);
    expect(report.changes.map((change) => [change.criticality, change.type])).toEqual([
      ['SAFE', 'FIELD_ADDED'],
      ['SAFE', 'FIELD_DESCRIPTION_ADDED'],
    ]);
  });

  it('hides @inaccessible elements from the diff: they are not in the API schema', async () => {
    const report = await check(transportWith('"The subgraph whose record holds it."', '"Where it comes from."'));
    expect(report).toMatchObject({ ok: true, changes: [] });
  });

  it('reports composition errors naming transport, with no changes and no supergraph', async () => {
    const report = await check(transportWith('type Vehicle @key(fields: "plate")', 'type Vehicle @key(fields: "vin")'));
    expect(report.ok).toBe(false);
    expect(report.changes).toEqual([]);
    expect(report.supergraphSdl).toBeNull();
    expect(report.compositionErrors.length).toBeGreaterThan(0);
    for (const problem of report.compositionErrors) {
      expect(problem.code).toMatch(/^[A-Z_]+$/);
      expect(problem.subgraphs).toContain('transport');
    }
  });

  it('reports a field redefined incompatibly with another subgraph, naming both', async () => {
    const report = await check(transportWith(/(type Money @shareable \{[^}]*amount: )String!/, '$1Float!'));
    expect(report).toMatchObject({ ok: false, changes: [], supergraphSdl: null });
    expect(report.compositionErrors).toContainEqual(
      expect.objectContaining({ code: 'FIELD_TYPE_MISMATCH', subgraphs: expect.arrayContaining(['transport', 'taxes']) }),
    );
  });

  it('reports an SDL that does not parse as INVALID_GRAPHQL', async () => {
    const report = await check('type Vehicle {');
    expect(report).toMatchObject({ ok: false, changes: [], supergraphSdl: null });
    expect(report.compositionErrors).toEqual([{ code: 'INVALID_GRAPHQL', message: expect.stringContaining('transport'), subgraphs: ['transport'] }]);
  });

  it('composes a new subgraph with its routing URL, and requires one', async () => {
    const sdl = `
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
      type Query { weather(city: String!): String }
    `;
    const report = await checkProposal({ subgraph: 'weather', sdl, routingUrl: 'http://127.0.0.1:4009/graphql', current, operations: contract, windowDays: 30 });
    expect(report.ok).toBe(true);
    // A new field's required argument breaks nobody: the diff itself calls it safe.
    expect(report.changes).toEqual([
      expect.objectContaining({ criticality: 'SAFE', type: 'FIELD_ADDED', coordinate: 'Query.weather' }),
      expect.objectContaining({ criticality: 'SAFE', type: 'FIELD_ARGUMENT_ADDED', coordinate: 'Query.weather.city', operations: [] }),
    ]);
    expect(report.changes.every((change) => change.note === undefined)).toBe(true);
    await expect(checkProposal({ subgraph: 'weather', sdl, current, operations: contract, windowDays: 30 })).rejects.toThrow('needs a routingUrl');
  });
});

describe('formatCheckReport', () => {
  it('names the verdict, the breaking change and the operations it breaks', async () => {
    const report = await check(transportWith(/\s*"Model year\."\s*year: Int!/, ''));
    const text = formatCheckReport(report);
    expect(text).toMatch(/^Check of subgraph "transport" fails/);
    expect(text).toContain('BREAKING (1):');
    expect(text).toContain('[Vehicle.year]');
    expect(text).toContain('breaks: MyRecords (contract)');
  });

  it('lists composition errors with their code and subgraphs, and notes on safe changes', async () => {
    const broken = formatCheckReport(await check('type Vehicle {'));
    expect(broken).toContain('[INVALID_GRAPHQL] (transport) Subgraph "transport": Syntax Error');
    const safe = formatCheckReport(await check(transportWith(/\s*"Colour as registered\."\s*colour: String!/, '')));
    expect(safe).toMatch(/^Check of subgraph "transport" passes\./);
    expect(safe).toContain('SAFE (1):');
    expect(safe).toContain('note: No client operation used Vehicle.colour in the last 30 days');
  });
});
