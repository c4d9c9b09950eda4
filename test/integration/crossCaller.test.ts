import { readFileSync } from 'node:fs';
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  parse,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessRulesOf, combineRules, type AccessRule } from '../../lib/access.js';
import type { Caller } from '../../lib/caller.js';
import { rucForDni } from '../../subgraphs/taxes/ruc.js';
import { authHeaders, graphql, postRaw, type Credentials, type GraphQLResponse } from '../helpers/graphql.js';
import { PERSONAS } from '../helpers/personas.js';
import { startPlatform, type Platform } from '../helpers/platform.js';
import { asCitizen, asService, tokenFor } from '../helpers/trust.js';

/**
 * The cross-caller battery, generated from the supergraph: every personal field (every field whose
 * rule, or whose type's, names `data-subject`), found through the authorization directives, so that
 * a new field is covered without editing this test. Each is reached from a root field with a persona
 * who has data in it, and asked for by:
 * - another citizen, an official of another agency (stating a purpose), an agency service with the
 *   wrong scopes (stating a purpose), and nobody: each gets no data, and FORBIDDEN (UNAUTHENTICATED
 *   for nobody) at the field's path or above it;
 * - the citizen themself, and each kind of reader the rule names (an official of the owning agency,
 *   a service with the scope, both stating a purpose): each gets the same data, and the read lands in
 *   the owning agency's access record.
 * What the gateway can decide from the caller it decides before any subgraph is asked; the rest (whose
 * record it is) the owning subgraph decides: the battery goes through both.
 */
const SUPERGRAPH_SDL = readFileSync(new URL('../../schema/supergraph.graphql', import.meta.url), 'utf8');
const SUPERGRAPH = parse(SUPERGRAPH_SDL);
const RULES = accessRulesOf(SUPERGRAPH);
const ROOTS = new Set(['Query', 'Mutation', 'Subscription']);
const READ_SCOPES = ['identity:read', 'transport:read', 'taxes:read', 'portal:read'];

let platform: Platform;
let schema: GraphQLSchema;
/** Carmen's applications, by the agency of their procedure. */
let carmensApplications: { id: string; agency: string }[];

beforeAll(async () => {
  platform = await startPlatform({ citizens: 5 });
  // The API schema as clients see it, from the gateway itself.
  const introspection = await graphql(platform.url, getIntrospectionQuery());
  schema = buildClientSchema(introspection.data as IntrospectionQuery);
  const { rows } = await platform.subgraphs.portal.db.query<{ id: string; agency: string }>(
    'SELECT a.id, p.agency_code AS agency FROM applications a JOIN procedures p ON p.slug = a.procedure_slug WHERE a.dni = $1 ORDER BY a.id',
    ['47851236'],
  );
  carmensApplications = rows;
});
afterAll(async () => {
  await platform?.close();
});

/** Each subgraph's name, by its join__Graph value. */
const GRAPHS = new Map(
  SUPERGRAPH.definitions.flatMap((definition) =>
    definition.kind === Kind.ENUM_TYPE_DEFINITION && definition.name.value === 'join__Graph'
      ? (definition.values ?? []).flatMap((value) => {
          const name = value.directives?.find((d) => d.name.value === 'join__graph')?.arguments?.find((a) => a.name.value === 'name')?.value;
          return name?.kind === Kind.STRING ? [[value.name.value, name.value] as const] : [];
        })
      : [],
  ),
);

/**
 * The subgraphs that may resolve a field, from the supergraph's join__field, or else its type's
 * join__type: a key field of an entity several subgraphs know is any of theirs.
 */
function subgraphsOf(typeName: string, fieldName: string): string[] {
  const graphArgument = (directive: { arguments?: readonly { name: { value: string }; value: { kind: string } }[] }) => {
    const value = directive.arguments?.find((a) => a.name.value === 'graph')?.value as { kind: string; value?: string } | undefined;
    return value?.kind === Kind.ENUM ? GRAPHS.get(value.value!) : undefined;
  };
  for (const definition of SUPERGRAPH.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION || definition.name.value !== typeName) continue;
    const field = definition.fields?.find((f) => f.name.value === fieldName);
    const joined = field?.directives?.filter((d) => d.name.value === 'join__field').map(graphArgument).filter((graph): graph is string => Boolean(graph)) ?? [];
    if (joined.length) return joined;
    const types = definition.directives?.filter((d) => d.name.value === 'join__type').map(graphArgument).filter((graph): graph is string => Boolean(graph)) ?? [];
    if (types.length) return types;
  }
  throw new Error(`No subgraph resolves ${typeName}.${fieldName}`);
}

