import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, type JWTVerifyGetKey } from 'jose';
import { signAssertion } from '../../lib/assertions.js';
import type { Caller } from '../../lib/caller.js';
import { generatePrivateJwk, keySetFrom, SIGNING_ALGORITHMS, type KeySet } from '../../lib/keys.js';
import { DEVELOPMENT_KEY_ID_PREFIX, signIn, type SignIn, type SignInOptions } from '../../lib/signIn.js';
import { createIssuer } from '../../issuer/createIssuer.js';
import { officialCaller } from '../../issuer/directory.js';
import { signCallerToken, type TokenOptions } from '../../issuer/tokens.js';

/**
 * Who the tests trust, one set per test process: an identity provider (the development issuer, on
 * an OS-picked port, with a key of its own) and the gateway's key set. Tokens and assertions are
 * signed with these exactly as in production; nothing is shared with `.data/`.
 */
export interface TestTrust {
  issuerUrl: string;
  issuerKeys: KeySet;
  gatewayKeys: KeySet;
}

let trust: Promise<TestTrust> | undefined;

export function testTrust(): Promise<TestTrust> {
  trust ??= (async () => {
    // The development issuer's kind of key: a production gateway refuses what it signs.
    const issuerKeys = await keySetFrom({ keys: [await generatePrivateJwk('ES256', DEVELOPMENT_KEY_ID_PREFIX)] }, 'the test issuer');
    const gatewayKeys = await keySetFrom({ keys: [await generatePrivateJwk()] }, 'the test gateway');
    const server = createServer();
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    const issuerUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    server.on('request', createIssuer(issuerKeys, issuerUrl));
    // The issuer lives as long as the test process, and never keeps it alive.
    server.unref();
    return { issuerUrl, issuerKeys, gatewayKeys };
  })();
  return trust;
}

/** Sign-in as the test gateways verify it: the test issuer, audience `ventanilla`, no cool-down on unknown keys. */
export async function testSignInOptions(overrides: Partial<SignInOptions> = {}): Promise<SignInOptions> {
  const { issuerUrl } = await testTrust();
  return { issuer: issuerUrl, audience: 'ventanilla', algorithms: [...SIGNING_ALGORITHMS], clockSkewSeconds: 60, keys: { cooldownMs: 0 }, ...overrides };
}

export async function testSignIn(overrides: Partial<SignInOptions> = {}): Promise<SignIn> {
  return signIn(await testSignInOptions(overrides));
}

/** The test gateway's public keys, as a subgraph started alone verifies assertions with. */
export async function testGatewayKeys(): Promise<JWTVerifyGetKey> {
  return createLocalJWKSet((await testTrust()).gatewayKeys.publicJwks);
}

/** The callers of the tests: citizens, the seeded officials, and agency services. */
export const asCitizen = (dni: string): Caller => ({ kind: 'citizen', id: dni, scopes: [] });

export function asOfficial(id: string): Caller {
  const official = officialCaller(id);
  if (!official) throw new Error(`No official ${id} is seeded.`);
  return official;
}

export const asService = (scopes: readonly string[], agency = 'SUNARP', id = 'test-service'): Caller => ({
  kind: 'service',
  id,
  name: 'Test service',
  agency,
  scopes,
});

/** A token for `caller` from the test identity provider, as the national login would issue it. */
export async function tokenFor(caller: Caller, options: TokenOptions = {}): Promise<string> {
  const { issuerKeys, issuerUrl } = await testTrust();
  return signCallerToken(issuerKeys, issuerUrl, caller, { expiresIn: '1h', ...options });
}

/** The assertion the test gateway would send `subgraph` for `caller` (null: anonymous), for tests that call a subgraph directly. */
export async function assertionFor(subgraph: string, caller: Caller | null, purpose: string | null = null, requestId = 'test-request'): Promise<string> {
  return signAssertion((await testTrust()).gatewayKeys, subgraph, { caller, purpose, requestId });
}
