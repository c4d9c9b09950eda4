import { errors, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import { callerFromClaims, claimsOf, UnknownCaller, type Caller } from './caller.js';
import { KeysUnavailable } from './keySources.js';
import { SIGNING_ALGORITHMS, type KeySet } from './keys.js';

/**
 * What the gateway tells a subgraph with every fetch, signed with its own key: who the verified caller
 * is, why they ask, and which request this is. Subgraphs trust nothing else of a request.
 */
export interface Assertion {
  /** The verified caller; null for an anonymous request and for the gateway's own (health checks, schema loads). */
  caller: Caller | null;
  /** The purpose the caller stated (`x-purpose`), or null. */
  purpose: string | null;
  /** The request id, the same in the gateway's logs, every subgraph's and the access records. */
  requestId: string;
}

/** The `iss` of every assertion. */
export const ASSERTION_ISSUER = 'ventanilla-gateway';
/** The audience of the gateway's usage reports to the schema registry: no subgraph's name can be it. */
export const USAGE_AUDIENCE = 'urn:ventanilla:registry';
/** The longest an assertion lives: long enough for a slow fetch, too short to be worth stealing. */
export const ASSERTION_LIFETIME_SECONDS = 60;
/** How far the gateway's and a subgraph's clocks may disagree. */
const ASSERTION_CLOCK_SKEW_SECONDS = 5;

/** Signs an assertion for subgraph `audience` with the first key of `keys`. */
export function signAssertion(keys: KeySet, audience: string, assertion: Assertion): Promise<string> {
  const { signer } = keys;
  const caller = assertion.caller ? { caller: claimsOf(assertion.caller) } : {};
  const purpose = assertion.purpose === null ? {} : { purpose: assertion.purpose };
  return new SignJWT({ ...caller, ...purpose, rid: assertion.requestId })
    .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: 'ventanilla-assertion+jwt' })
    .setIssuer(ASSERTION_ISSUER)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(`${ASSERTION_LIFETIME_SECONDS}s`)
    .sign(signer.key);
}

/** Why a subgraph refused a request: it did not come from the gateway, or not for this subgraph, or not now. */
export class AssertionRefused extends Error {
  override name = 'AssertionRefused';
}

/**
 * Verifies the assertion in an `Authorization: Bearer` header for subgraph `audience` against the
 * gateway's published keys. Anything but a fresh assertion the gateway signed for this subgraph is
 * AssertionRefused (a citizen's own token included); keys that cannot be fetched, KeysUnavailable.
 */
export async function verifyAssertion(authorization: string | undefined, gatewayKeys: JWTVerifyGetKey, audience: string): Promise<Assertion> {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '')?.[1];
  if (!token) throw new AssertionRefused('This subgraph answers only the gateway, and the request carries no assertion from it.');
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, gatewayKeys, {
      issuer: ASSERTION_ISSUER,
      audience,
      algorithms: [...SIGNING_ALGORITHMS],
      typ: 'ventanilla-assertion+jwt',
      requiredClaims: ['exp', 'iat', 'rid'],
      // Also refuses an `iat` in the future.
      maxTokenAge: ASSERTION_LIFETIME_SECONDS + ASSERTION_CLOCK_SKEW_SECONDS,
      clockTolerance: ASSERTION_CLOCK_SKEW_SECONDS,
    }));
  } catch (error) {
    if (error instanceof KeysUnavailable) throw error;
    if (error instanceof errors.JOSEError) throw new AssertionRefused(`The gateway assertion is not valid for the ${audience} subgraph (${error.code}).`);
    throw error;
  }
  if ((payload.exp as number) - (payload.iat as number) > ASSERTION_LIFETIME_SECONDS) {
    throw new AssertionRefused(`The gateway assertion lives longer than ${ASSERTION_LIFETIME_SECONDS} s.`);
  }
  const { caller, purpose, rid } = payload;
  if (typeof rid !== 'string' || (purpose !== undefined && typeof purpose !== 'string')) throw new AssertionRefused('The gateway assertion is malformed.');
  if (caller !== undefined && (typeof caller !== 'object' || caller === null)) throw new AssertionRefused('The gateway assertion is malformed.');
  try {
    return { caller: caller === undefined ? null : callerFromClaims(caller as Record<string, unknown>), purpose: purpose ?? null, requestId: rid };
  } catch (error) {
    if (error instanceof UnknownCaller) throw new AssertionRefused(`The gateway assertion is malformed: ${error.message}`);
    throw error;
  }
}