interface PersonalField {
  coordinate: string;
  type: GraphQLObjectType;
  field: GraphQLField<unknown, unknown>;
  rule: AccessRule;
}

/** Every field of the API schema whose rule (its own, or its type's, or for a root field its result's) names `data-subject`. */
function personalFields(): PersonalField[] {
  const found: PersonalField[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      const returned = RULES.types.get(getNamedType(field.type).name);
      const own = ROOTS.has(type.name) ? combineRules([RULES.fields.get(coordinate), returned]) : combineRules([RULES.fields.get(coordinate), RULES.types.get(type.name)]);
      // Mutations change records (their payloads are covered by the contract); a subscription is a stream (liveUpdates.test.ts).
      if (!own?.policies.flat(2).includes('data-subject') || type.name === 'Mutation' || type.name === 'Subscription') continue;
      // Who may read it: its own rule, and the rule of what it returns (an applicant is RENIEC's to show).
      found.push({ coordinate, type, field, rule: ROOTS.has(type.name) ? own : combineRules([own, returned])! });
    }
  }
  return found;
}

/** How a root field's required arguments are given, for a victim: the keys that name their records. */
interface Victim {
  dni: string;
  ruc: string;
  applicationId: string;
  applicationAgency: string;
}

function argumentsFor(field: GraphQLField<unknown, unknown>, victim: Victim): string {
  const given = field.args
    .filter((argument) => isNonNullType(argument.type) && argument.defaultValue === undefined)
    .map((argument) => {
      const value = { dni: victim.dni, ruc: victim.ruc, id: victim.applicationId }[argument.name];
      if (value === undefined) throw new Error(`The battery has no value for the required argument ${field.name}(${argument.name}:): add one to argumentsFor.`);
      return `${argument.name}: ${JSON.stringify(value)}`;
    });
  return given.length ? `(${given.join(', ')})` : '';
}

/**
 * A selection of what a field holds, for a reader the field's `rule` lets in: its leaves, and the
 * leaves of fields under it that the same rule (or none) guards; other objects only by `__typename`,
 * as their data is another agency's or depends on who asks (requirement statuses).
 */
function leaves(type: GraphQLObjectType, rule: AccessRule): string {
  const sameRule = (field: GraphQLField<unknown, unknown>) => {
    const own = combineRules([RULES.fields.get(`${type.name}.${field.name}`), RULES.types.get(type.name), RULES.types.get(getNamedType(field.type).name)]);
    return own === null || JSON.stringify(own) === JSON.stringify(rule);
  };
  const selected = Object.values(type.getFields()).flatMap((field) => {
    if (field.args.some((argument) => isNonNullType(argument.type)) || !sameRule(field)) return [];
    return [isLeafType(getNamedType(field.type)) ? field.name : `${field.name} { __typename }`];
  });
  return selected.length ? selected.join(' ') : '__typename';
}

/**
 * The shortest way from Query to a type, through fields that are not lists (one record, one path) and
 * not `me` (always the caller's own), with the response keys of the path.
 */
function pathTo(typeName: string): GraphQLField<unknown, unknown>[] | null {
  const start = schema.getQueryType()!;
  const queue: { type: GraphQLObjectType; via: GraphQLField<unknown, unknown>[] }[] = [{ type: start, via: [] }];
  const seen = new Set([start.name]);
  while (queue.length) {
    const { type, via } = queue.shift()!;
    if (type.name === typeName) return via;
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      const listed = isListType(isNonNullType(field.type) ? field.type.ofType : field.type);
      if (!isObjectType(named) || seen.has(named.name) || listed || field.name === 'me') continue;
      seen.add(named.name);
      queue.push({ type: named, via: [...via, field] });
    }
  }
  return null;
}

/** Types only a mutation returns (StartApplicationPayload): there is nothing to read them with; the contract's StartApplication covers them. */
function mutationPayloads(): Set<string> {
  return new Set(Object.values(schema.getMutationType()?.getFields() ?? {}).map((field) => getNamedType(field.type).name));
}

/** The query that reads `target` for `victim`, and the response path of the field. */
function queryFor(target: PersonalField, victim: Victim): { query: string; path: string[] } {
  const route = ROOTS.has(target.type.name) ? [] : pathTo(target.type.name);
  if (!route) throw new Error(`No path from Query reaches ${target.type.name}: the battery cannot ask for ${target.coordinate}.`);
  const fields = [...route, target.field];
  const named = getNamedType(target.field.type);
  const innermost = isObjectType(named) ? `${target.field.name}${argumentsFor(target.field, victim)} { ${leaves(named, target.rule)} }` : target.field.name;
  let query = innermost;
  for (const field of [...route].reverse()) query = `${field.name}${argumentsFor(field, victim)} { ${query} }`;
  return { query: `{ ${query} }`, path: fields.map((field) => field.name) };
}

