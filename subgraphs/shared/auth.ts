import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { isDni } from './dni.js';
import { forbidden, invalidToken } from '../../lib/errors.js';

/**
 * Who is asking. A citizen signs in with their DNI (`sub`); an agency's token carries scopes
 * (`identity:read`, `transport:read`, `taxes:read`, ...) that let it read other citizens' records.
 */
export interface Viewer {
  /** The signed-in citizen's DNI, when the token is a citizen's. */
  dni: string | null;
  /** What the token may do beyond the citizen's own records. */
  scopes: readonly string[];
  /** The raw bearer token, forwarded from gateway to subgraphs. */
  token: string;
}

/** Issuer and audience every Ventanilla token carries; a token for another system is refused. */
export const TOKEN_ISSUER = 'ventanilla';
export const TOKEN_AUDIENCE = 'ventanilla';

function keyFrom(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/** Signs a token for a citizen (development and tests: production tokens come from the national login). */
export async function signToken(
  secret: string,
  claims: { dni?: string; scopes?: string[] },
  expiresIn: string | number = '12h',
): Promise<string> {
  const jwt = new SignJWT(claims.scopes?.length ? { scope: claims.scopes.join(' ') } : {})
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(expiresIn);
  if (claims.dni) jwt.setSubject(claims.dni);
  return jwt.sign(keyFrom(secret));
}

/**
 * Reads the `Authorization` header: no header means an anonymous viewer (null); a header that is not
 * a valid, unexpired Ventanilla token is an UNAUTHENTICATED error, never silently anonymous.
 */
export async function viewerFromAuthorization(
  header: string | undefined,
  secret: string,
): Promise<Viewer | null> {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match?.[1]) throw invalidToken('The Authorization header must be "Bearer <token>".');
  const token = match[1];
  try {
    const { payload } = await jwtVerify(token, keyFrom(secret), {
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      algorithms: ['HS256'],
    });
    const dni = typeof payload.sub === 'string' ? payload.sub : null;
    if (dni !== null && !isDni(dni)) throw invalidToken('The token names no valid DNI.');
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
    return { dni, scopes, token };
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw invalidToken('The token has expired: sign in again.');
    if (error instanceof joseErrors.JOSEError) throw invalidToken('The token is not valid.');
    throw error;
  }
}

/**
 * Whether `viewer` may read the personal records of citizen `dni` held by an agency that grants
 * `scope` to authorised agencies: a citizen reads their own, an agency what its scope allows.
 */
export function mayRead(viewer: Viewer | null, dni: string, scope: string): boolean {
  if (!viewer) return false;
  return viewer.dni === dni || viewer.scopes.includes(scope);
}

/** Throws FORBIDDEN unless `viewer` may read citizen `dni`'s records held under `scope` (see mayRead). */
export function assertMayRead(viewer: Viewer | null, dni: string, scope: string): void {
  if (!mayRead(viewer, dni, scope)) throw forbidden();
}
