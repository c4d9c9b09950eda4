import { createRemoteJWKSet, errors, type JWTVerifyGetKey } from 'jose';

/**
 * The keys that verify some party's tokens could not be fetched (its JWKS is down, slow or not a key
 * set): no token can be checked, which is not the token's fault. Callers answer 503, never "bad token".
 */
export class KeysUnavailable extends Error {
  override name = 'KeysUnavailable';
}

/** How a remote key set is cached (jose's `createRemoteJWKSet` options). */
export interface RemoteKeyOptions {
  /**
   * The shortest time between two fetches caused by a token with an unknown `kid`: it keeps forged
   * `kid`s from hammering the key server, and delays the use of a key published only after the last
   * fetch by at most this long. Default 30 s (jose's).
   */
  cooldownMs?: number;
  /** How long fetched keys are trusted before they are fetched again. Default 10 min (jose's). */
  cacheMaxAgeMs?: number;
  /** How long one fetch may take. Default 5 s. */
  timeoutMs?: number;
}

/** Errors that say something about the token (its `kid`, its `alg`), not about the key server. */
const TOKEN_PROBLEMS = [errors.JWKSNoMatchingKey, errors.JWKSMultipleMatchingKeys, errors.JOSENotSupported, errors.JWKInvalid];

/**
 * jose's remote key set (cached, fetched again on an unknown `kid`, so keys rotate without a restart),
 * with a failure to fetch reported as KeysUnavailable rather than as a verification failure.
 */
export function remoteKeys(url: URL | (() => URL), options: RemoteKeyOptions = {}): JWTVerifyGetKey {
  let keys: JWTVerifyGetKey | undefined;
  // The URL may be known only later (a test's gateway starts after its subgraphs); keys are made on first use.
  const resolve = () =>
    (keys ??= createRemoteJWKSet(typeof url === 'function' ? url() : url, {
      cooldownDuration: options.cooldownMs,
      cacheMaxAge: options.cacheMaxAgeMs,
      timeoutDuration: options.timeoutMs,
    }));
  return async (header, token) => {
    try {
      return await resolve()(header, token);
    } catch (error) {
      if (TOKEN_PROBLEMS.some((problem) => error instanceof problem)) throw error;
      throw new KeysUnavailable(`The keys at ${typeof url === 'function' ? url() : url} could not be fetched: ${(error as Error).message}`, { cause: error });
    }
  };
}
