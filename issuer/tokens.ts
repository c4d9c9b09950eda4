import { SignJWT } from 'jose';
import { claimsOf, type Caller } from '../lib/caller.js';
import type { KeySet } from '../lib/keys.js';
import { TOKEN_AUDIENCE } from './config.js';

export interface TokenOptions {
  /** The token's `aud`; default `ventanilla`. */
  audience?: string;
  /** How long it is valid: seconds, or a span such as "12h" (jose's format); default 12 h. */
  expiresIn?: number | string;
}

/** Signs a token for `caller` as the identity provider `issuer` would, with the first key of `keys`. */
export function signCallerToken(keys: KeySet, issuer: string, caller: Caller, options: TokenOptions = {}): Promise<string> {
  return new SignJWT(claimsOf(caller))
    .setProtectedHeader({ alg: keys.signer.alg, kid: keys.signer.kid, typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience(options.audience ?? TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '12h')
    .sign(keys.signer.key);
}
