import { errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { callerFromClaims, UnknownCaller, type Caller } from './caller.js';
import { invalidToken, signInUnavailable } from './errors.js';
import { KeysUnavailable, remoteKeys, type RemoteKeyOptions } from './keySources.js';
import type { SigningAlgorithm } from './keys.js';

/** Where callers' tokens come from and what they must say. */
export interface SignInOptions {
  /** The identity provider's issuer URL: every token's `iss`, and where OIDC discovery starts. */
  issuer: string;
  /** Its JWKS URL; when absent, found by OIDC discovery (`<issuer>/.well-known/openid-configuration`). */
  jwksUrl?: string;
  /** Every token's `aud` must include it. */
  audience: string;
  /** The only algorithms accepted (asymmetric ones: see `SIGNING_ALGORITHMS`). */
  algorithms: readonly SigningAlgorithm[];
  /** How far `exp`, `nbf` and `iat` may be off, in seconds (clocks drift). */
  clockSkewSeconds: number;
  /** Refuse an issuer whose discovery document says it is Ventanilla's development issuer (production). */
  refuseDevelopmentIssuer?: boolean;
  /** How the identity provider's keys are cached (see `RemoteKeyOptions`). */
  keys?: RemoteKeyOptions;
}

/**
 * What Ventanilla's development issuer adds to its discovery document, so that a production gateway
 * can tell it apart from a real identity provider and refuse it.
 */
export const DEVELOPMENT_ISSUER_MARKER = 'ventanilla_development_issuer';

/**
 * How the development issuer's key ids begin: a production gateway refuses a token signed by one even
 * where it cannot read the issuer's discovery document (configured with a JWKS URL alone).
 */
export const DEVELOPMENT_KEY_ID_PREFIX = 'ventanilla-development-';

/** A token signed with a development key reached a production gateway. */
class DevelopmentKeyRefused extends Error {}

/** The identity provider is Ventanilla's development issuer and this gateway must not trust it. */
export class DevelopmentIssuerRefused extends Error {
  override name = 'DevelopmentIssuerRefused';
}

/** Verifies callers' bearer tokens; anonymous requests (no header) have no caller. */
export interface SignIn {
  /**
   * The caller of an `Authorization` header: null without one. A token that is malformed, expired,
   * not yet valid, issued in the future, for another audience, from another issuer, with an algorithm
   * off the list or a key the issuer does not publish is a 401 UNAUTHENTICATED; keys that cannot be
   * fetched, a 503.
   */
  callerOf(authorization: string | undefined): Promise<Caller | null>;
  /** Runs OIDC discovery now (it otherwise runs at the first token); throws DevelopmentIssuerRefused or a fetch failure. */
  discover(): Promise<void>;
}

/** How long a failed discovery answers for itself before it is tried again. */
const DISCOVERY_RETRY_MS = 5000;

export function signIn(options: SignInOptions): SignIn {
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const keysOnce = () => {
    // A failed discovery is kept a few seconds, not for good: tokens during an outage fail fast, and
    // the first one after it tries again.
    keys ??= findKeys(options).catch((error: unknown) => {
      setTimeout(() => (keys = undefined), DISCOVERY_RETRY_MS).unref();
      throw error;
    });
    return keys;
  };
  return {
    async discover() {
      await keysOnce();
    },
    async callerOf(authorization) {
      if (!authorization) return null;
      const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
      if (!match?.[1]) throw invalidToken('The Authorization header must be "Bearer <token>".');
      let getKey: JWTVerifyGetKey;
      try {
        getKey = await keysOnce();
      } catch (error) {
        throw signInUnavailable(error);
      }
      return verifiedCaller(match[1], getKey, options);
    },
  };
}

async function verifiedCaller(token: string, getKey: JWTVerifyGetKey, options: SignInOptions): Promise<Caller> {
  try {
    const keyFor: JWTVerifyGetKey = (header, token) => {
      // Asked once jose has read a well-formed header: a malformed token is jose's to refuse.
      if (options.refuseDevelopmentIssuer && String(header.kid ?? '').startsWith(DEVELOPMENT_KEY_ID_PREFIX)) throw new DevelopmentKeyRefused();
      return getKey(header, token);
    };
    const { payload } = await jwtVerify(token, keyFor, {
      issuer: options.issuer,
      audience: options.audience,
      algorithms: [...options.algorithms],
      clockTolerance: options.clockSkewSeconds,
      requiredClaims: ['exp', 'sub'],
    });
    // jose checks `iat` only against a maximum age; a token claiming to be issued later than now is forged or from a broken clock.
    if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + options.clockSkewSeconds) {
      throw invalidToken('The token is not valid: it says it was issued in the future.');
    }
    return callerFromClaims(payload);
  } catch (error) {
    if (error instanceof KeysUnavailable) throw signInUnavailable(error);
    if (error instanceof DevelopmentKeyRefused) {
      throw invalidToken("The token is not valid: it is signed by Ventanilla's development issuer, which a production gateway does not trust.");
    }
    if (error instanceof errors.JWTExpired) throw invalidToken('The token has expired: sign in again.');
    if (error instanceof UnknownCaller) throw invalidToken(`The token is not valid: ${error.message}`);
    if (error instanceof errors.JOSEError) throw invalidToken(`The token is not valid: ${reasonOf(error)}`);
    throw error;
  }
}

