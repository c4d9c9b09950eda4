import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAssertion } from '../../lib/assertions.js';
import { generatePrivateJwk, keySetFrom, type KeySet } from '../../lib/keys.js';
import { DevelopmentIssuerRefused } from '../../lib/signIn.js';
import { errorCodes, postRaw } from '../helpers/graphql.js';
import { startGateway, type RunningGateway } from '../helpers/platform.js';
import { runScript } from '../helpers/script.js';
import { asCitizen, asOfficial, asService, testGatewayKeys, testSignIn, testTrust, tokenFor } from '../helpers/trust.js';
import { startToySubgraph, toySupergraph, type ToySubgraph } from './toys.js';

let people: ToySubgraph;
let pets: ToySubgraph;
let gateway: RunningGateway;
let issuer: { url: string; keys: KeySet };

beforeAll(async () => {
  people = await startToySubgraph('people');
  pets = await startToySubgraph('pets');
  gateway = await startGateway({ kind: 'sdl', sdl: toySupergraph([people, pets]) });
  const trust = await testTrust();
  issuer = { url: trust.issuerUrl, keys: trust.issuerKeys };
});

afterAll(async () => {
  await gateway?.close();
  await people?.close();
  await pets?.close();
});

const now = () => Math.floor(Date.now() / 1000);

/** A token with exactly these claims and header, signed with the test issuer's key unless told otherwise. */
async function forged(claims: JWTPayload, header: Record<string, unknown> = {}, key = issuer.keys.signer.key): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: issuer.keys.signer.kid, ...header } as { alg: string }).sign(key);
}

/** Claims a valid citizen's token carries. */
const valid = (): JWTPayload => ({ sub: '41234567', iss: issuer.url, aud: 'ventanilla', iat: now(), exp: now() + 600 });

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Who the assertion the toy subgraph received names (it echoes its Authorization header). */
async function askAs(authorization: string | undefined, target = gateway) {
  const response = await postRaw(target.url, JSON.stringify({ query: '{ echo { authorization } }' }), authorization ? { authorization } : {});
  const assertion = response.data?.echo?.authorization;
  return { response, asserted: assertion ? await verifyAssertion(assertion, await testGatewayKeys(), 'people') : undefined };
}

