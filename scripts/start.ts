/**
 * `npm start`: the whole platform on one machine. Starts the development issuer (the identity
 * provider's stand-in), each subgraph and the gateway as its own process (as they run in production),
 * waits until the gateway reports healthy, then prints where everything is and a ready token, signed
 * by the issuer as the national login would sign it. Ctrl-C stops them all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadIssuerConfig, readIssuerKeys } from '../issuer/config.js';
import { signCallerToken } from '../issuer/tokens.js';
import { configOrExit } from '../lib/settings.js';
import { loadSubgraphConfig, SUBGRAPH_NAMES } from '../subgraphs/shared/config.js';
import { loadGatewayConfig } from '../gateway/config.js';

const ANA = '41234567';
const READY_TIMEOUT_MS = 120_000;
const root = fileURLToPath(new URL('..', import.meta.url));
const started = Date.now();

const gatewayConfig = configOrExit(() => loadGatewayConfig([], process.env));
const issuerConfig = configOrExit(() => loadIssuerConfig(process.env));
// Validate every subgraph's configuration up front, so a typo fails here and not in a child.
const subgraphConfigs = configOrExit(() => SUBGRAPH_NAMES.map((name) => loadSubgraphConfig(name, process.env)));

const children = new Map<string, ChildProcess>();
let stopping = false;

function run(name: string, entry: string): void {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: root,
    // Logs stay terse unless asked for: the banner below is what a person needs first.
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[${name}] `;
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line) process.stdout.write(prefix + line + '\n');
    });
  }
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (stopping) return;
    console.error(`${prefix}exited (${signal ?? `code ${code}`}); stopping the platform.`);
    void stop(1);
  });
  children.set(name, child);
}

async function stop(exitCode: number): Promise<void> {
  // Ctrl-C while a child's exit is already stopping the platform: one stop is enough.
  if (stopping) return;
  stopping = true;
  const exits = [...children.values()].map(
    (child) => new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  );
  await Promise.race([Promise.all(exits), new Promise((resolve) => setTimeout(resolve, 10_000))]);
  process.exit(exitCode);
}

process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));

// With OIDC_ISSUER naming a real identity provider, the development issuer stays off and no token is printed.
const developmentSignIn = gatewayConfig.signIn.issuer === issuerConfig.url;
// Its key is made here, before any process starts, so that the issuer and the banner's token agree on it.
const issuerKeys = developmentSignIn ? await readIssuerKeys(issuerConfig) : null;
if (developmentSignIn) run('issuer', 'issuer/main.ts');
for (const config of subgraphConfigs) run(config.name, `subgraphs/${config.name}/main.ts`);
run('gateway', 'gateway/main.ts');

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
  Subgraphs         ${subgraphConfigs.map((config) => `${config.name} :${config.port}`).join(', ')} (they answer only the gateway)`;
  if (!issuerKeys) {
    console.log(`${where}
  Sign-in           ${gatewayConfig.signIn.issuer} (OIDC_ISSUER)

Press Ctrl-C to stop.`);
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

Press Ctrl-C to stop.`);
  }
}