/** A short reason for the caller: enough to fix their client, nothing about the server. */
function reasonOf(error: InstanceType<typeof errors.JOSEError>): string {
  if (error instanceof errors.JWTClaimValidationFailed) {
    const claim = error.claim;
    if (claim === 'iss') return 'it was not issued by the identity provider this platform trusts.';
    if (claim === 'aud') return 'it is meant for another audience.';
    if (claim === 'nbf') return 'it is not valid yet.';
    return `its "${claim}" claim is missing or wrong.`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'it is signed with an algorithm this platform does not accept.';
  if (error instanceof errors.JWKSNoMatchingKey) return 'it is signed with a key the identity provider does not publish.';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'its signature does not verify.';
  return 'it is not a well-formed, signed JWT.';
}

/** The identity provider's keys: from `jwksUrl`, or from the `jwks_uri` its discovery document names. */
async function findKeys(options: SignInOptions): Promise<JWTVerifyGetKey> {
  const document = await discoveryDocument(options).catch((error: unknown) => {
    // With a JWKS URL given, discovery is only asked whether this is the development issuer, which
    // always serves it: a provider that publishes no discovery document is still trusted through it.
    if (options.jwksUrl) return null;
    throw error;
  });
  if (document && options.refuseDevelopmentIssuer && document[DEVELOPMENT_ISSUER_MARKER] === true) {
    throw new DevelopmentIssuerRefused(
      `${options.issuer} is Ventanilla's development issuer, whose keys sit in a folder: a production gateway does not trust it. Set OIDC_ISSUER to the national login's issuer.`,
    );
  }
  if (options.jwksUrl) return remoteKeys(new URL(options.jwksUrl), options.keys);
  // OpenID Connect Discovery 1.0 §4.3: the document must be the issuer's own.
  if (document!.issuer !== options.issuer) {
    throw new KeysUnavailable(`OIDC discovery for ${options.issuer} names issuer ${JSON.stringify(document!.issuer)} instead.`);
  }
  const jwksUri = document!.jwks_uri;
  if (typeof jwksUri !== 'string' || !URL.canParse(jwksUri)) throw new KeysUnavailable(`OIDC discovery for ${options.issuer} names no jwks_uri.`);
  return remoteKeys(new URL(jwksUri), options.keys);
}

/** `<issuer>/.well-known/openid-configuration`, or KeysUnavailable. */
async function discoveryDocument(options: SignInOptions): Promise<Record<string, unknown>> {
  const discoveryUrl = new URL('.well-known/openid-configuration', options.issuer.endsWith('/') ? options.issuer : `${options.issuer}/`);
  try {
    const response = await fetch(discoveryUrl, { signal: AbortSignal.timeout(options.keys?.timeoutMs ?? 5000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return (await response.json()) as Record<string, unknown>;
  } catch (error) {
    throw new KeysUnavailable(`OIDC discovery at ${discoveryUrl} failed: ${(error as Error).message}`, { cause: error });
  }
}