describe('sign-in: tokens are verified against the identity provider\'s published keys', () => {
  it.each([
    ['a citizen', asCitizen('41234567')],
    ['an official', asOfficial('MTC-0001')],
    ['an agency service', asService(['identity:read'], 'SUNARP', 'sunarp-registry')],
  ])("accepts %s's token and asserts who they are to subgraphs", async (_kind, caller) => {
    const { response, asserted } = await askAs(`Bearer ${await tokenFor(caller)}`);
    expect(response.status).toBe(200);
    expect(asserted?.caller).toEqual(caller);
  });

  it('tolerates clocks that disagree by less than the skew (60 s by default)', async () => {
    const late = await forged({ ...valid(), exp: now() - 30 });
    const early = await forged({ ...valid(), iat: now() + 30, nbf: now() + 30 });
    expect((await askAs(`Bearer ${late}`)).response.status).toBe(200);
    expect((await askAs(`Bearer ${early}`)).response.status).toBe(200);
  });

  // Every case is a token an attacker or a broken client could send: each is a 401 UNAUTHENTICATED
  // for the whole request, nothing reaches a subgraph, and the message says what is wrong.
  const cases: [string, () => Promise<string>, string][] = [
    ['garbage', async () => 'Bearer not-a-jwt', 'not a well-formed, signed JWT'],
    ['not a bearer header', async () => `Basic ${Buffer.from('a:b').toString('base64')}`, 'must be "Bearer <token>"'],
    ['alg: none', async () => `Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(valid())}.`, 'algorithm this platform does not accept'],
    [
      'HS256 signed with the public key as the secret',
      async () => {
        const publicJwk = issuer.keys.publicJwks.keys[0]!;
        const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
        return `Bearer ${await new SignJWT(valid()).setProtectedHeader({ alg: 'HS256', kid: publicJwk.kid }).sign(secret)}`;
      },
      'algorithm this platform does not accept',
    ],
    [
      'no exp',
      async () => {
        const { exp: _exp, ...claims } = valid();
        return `Bearer ${await forged(claims)}`;
      },
      '"exp" claim is missing or wrong',
    ],
    ['expired past the skew', async () => `Bearer ${await forged({ ...valid(), iat: now() - 7200, exp: now() - 120 })}`, 'has expired'],
    ['issued in the future', async () => `Bearer ${await forged({ ...valid(), iat: now() + 3600, exp: now() + 7200 })}`, 'issued in the future'],
    ['not valid yet', async () => `Bearer ${await forged({ ...valid(), nbf: now() + 3600 })}`, 'not valid yet'],
    ['from another issuer', async () => `Bearer ${await forged({ ...valid(), iss: 'https://evil.example' })}`, 'not issued by the identity provider'],
    ['for another audience', async () => `Bearer ${await forged({ ...valid(), aud: 'another-platform' })}`, 'another audience'],
    [
      'signed with a key of unknown kid',
      async () => {
        const { privateKey } = await generateKeyPair('ES256');
        return `Bearer ${await forged(valid(), { kid: 'not-published' }, privateKey)}`;
      },
      'a key the identity provider does not publish',
    ],
    [
      "signed with another key under the issuer's kid",
      async () => {
        const { privateKey } = await generateKeyPair('ES256');
        return `Bearer ${await forged(valid(), {}, privateKey)}`;
      },
      'signature does not verify',
    ],
    [
      'naming nobody',
      async () => {
        const { sub: _sub, ...claims } = valid();
        return `Bearer ${await forged(claims)}`;
      },
      '"sub" claim is missing or wrong',
    ],
    ['an office but no agency', async () => `Bearer ${await forged({ ...valid(), office: 'mtc-lima-centro' })}`, 'names an office but no agency'],
  ];
  it.each(cases)('refuses a token %s with HTTP 401', async (_name, authorization, reason) => {
    const before = people.requests();
    const { response } = await askAs(await authorization());
    expect(response.status).toBe(401);
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.errors?.[0]?.message).toContain(reason);
    expect(response.data).toBeUndefined();
    expect(people.requests()).toBe(before);
  });

  it('accepts only the algorithms it is configured with', async () => {
    const edOnly = await startGateway({ kind: 'sdl', sdl: toySupergraph([people, pets]) }, { signIn: { algorithms: ['EdDSA'] } });
    try {
      const { response } = await askAs(`Bearer ${await tokenFor(asCitizen('41234567'))}`, edOnly);
      expect(response.status).toBe(401);
      expect(response.errors?.[0]?.message).toContain('algorithm this platform does not accept');
    } finally {
      await edOnly.close();
    }
  });

  it('refuses a malformed purpose with HTTP 400', async () => {
    const response = await postRaw(gateway.url, JSON.stringify({ query: '{ echo { authorization } }' }), { 'x-purpose': 'x'.repeat(201) });
    expect(response.status).toBe(400);
    expect(errorCodes(response)).toEqual(['BAD_REQUEST']);
  });
});