const valueAt = (data: unknown, path: readonly string[]): unknown => path.reduce<any>((value, key) => (value === null || value === undefined ? null : value[key]), data);
const isEmpty = (value: unknown) => value === null || value === undefined || (Array.isArray(value) && value.length === 0);

/**
 * The readers a rule lets in whatever they read for a citizen: the agencies it names in
 * `official-of:<AGENCY>`, whether it names the record's owner or the agency handling its case (both
 * the application's agency here), and the scopes in `service-with:<scope>`. Every directive of the rule
 * must let a reader in (a field's, its type's, the type it returns).
 */
function readersNamed(rule: AccessRule): { agencies: string[]; owner: boolean; handler: boolean; scopes: string[] } {
  const letIn = rule.policies.map((directive) => new Set(directive.filter((group) => group.length === 1).map(([policy]) => policy!)));
  const named = [...(letIn[0] ?? [])].filter((policy) => policy !== 'data-subject' && letIn.every((policies) => policies.has(policy)));
  const agencies = named.filter((p) => p.startsWith('official-of:') && p !== 'official-of:owner' && p !== 'official-of:handler').map((p) => p.slice('official-of:'.length));
  const scopes = named.filter((p) => p.startsWith('service-with:')).map((p) => p.slice('service-with:'.length));
  return { agencies, owner: named.includes('official-of:owner'), handler: named.includes('official-of:handler'), scopes };
}

const officialOf = (agency: string): Caller => ({ kind: 'official', id: `${agency}-0900`, name: `Test official of ${agency}`, agency, office: `${agency.toLowerCase()}-lima`, scopes: ['applications:review'] });

let requests = 0;
async function ask(query: string, caller: Caller | null, purpose?: string): Promise<GraphQLResponse & { requestId: string }> {
  const requestId = `battery-${process.pid}-${(requests += 1)}`;
  const auth: Credentials | undefined = caller ? { token: await tokenFor(caller), purpose } : undefined;
  const response = await postRaw(platform.url, JSON.stringify({ query }), { ...authHeaders(auth), 'x-request-id': requestId });
  return { ...response, requestId };
}

interface Case {
  target: PersonalField;
  victim: Victim;
  query: string;
  path: string[];
  ownData: unknown;
}

/** For each personal field, the first persona who has data in it, read as themself. */
async function findCases(): Promise<Case[]> {
  const cases: Case[] = [];
  const victims: Victim[] = PERSONAS.map((dni) => {
    const application = dni === '47851236' ? carmensApplications.find((a) => a.agency === 'MTC') : undefined;
    return { dni, ruc: rucForDni(dni), applicationId: application?.id ?? 'CUT-2020-999999', applicationAgency: application?.agency ?? 'MTC' };
  });
  for (const target of personalFields()) {
    if (mutationPayloads().has(target.type.name)) continue;
    let found: Case | undefined;
    for (const victim of victims) {
      const { query, path } = queryFor(target, victim);
      const own = await ask(query, asCitizen(victim.dni));
      const ownData = valueAt(own.data, path);
      if (!own.errors && !isEmpty(ownData)) {
        found = { target, victim, query, path, ownData };
        break;
      }
    }
    if (!found) throw new Error(`No persona has data in ${target.coordinate}: seed some, or the battery cannot show it is private.`);
    cases.push(found);
  }
  return cases;
}

