import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Router } from 'express';

const require = createRequire(import.meta.url);

/** React's UMD builds are not in its package exports, so they are found from its package.json. */
function packageFile(packageName: string, file: string): string {
  return join(dirname(require.resolve(`${packageName}/package.json`)), file);
}

/**
 * Everything the playground page loads, served by the gateway itself: GraphiQL works with no CDN
 * and no outside network (an intranet, a locked-down browser), and the page's CSP forbids anything else.
 */
const ASSETS: Record<string, { file: string } | { text: string; type: string }> = {
  'react.production.min.js': { file: packageFile('react', 'umd/react.production.min.js') },
  'react-dom.production.min.js': { file: packageFile('react-dom', 'umd/react-dom.production.min.js') },
  'graphiql.min.js': { file: require.resolve('graphiql/graphiql.min.js') },
  'graphiql.min.css': { file: require.resolve('graphiql/graphiql.min.css') },
  'playground.js': { text: bootScript(), type: 'text/javascript; charset=utf-8' },
};

/** The portal contract's "What do I need?" operation: the page opens with it. */
export const DEFAULT_QUERY = `# "What do I need?": a procedure and, for the signed-in citizen, which requirements are met.
# Anonymous, every status is UNKNOWN. To sign in as Ana (DNI 41234567), run
#   npm run token -- 41234567
# and put {"Authorization": "Bearer <the token>"} in the Headers tab below.
query WhatDoINeed($slug: ID!) {
  procedure(slug: $slug) {
    slug
    title
    summary
    agency { code name }
    fee { amount currency paymentCode }
    processingDays
    channels { kind url offices { id name address } }
    requirements {
      code
      description
      status
      detail
      agency { code }
    }
  }
}
`;

const DEFAULT_VARIABLES = JSON.stringify({ slug: 'revalidar-licencia-de-conducir' }, null, 2);

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Ventanilla playground</title>
  <link rel="stylesheet" href="/playground/assets/graphiql.min.css">
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="graphiql">Loading the playground…</div>
  <script type="application/json" id="playground-defaults">${JSON.stringify({ query: DEFAULT_QUERY, variables: DEFAULT_VARIABLES }).replace(/</g, '\\u003c')}</script>
  <script src="/playground/assets/react.production.min.js"></script>
  <script src="/playground/assets/react-dom.production.min.js"></script>
  <script src="/playground/assets/graphiql.min.js"></script>
  <script src="/playground/assets/playground.js"></script>
</body>
</html>
`;

/**
 * Mounts GraphiQL against the gateway's own /graphql. `?query=` and `?variables=` in the page's URL
 * replace the defaults, so documentation can link to a ready-to-run query.
 */
function bootScript(): string {
  return `'use strict';
(function () {
  var defaults = JSON.parse(document.getElementById('playground-defaults').textContent);
  var params = new URLSearchParams(window.location.search);
  var linked = params.get('query');
  // GraphiQL restores a returning visitor's tabs; the defaults are for a first visit only (GraphiQL 3
  // ignores the variables of defaultTabs, hence the explicit props).
  var firstVisit = !window.localStorage.getItem('graphiql:tabState');
  var fetcher = GraphiQL.createFetcher({ url: new URL('/graphql', window.location.href).href });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaults.query,
      query: linked || (firstVisit ? defaults.query : undefined),
      variables: params.get('variables') || (firstVisit && !linked ? defaults.variables : undefined),
      isHeadersEditorEnabled: true,
      defaultEditorToolsVisibility: 'headers',
      shouldPersistHeaders: false
    })
  );
})();
`;
}

/** Only this origin: the page must never need a CDN. Inline styles are GraphiQL's own (CodeMirror). */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'";

/** `GET /playground` (GraphiQL 3) and its assets under `/playground/assets/`. */
export function playgroundRouter(): Router {
  const router = Router();
  router.get('/playground', (_req, res) => {
    res.set('content-security-policy', CONTENT_SECURITY_POLICY).type('html').send(PAGE);
  });
  router.get('/playground/assets/:name', (req, res) => {
    const asset = ASSETS[req.params.name];
    if (!asset) {
      res.status(404).type('text').send('No such asset.');
      return;
    }
    // The files change only with a new install of their package; a day of caching is safe.
    res.set('cache-control', 'public, max-age=86400');
    if ('file' in asset) res.sendFile(asset.file);
    else res.type(asset.type).send(asset.text);
  });
  return router;
}