/** An identity provider whose keys a test can rotate: discovery and JWKS over HTTP, like the development issuer. */
async function rotatingIssuer(): Promise<{ url: string; rotate(): Promise<KeySet>; keys(): KeySet; close(): Promise<void> }> {
  let keys = await keySetFrom({ keys: [await generatePrivateJwk()] }, 'rotating issuer');
  let published = keys.publicJwks;
  const server: Server = createServer((req, res) => {
    const body = req.url === '/.well-known/openid-configuration' ? { issuer: url, jwks_uri: `${url}/jwks` } : published;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    keys: () => keys,
    async rotate() {
      keys = await keySetFrom({ keys: [await generatePrivateJwk()] }, 'rotating issuer');
      published = keys.publicJwks;
      return keys;
    },
    close: () => new Promise((closed) => server.close(() => closed())),
  };
}

describe("sign-in follows the identity provider's keys", () => {
  it('takes up a rotated key without a restart', async () => {
    const idp = await rotatingIssuer();
    const rotated = await startGateway({ kind: 'sdl', sdl: toySupergraph([people, pets]) }, { signIn: { issuer: idp.url } });
    try {
      const sign = async (keys: KeySet) =>
        `Bearer ${await new SignJWT({ sub: '41234567' }).setProtectedHeader({ alg: keys.signer.alg, kid: keys.signer.kid }).setIssuer(idp.url).setAudience('ventanilla').setIssuedAt().setExpirationTime('5m').sign(keys.signer.key)}`;
      const before = idp.keys();
      expect((await askAs(await sign(before), rotated)).response.status).toBe(200);
      const after = await idp.rotate();
      // The new kid is unknown to the cached keys: they are fetched again, and the token verifies.
      expect((await askAs(await sign(after), rotated)).response.status).toBe(200);
      // The old key is no longer published, and a token signed with it is refused.
      expect((await askAs(await sign(before), rotated)).response.status).toBe(401);
    } finally {
      await rotated.close();
      await idp.close();
    }
  });

  it('in production, trusts a real identity provider: through discovery, and through a JWKS URL', async () => {
    const idp = await rotatingIssuer();
    try {
      const token = `Bearer ${await new SignJWT({ sub: '41234567' }).setProtectedHeader({ alg: 'ES256', kid: idp.keys().signer.kid }).setIssuer(idp.url).setAudience('ventanilla').setIssuedAt().setExpirationTime('5m').sign(idp.keys().signer.key)}`;
      for (const jwksUrl of [undefined, `${idp.url}/jwks`]) {
        const production = await testSignIn({ issuer: idp.url, jwksUrl, refuseDevelopmentIssuer: true });
        await production.discover();
        expect(await production.callerOf(token)).toEqual({ kind: 'citizen', id: '41234567', scopes: [] });
      }
    } finally {
      await idp.close();
    }
  });

  it('answers 503, not "bad token", when the identity provider cannot be reached', async () => {
    const idp = await rotatingIssuer();
    const token = `Bearer ${await new SignJWT({ sub: '41234567' }).setProtectedHeader({ alg: 'ES256', kid: idp.keys().signer.kid }).setIssuer(idp.url).setAudience('ventanilla').setIssuedAt().setExpirationTime('5m').sign(idp.keys().signer.key)}`;
    await idp.close();
    const unreachable = await startGateway({ kind: 'sdl', sdl: toySupergraph([people, pets]) }, { signIn: { issuer: idp.url } });
    try {
      const { response } = await askAs(token, unreachable);
      expect(response.status).toBe(503);
      expect(errorCodes(response)).toEqual(['SERVICE_UNAVAILABLE']);
      // Anonymous requests need no identity provider.
      expect((await askAs(undefined, unreachable)).response.status).toBe(200);
    } finally {
      await unreachable.close();
    }
  });
});

describe('the development issuer in production', () => {
  it('is recognised by its discovery document and refused', async () => {
    const production = await testSignIn({ refuseDevelopmentIssuer: true });
    await expect(production.discover()).rejects.toThrow(DevelopmentIssuerRefused);
    await expect(production.callerOf(`Bearer ${await tokenFor(asCitizen('41234567'))}`)).rejects.toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
  });

  it('still answers a malformed token with 401, not 500, in production', async () => {
    const production = await testSignIn({ refuseDevelopmentIssuer: true, jwksUrl: `${issuer.url}/.well-known/jwks.json`, issuer: 'http://127.0.0.1:1' });
    for (const garbage of ['abc', 'a.b.c', `${base64url({ alg: 'ES256' })}.x.y`]) {
      await expect(production.callerOf(`Bearer ${garbage}`)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
    }
  });

  it('is refused by its key ids even where its discovery document cannot be read (a JWKS URL alone)', async () => {
    // An issuer URL where nothing answers: discovery fails, and the JWKS URL is the development issuer's.
    const elsewhere = 'http://127.0.0.1:1';
    const production = await testSignIn({ issuer: elsewhere, jwksUrl: `${issuer.url}/.well-known/jwks.json`, refuseDevelopmentIssuer: true });
    const token = await forged({ ...valid(), iss: elsewhere });
    await expect(production.callerOf(`Bearer ${token}`)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' }, message: expect.stringContaining("signed by Ventanilla's development issuer") });
    // The same token, outside production, is fine.
    expect(await (await testSignIn({ issuer: elsewhere, jwksUrl: `${issuer.url}/.well-known/jwks.json` })).callerOf(`Bearer ${token}`)).toMatchObject({ kind: 'citizen' });
  });

  it('stops a production gateway from starting, with its reason', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'ventanilla-keys-'));
    try {
      const keysFile = join(folder, 'keys.json');
      const { privateKey } = await generateKeyPair('ES256', { extractable: true });
      await writeFile(keysFile, JSON.stringify({ keys: [{ ...(await exportJWK(privateKey)), kid: 'k1', alg: 'ES256' }] }));
      const run = await runScript('gateway/main.ts', [], {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        OIDC_ISSUER: issuer.url,
        GATEWAY_KEYS_FILE: keysFile,
        GATEWAY_PORT: '0',
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain("is Ventanilla's development issuer");
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
