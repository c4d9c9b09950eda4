import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';

/** The asymmetric algorithms Ventanilla signs with and accepts; never a shared secret, never `none`. */
export const SIGNING_ALGORITHMS = ['ES256', 'RS256', 'EdDSA'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** The algorithm of the keys Ventanilla makes itself (the gateway's, the development issuer's): ES256 verifies fastest in jose. */
export const DEFAULT_SIGNING_ALGORITHM: SigningAlgorithm = 'ES256';

/** A key that signs: its id and algorithm go in every JWT header it signs. */
export interface SigningKey {
  kid: string;
  alg: SigningAlgorithm;
  key: CryptoKey;
}

/**
 * A key file's keys: the first signs, and every one is published (`publicJwks`), so that a key can be
 * published before it signs and keep being published after it stops: rotation without a failed
 * verification (see README, "Rotating keys").
 */
export interface KeySet {
  signer: SigningKey;
  publicJwks: JSONWebKeySet;
}

/** What a key file holds: private JWKs, each with its `kid` and `alg`. */
interface KeyFile {
  keys: JWK[];
}

/** Makes a new private key as a JWK (with `kid`, `alg` and `use: sig`), ready for a key file; its kid starts with `kidPrefix`. */
export async function generatePrivateJwk(alg: SigningAlgorithm = DEFAULT_SIGNING_ALGORITHM, kidPrefix = ''): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: `${kidPrefix}${randomUUID()}`, alg, use: 'sig' };
}

/** The key set of `jwks` (private JWKs, the first signs); throws an Error saying what is wrong with it. */
export async function keySetFrom(jwks: { keys?: unknown }, source: string): Promise<KeySet> {
  const keys = Array.isArray(jwks.keys) ? (jwks.keys as JWK[]) : [];
  if (keys.length === 0) throw new Error(`${source} holds no keys: it must be {"keys": [<private JWK>, ...]}.`);
  const published: JWK[] = [];
  let signer: SigningKey | undefined;
  for (const [index, jwk] of keys.entries()) {
    const alg = jwk.alg as SigningAlgorithm | undefined;
    if (!alg || !SIGNING_ALGORITHMS.includes(alg)) {
      throw new Error(`${source}: key ${index} must name its algorithm, one of ${SIGNING_ALGORITHMS.join(', ')} (alg).`);
    }
    if (!jwk.kid) throw new Error(`${source}: key ${index} has no kid.`);
    if (!jwk.d) throw new Error(`${source}: key ${jwk.kid} is not a private key.`);
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, oth: _oth, ...publicJwk } = jwk;
    published.push({ ...publicJwk, use: 'sig' });
    if (index === 0) signer = { kid: jwk.kid, alg, key: (await importJWK(jwk, alg)) as CryptoKey };
  }
  return { signer: signer!, publicJwks: { keys: published } };
}

/** A key file that is not there (`readOrCreateKeyFile` then makes one). */
export class MissingKeyFile extends Error {
  override name = 'MissingKeyFile';
}

/** Reads a key file (see `KeySet`); a missing or malformed one is an Error naming the file. */
export async function readKeyFile(path: string): Promise<KeySet> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new MissingKeyFile(`The key file ${path} does not exist.`);
    throw error;
  }
  let parsed: KeyFile;
  try {
    parsed = JSON.parse(text) as KeyFile;
  } catch {
    throw new Error(`The key file ${path} is not JSON.`);
  }
  return keySetFrom(parsed, `The key file ${path}`);
}

/**
 * The key file at `path`, made with one new key when there is none (development: `.data/`). Safe when
 * several processes start at once: the file appears whole or not at all, and the first one written wins.
 */
export async function readOrCreateKeyFile(path: string, alg: SigningAlgorithm = DEFAULT_SIGNING_ALGORITHM, kidPrefix = ''): Promise<KeySet> {
  try {
    return await readKeyFile(path);
  } catch (error) {
    if (!(error instanceof MissingKeyFile)) throw error;
  }
  await mkdir(dirname(path), { recursive: true });
  const draft = `${path}.${randomUUID()}.tmp`;
  await writeFile(draft, JSON.stringify({ keys: [await generatePrivateJwk(alg, kidPrefix)] }, null, 2), { mode: 0o600 });
  try {
    await link(draft, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(draft, { force: true });
  }
  return readKeyFile(path);
}
