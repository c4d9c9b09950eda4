import { signToken } from '../../subgraphs/shared/auth.js';
import { DEVELOPMENT_JWT_SECRET } from '../../subgraphs/shared/config.js';

/** The secret every test server is started with. */
export const TEST_JWT_SECRET = DEVELOPMENT_JWT_SECRET;

/** A citizen's token, as `npm run token -- <dni>` prints it. */
export function citizenToken(dni: string, expiresIn: string | number = '1h'): Promise<string> {
  return signToken(TEST_JWT_SECRET, { dni }, expiresIn);
}

/** An agency's token with the given scopes (e.g. `transport:read`) and no citizen. */
export function agencyToken(scopes: string[]): Promise<string> {
  return signToken(TEST_JWT_SECRET, { scopes }, '1h');
}

/** A GraphQL response as it came over HTTP. */
export interface GraphQLResponse<Data = any> {
  status: number;
  data?: Data | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  extensions?: Record<string, unknown>;
}

/** POSTs one operation to `url` (ending in /graphql) with an optional bearer token. */
export async function graphql<Data = any>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  token?: string,
): Promise<GraphQLResponse<Data>> {
  const { headers: _headers, ...response } = await postRaw<Data>(url, JSON.stringify({ query, variables }), token ? { authorization: `Bearer ${token}` } : {});
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
