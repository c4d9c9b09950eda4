import { readFileSync } from 'node:fs';
import { Kind, parse, print, type DocumentNode } from 'graphql';
import { expect } from 'vitest';
import { authHeaders, postRaw, type Credentials, type GraphQLResponse } from '../helpers/graphql.js';

/** What the end-to-end suites share: the portal contract as published, and how to send and check it. */

/**
 * The portal's contract, verbatim: the operations sent are exactly the ones front ends send. It is a
 * copy of `../shared/contract/portal.graphql` kept in the repository so that a clone tests on its own;
 * `contractCopy.test.ts` fails when the copy and the published contract differ.
 */
export const CONTRACT_URL = new URL('../../contract/portal.graphql', import.meta.url);
export const CONTRACT_SOURCE = readFileSync(CONTRACT_URL, 'utf8');
export const CONTRACT_DOCUMENT: DocumentNode = parse(CONTRACT_SOURCE);

/**
 * The accountability contract (the citizen's view of who read their data and of their applications):
 * its copy, and the published file, compared as the portal's are.
 */
export const ACCOUNTABILITY_URL = new URL('../../contract/accountability.graphql', import.meta.url);
export const ACCOUNTABILITY_DOCUMENT: DocumentNode = parse(readFileSync(ACCOUNTABILITY_URL, 'utf8'));

/**
 * One operation of the accountability contract, verbatim but alone: the file also holds a
 * subscription, which `/graphql` refuses (it is served at `/graphql/stream`).
 */
export function accountabilityOperation(name: string): string {
  const operation = ACCOUNTABILITY_DOCUMENT.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION && definition.name?.value === name);
  if (!operation) throw new Error(`The accountability contract has no operation ${name}.`);
  return print(operation);
}

/** The agency desk's contract (the officials' front end), sent as the whole document: its operations share a fragment. */
export const DESK_SOURCE = readFileSync(new URL('../../contract/desk.graphql', import.meta.url), 'utf8');

/** Sends one operation of the desk's contract, verbatim, by its name. */
export function sendDeskOperation(url: string, operationName: string, variables: Record<string, unknown>, auth: string | Credentials): Promise<GraphQLResponse> {
  return postRaw(url, JSON.stringify({ query: DESK_SOURCE, operationName, variables }), authHeaders(auth));
}

/** The names of the contract's operations, in the order the file lists them. */
export const CONTRACT_OPERATIONS = CONTRACT_DOCUMENT.definitions.flatMap((definition) =>
  definition.kind === Kind.OPERATION_DEFINITION && definition.name ? [definition.name.value] : [],
);

/** Sends one operation of the contract document, verbatim, by its name. */
export function sendContractOperation(
  url: string,
  operationName: string,
  variables: Record<string, unknown> = {},
  auth?: string | Credentials,
): Promise<GraphQLResponse> {
  if (!CONTRACT_OPERATIONS.includes(operationName)) throw new Error(`The contract has no operation ${operationName}.`);
  return postRaw(url, JSON.stringify({ query: CONTRACT_SOURCE, operationName, variables }), authHeaders(auth));
}

/** The one error of `response`, checked to carry `code` (and, when given, to be at `path` from `serviceName`). */
export function expectOneError(
  response: GraphQLResponse,
  code: string,
  where: { path?: (string | number)[]; serviceName?: string } = {},
): NonNullable<GraphQLResponse['errors']>[number] {
  expect(response.errors?.map((error) => error.extensions?.code), JSON.stringify(response.errors)).toEqual([code]);
  const error = response.errors![0]!;
  if (where.path) expect(error.path).toEqual(where.path);
  if (where.serviceName) expect(error.extensions?.serviceName).toBe(where.serviceName);
  return error;
}

/** A response with no errors at all: the data is then the whole answer. */
export function expectNoErrors(response: GraphQLResponse): void {
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  expect(response.status).toBe(200);
}

/** Whole days from date `from` to date `to` (both `YYYY-MM-DD`); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

