import { asCitizen, asOfficial, asService, tokenFor } from './trust.js';

/** A bearer token and the purpose stated with it (officials and agency services must state one). */
export interface Credentials {
  token: string;
  purpose?: string;
}

/** A citizen's token, as `npm run token -- <dni>` prints it (signed by the test issuer). */
export function citizenToken(dni: string, expiresIn: string | number = '1h'): Promise<string> {
  return tokenFor(asCitizen(dni), { expiresIn });
}

/** An agency service's token with the given scopes (e.g. `transport:read`), with a purpose stated. */
export async function agencyToken(scopes: string[], purpose = 'integration test'): Promise<Credentials> {
  return { token: await tokenFor(asService(scopes)), purpose };
}

/** A seeded official's token (domain.md §7), with a purpose stated unless told otherwise. */
export async function officialToken(id: string, purpose: string | undefined = 'integration test'): Promise<Credentials> {
  return { token: await tokenFor(asOfficial(id)), purpose };
}

/** A GraphQL response as it came over HTTP. */
export interface GraphQLResponse<Data = any> {
  status: number;
  data?: Data | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  extensions?: Record<string, unknown>;
}

/** The headers that carry `auth`: a bearer token (a caller's, or a gateway assertion for a subgraph) and its purpose. */
export function authHeaders(auth: string | Credentials | undefined): Record<string, string> {
  if (auth === undefined) return {};
  const { token, purpose } = typeof auth === 'string' ? { token: auth, purpose: undefined } : auth;
  return { authorization: `Bearer ${token}`, ...(purpose ? { 'x-purpose': purpose } : {}) };
}

/** POSTs one operation to `url` (ending in /graphql) with an optional bearer token (and purpose). */
export async function graphql<Data = any>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  auth?: string | Credentials,
): Promise<GraphQLResponse<Data>> {
  const { headers: _headers, ...response } = await postRaw<Data>(url, JSON.stringify({ query, variables }), authHeaders(auth));
  return response;
}

/** What `postRaw` read: the GraphQL response and, for what a test checks of them, the response headers. */
export interface RawResponse<Data = any> extends GraphQLResponse<Data> {
  headers: Headers;
}

/**
 * POSTs `body` as it is, for requests `graphql()` cannot make (malformed JSON, a whole document with
 * an operation name, odd headers). An answer that is not JSON fails with its status and start.
 */
export async function postRaw<Data = any>(url: string, body: string, headers: Record<string, string> = {}): Promise<RawResponse<Data>> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await response.text();
  let json: Omit<GraphQLResponse<Data>, 'status'>;
  try {
    json = JSON.parse(text) as Omit<GraphQLResponse<Data>, 'status'>;
  } catch {
    throw new Error(`HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  return { status: response.status, headers: response.headers, ...json };
}

/** The `extensions.code` of each error, in order. */
export function errorCodes(response: GraphQLResponse): unknown[] {
  return (response.errors ?? []).map((error) => error.extensions?.code);
}
