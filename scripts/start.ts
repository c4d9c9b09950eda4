/**
 * `npm start`: the whole platform on one machine. Starts the development issuer (the identity
 * provider's stand-in), each subgraph and the gateway as its own process (as they run in production),
 * waits until the gateway reports healthy, then prints where everything is and a ready token, signed
 * by the issuer as the national login would sign it. A service that dies is started again (see
 * supervisor.ts) while the others keep serving; `npm run restart -- <service>` restarts one; only
 * Ctrl-C stops them all.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadIssuerConfig, readIssuerKeys } from '../issuer/config.js';
import { signCallerToken } from '../issuer/tokens.js';
import { configOrExit } from '../lib/settings.js';
import { loadSubgraphConfig, SUBGRAPH_NAMES } from '../subgraphs/shared/config.js';
import { loadGatewayConfig } from '../gateway/config.js';
import { readOrCreateKeyFile } from '../lib/keys.js';
import { loadRegistryConfig } from '../registry/config.js';
import { CONTROL_SOCKET, serveControl } from './control.js';
import { DEFAULT_SUPERVISION, Supervisor, type ServiceSpec } from './supervisor.js';

const ANA = '41234567';
const READY_TIMEOUT_MS = 120_000;
const root = fileURLToPath(new URL('..', import.meta.url));
const started = Date.now();

// The contract's operations are the platform's trusted documents: known by hash from the first request.
process.env.TRUSTED_DOCUMENTS ??= join(root, 'contract');
// The gateway serves what agencies publish to the registry (see README, "For agencies").
process.env.SUPERGRAPH_SOURCE ??= 'registry';
// Without Redis nothing announces a publish: on one machine, asking every second costs nothing.
process.env.REGISTRY_POLL_MS ??= '1000';
const registryConfig = configOrExit(() => loadRegistryConfig(process.env));
process.env.REGISTRY_URL ??= `http://127.0.0.1:${registryConfig.port}`;
const gatewayConfig = configOrExit(() => loadGatewayConfig([], process.env));
const issuerConfig = configOrExit(() => loadIssuerConfig(process.env));
// Validate every subgraph's configuration up front, so a typo fails here and not in a child.
const subgraphConfigs = configOrExit(() => SUBGRAPH_NAMES.map((name) => loadSubgraphConfig(name, process.env)));

let stopping = false;

/** A service as it runs in production: its own process, its output prefixed with its name. */
function service(name: string, entry: string): ServiceSpec {
  // Logs stay terse unless asked for: the banner and the supervisor's lines are what a person needs first.
  return { name, command: process.execPath, args: ['--import', 'tsx', entry], cwd: root, env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' } };
}

async function stop(exitCode: number): Promise<void> {
  // Ctrl-C pressed twice, or during the readiness wait's own stop: one stop is enough.
  if (stopping) return;
  stopping = true;
  console.log('[supervisor] stopping every service');
  await Promise.all([supervisor.stop(), control.close()]);
  process.exit(exitCode);
}

// With OIDC_ISSUER naming a real identity provider, the development issuer stays off and no token is printed.
const developmentSignIn = gatewayConfig.signIn.issuer === issuerConfig.url;
// Its key is made here, before any process starts, so that the issuer and the banner's token agree on it.
const issuerKeys = developmentSignIn ? await readIssuerKeys(issuerConfig) : null;
// The gateway's keys too: the registry signs with them as well, and two processes must not each make their own.
await readOrCreateKeyFile(gatewayConfig.keysFile);
const supervisor = new Supervisor(
  [
    ...(developmentSignIn ? [service('issuer', 'issuer/main.ts')] : []),
    ...subgraphConfigs.map((config) => service(config.name, `subgraphs/${config.name}/main.ts`)),
    ...(gatewayConfig.supergraph.kind === 'registry' ? [service('registry', 'registry/main.ts')] : []),
    service('gateway', 'gateway/main.ts'),
  ],
  { say: (line) => console.log(line), relay: (name, line) => console.log(`[${name}] ${line}`) },
  // A service told to stop drains for DRAIN_GRACE_MS first: it is killed only once that is over, and then some.
  { ...DEFAULT_SUPERVISION, stopGraceMs: gatewayConfig.drainGraceMs + 5000 },
);
const control = await serveControl(supervisor, CONTROL_SOCKET).catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
supervisor.start();
process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));

const base = `http://${gatewayConfig.host === '0.0.0.0' ? '127.0.0.1' : gatewayConfig.host}:${gatewayConfig.port}`;
while (true) {
  if (stopping) break;
  const healthy = await fetch(`${base}/health`).then((response) => response.ok, () => false);
  if (healthy) break;
  if (Date.now() - started > READY_TIMEOUT_MS) {
    console.error(`The gateway did not report healthy within ${READY_TIMEOUT_MS / 1000} s; see the logs above.`);
    await stop(1);
  }
  await new Promise((resolve) => setTimeout(resolve, 250));
}

if (!stopping) {
  const where = `
Ventanilla is ready in ${((Date.now() - started) / 1000).toFixed(1)} s.

  GraphQL endpoint  ${base}/graphql
  Playground        ${base}/playground
  Health            ${base}/health
  Subgraphs         ${subgraphConfigs.map((config) => `${config.name} :${config.port}`).join(', ')} (they answer only the gateway)${
    gatewayConfig.supergraph.kind === 'registry' ? `
  Schema registry   http://127.0.0.1:${registryConfig.port} (npm run schema -- check|publish|history|diff|rollback)` : ''
  }`;
  if (!issuerKeys) {
    console.log(`${where}
  Sign-in           ${gatewayConfig.signIn.issuer} (OIDC_ISSUER)

Restart one service: npm run restart -- <service> (${supervisor.names.join(', ')}). Press Ctrl-C to stop.`);
  } else {
    const token = await signCallerToken(issuerKeys, issuerConfig.url, { kind: 'citizen', id: ANA, scopes: [] });
    const query = '{ me { fullName drivingLicence { class expiresOn status } } }';
    console.log(`${where}
  Sign-in           ${issuerConfig.url}, the development issuer (npm run token -- <dni> | --official MTC-0001)

A token for Ana María Quispe Mamani (DNI ${ANA}), valid 12 h:

  ${token}

Try:

  curl -s ${base}/graphql -H 'content-type: application/json' \\
    -H 'authorization: Bearer ${token}' \\
    -d '{"query":"${query}"}'

Restart one service: npm run restart -- <service> (${supervisor.names.join(', ')}). Press Ctrl-C to stop.`);
  }
}