describe('the cross-caller battery', () => {
  let cases: Case[];
  const tally = { fields: 0, refused: 0, allowed: 0 };

  beforeAll(async () => {
    cases = await findCases();
  });

  afterAll(() => {
    console.log(`cross-caller battery: ${tally.fields} personal fields, ${tally.refused} refusals checked, ${tally.allowed} allowed reads checked (and recorded)`);
  });

  it('covers every personal field the supergraph declares, across all four subgraphs', () => {
    const coordinates = cases.map((c) => c.target.coordinate);
    // Spot checks that the discovery works; the list itself comes from the directives.
    expect(coordinates).toEqual(expect.arrayContaining(['Citizen.fullName', 'Citizen.trafficFines', 'Citizen.taxpayer', 'Citizen.applications', 'Query.application', 'Application.timeline', 'Taxpayer.debts', 'Citizen.dataAccess', 'Application.requirements', 'Applicant.fullName']));
    expect(new Set(cases.flatMap((c) => subgraphsOf(c.target.type.name, c.target.field.name)))).toEqual(new Set(['identity', 'transport', 'taxes', 'portal']));
    tally.fields = cases.length;
  });

  it('refuses each to another citizen, an official of another agency, a wrong-scope service and nobody: no data, FORBIDDEN or UNAUTHENTICATED at its path', async () => {
    const failures: string[] = [];
    for (const { target, victim, query, path, ownData } of cases) {
      const { agencies, owner, handler, scopes } = readersNamed(target.rule);
      const recordOwner = owner || handler ? victim.applicationAgency : undefined;
      const otherAgency = ['MTC', 'RENIEC', 'SUNAT', 'SAT', 'SUNARP'].find((agency) => !agencies.includes(agency) && agency !== recordOwner)!;
      const otherCitizen = PERSONAS.find((dni) => dni !== victim.dni)!;
      const attackers: [string, Caller | null, string | undefined, string][] = [
        ['another citizen', asCitizen(otherCitizen), undefined, 'FORBIDDEN'],
        [`an official of ${otherAgency}`, officialOf(otherAgency), 'battery: another agency', 'FORBIDDEN'],
        ['a service with the wrong scopes', asService(READ_SCOPES.filter((scope) => !scopes.includes(scope))), 'battery: wrong scope', 'FORBIDDEN'],
        ['nobody', null, undefined, 'UNAUTHENTICATED'],
      ];
      for (const [who, caller, purpose, code] of attackers) {
        const response = await ask(query, caller, purpose);
        const label = `${target.coordinate} as ${who}`;
        const value = valueAt(response.data, path);
        const errorHere = response.errors?.find((error) => error.extensions?.code === code && path.slice(0, error.path?.length ?? 0).join('.') === (error.path ?? []).join('.'));
        if (value !== null && value !== undefined) failures.push(`${label}: got data ${JSON.stringify(value).slice(0, 80)}`);
        else if (!errorHere) failures.push(`${label}: expected ${code} at ${path.join('.')} or above, got ${JSON.stringify(response.errors)}`);
        else if (JSON.stringify(ownData).length > 12 && JSON.stringify(response).includes(JSON.stringify(ownData))) failures.push(`${label}: the data leaked elsewhere in the answer`);
        else tally.refused += 1;
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers each to the citizen themself and to each reader its rule names, the same data, on the owning agency\'s record', async () => {
    const failures: string[] = [];
    for (const { target, victim, query, path, ownData } of cases) {
      const { agencies, owner, handler, scopes } = readersNamed(target.rule);
      // Who reads, the purpose they state, and the purpose the record must show: the case number for
      // an official handling the case, whatever they stated.
      const readers: [string, Caller, string, string][] = [
        ...agencies.map((agency): [string, Caller, string, string] => [`an official of ${agency}`, officialOf(agency), `battery: ${agency} reads`, `battery: ${agency} reads`]),
        ...(owner ? [[`an official of ${victim.applicationAgency}`, officialOf(victim.applicationAgency), 'battery: owner reads', 'battery: owner reads'] as [string, Caller, string, string]] : []),
        ...(handler ? [[`an official handling ${victim.applicationId}`, officialOf(victim.applicationAgency), 'battery: handler reads', victim.applicationId] as [string, Caller, string, string]] : []),
        ...scopes.map((scope): [string, Caller, string, string] => [`a service with ${scope}`, asService([scope]), `battery: ${scope}`, `battery: ${scope}`]),
      ];
      for (const [who, caller, purpose, recordedPurpose] of readers) {
        const response = await ask(query, caller, purpose);
        const label = `${target.coordinate} as ${who}`;
        if (response.errors) {
          failures.push(`${label}: ${JSON.stringify(response.errors)}`);
          continue;
        }
        if (JSON.stringify(valueAt(response.data, path)) !== JSON.stringify(ownData)) {
          failures.push(`${label}: not the citizen's own answer`);
          continue;
        }
        // The read is on the record of a subgraph that holds the field (its access record itself is never recorded).
        const holders = subgraphsOf(target.type.name, target.field.name);
        if (target.type.name !== 'DataAccessConnection' && target.field.name !== 'dataAccess') {
          let recorded = false;
          for (const holder of holders) {
            const { rows } = await platform.subgraphs[holder as keyof Platform['subgraphs']].db.query<{ accessor_id: string; purpose: string }>(
              'SELECT accessor_id, purpose FROM access_record WHERE request_id = $1 AND dni = $2',
              [response.requestId, victim.dni],
            );
            recorded ||= rows.some((row) => row.accessor_id === caller.id && row.purpose === recordedPurpose);
          }
          if (!recorded) {
            failures.push(`${label}: no entry in ${holders.join(' or ')}'s access record for request ${response.requestId} with purpose ${recordedPurpose}`);
            continue;
          }
        }
        tally.allowed += 1;
      }
    }
    expect(failures).toEqual([]);
  });
});
