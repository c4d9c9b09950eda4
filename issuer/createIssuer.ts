import express from 'express';
import type { KeySet } from '../lib/keys.js';
import { DEVELOPMENT_ISSUER_MARKER } from '../lib/signIn.js';

/**
 * The development identity provider's HTTP face: an OpenID Connect discovery document and the public
 * half of its keys, exactly what a real identity provider (the national login) publishes, so that the
 * gateway verifies development tokens on the production path. It signs tokens through
 * `signCallerToken` (used by `npm run token`), never over HTTP: it has no sign-in of its own.
 */
export function createIssuer(keys: KeySet, issuerUrl: string): express.Express {
  const app = express();
  app.disable('x-powered-by');
  const jwksUri = new URL('/.well-known/jwks.json', issuerUrl).toString();
  app.get('/.well-known/openid-configuration', (_req, res) => {
    res.json({
      issuer: issuerUrl,
      jwks_uri: jwksUri,
      id_token_signing_alg_values_supported: [keys.signer.alg],
      subject_types_supported: ['public'],
      response_types_supported: ['id_token'],
      claims_supported: ['sub', 'name', 'agency', 'office', 'scope'],
      // Lets a production gateway recognise, and refuse, this issuer.
      [DEVELOPMENT_ISSUER_MARKER]: true,
    });
  });
  app.get('/.well-known/jwks.json', (_req, res) => {
    res.set('cache-control', 'public, max-age=60').json(keys.publicJwks);
  });
  app.get('/health', (_req, res) => res.json({ status: 'ok', issuer: issuerUrl }));
  return app;
}
