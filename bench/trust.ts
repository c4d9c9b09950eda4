/**
 * `npm run bench:trust`: what signing and verifying cost per request, on this machine.
 *
 * 1. Each operation alone, with the platform's own code (jose underneath), CPU time per call over many
 *    calls: the gateway verifying a caller's token (for each algorithm an identity provider may use),
 *    the gateway signing one assertion, a subgraph verifying one.
 * 2. What a request needs of them: WhatDoINeed's plan (five fetches to four subgraphs, asserted below
 *    against the real platform) costs one token verification, four assertions signed (one per
 *    subgraph a request reaches) and five verified.
 * 3. The whole request, for scale: WhatDoINeed as Luis through the real platform (the four subgraphs
 *    on the machine's PostgreSQL, as the tests use it, or PGlite in memory with BENCH_ENGINE=pglite;
 *    the gateway; real HTTP on loopback), its median wall time and the CPU per request (all in this
 *    one process, so it includes the subgraphs' too).
 * Not part of `npm test`: it times things.
 */
import { performance } from 'node:perf_hooks';
import { createLocalJWKSet, SignJWT } from 'jose';
import { signAssertion, verifyAssertion } from '../lib/assertions.js';
import type { Caller } from '../lib/caller.js';
import { generatePrivateJwk, keySetFrom, SIGNING_ALGORITHMS, type KeySet, type SigningAlgorithm } from '../lib/keys.js';
import { signIn } from '../lib/signIn.js';
import { createIssuer } from '../issuer/createIssuer.js';
import { listen } from '../lib/http.js';
import { CONTRACT_SOURCE } from '../test/integration/support.js';
import { startPlatform } from '../test/helpers/platform.js';
import { citizenToken } from '../test/helpers/graphql.js';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 2000);
const LUIS: Caller = { kind: 'citizen', id: '45678912', scopes: [] };

/** CPU microseconds per call of `work`, after a warm-up, and wall microseconds. */
async function measure(work: () => Promise<unknown>): Promise<{ cpu: number; wall: number }> {
  for (let i = 0; i < 200; i += 1) await work();
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  for (let i = 0; i < ITERATIONS; i += 1) await work();
  const cpu = process.cpuUsage(cpuStart);
  return { cpu: (cpu.user + cpu.system) / ITERATIONS, wall: ((performance.now() - wallStart) * 1000) / ITERATIONS };
}

const keysOf = async (alg: SigningAlgorithm): Promise<KeySet> => keySetFrom({ keys: [await generatePrivateJwk(alg)] }, alg);
const row = (name: string, { cpu, wall }: { cpu: number; wall: number }) => `| ${name} | ${cpu.toFixed(0)} | ${wall.toFixed(0)} |`;

const lines: string[] = ['| operation | CPU µs per call | wall µs per call |', '|---|---|---|'];

// 1a. The gateway verifying a caller's token, per algorithm, against an issuer's JWKS over HTTP (cached).
let tokenVerify = 0;
for (const alg of SIGNING_ALGORITHMS) {
  const keys = await keysOf(alg);
  const listening = await listen(createIssuer(keys, 'http://127.0.0.1'), 0, '127.0.0.1');
  const issuer = listening.url;
  // The issuer's discovery names the URL it was given; this one is where it listens.
  const verifier = signIn({ issuer, jwksUrl: `${issuer}/.well-known/jwks.json`, audience: 'ventanilla', algorithms: [alg], clockSkewSeconds: 60 });
  const token = await new SignJWT({ sub: LUIS.id }).setProtectedHeader({ alg, kid: keys.signer.kid }).setIssuer(issuer).setAudience('ventanilla').setIssuedAt().setExpirationTime('1h').sign(keys.signer.key);
  const cost = await measure(() => verifier.callerOf(`Bearer ${token}`));
  if (alg === 'ES256') tokenVerify = cost.cpu;
  lines.push(row(`gateway: verify a caller's ${alg} token`, cost));
  await listening.close();
}

// 1b. The gateway signing an assertion, a subgraph verifying it (ES256, the gateway's algorithm).
const gatewayKeys = await keysOf('ES256');
const sign = await measure(() => signAssertion(gatewayKeys, 'transport', { caller: LUIS, purpose: null, requestId: 'bench' }));
lines.push(row('gateway: sign one assertion (ES256)', sign));
const assertion = await signAssertion(gatewayKeys, 'transport', { caller: LUIS, purpose: null, requestId: 'bench' });
const localKeys = createLocalJWKSet(gatewayKeys.publicJwks);
const verify = await measure(() => verifyAssertion(`Bearer ${assertion}`, localKeys, 'transport'));
lines.push(row('subgraph: verify one assertion (ES256)', verify));

// 2 and 3. WhatDoINeed through the real platform.
const platform = await startPlatform({ engine: process.env.BENCH_ENGINE === 'pglite' ? 'pglite' : 'postgres', citizens: 10 });
let fetches = 0;
const subgraphsReached = new Set<string>();
const token = await citizenToken(LUIS.id);
const body = JSON.stringify({ query: CONTRACT_SOURCE, operationName: 'WhatDoINeed', variables: { slug: 'revalidar-licencia-de-conducir' } });
const whatDoINeed = async () => {
  const response = await fetch(platform.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
  const json = (await response.json()) as { errors?: unknown };
  if (json.errors) throw new Error(JSON.stringify(json.errors));
};
// Count the fetches one request makes, from the plan the gateway reports in development.
const planned = await fetch(platform.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'apollo-query-plan-experimental': '1' }, body });
const plan = String(((await planned.json()) as { extensions?: { __queryPlanExperimental?: string } }).extensions?.__queryPlanExperimental ?? '');
for (const match of plan.matchAll(/Fetch\(service: "(\w+)"\)/g)) {
  fetches += 1;
  subgraphsReached.add(match[1]!);
}
const requestCost = tokenVerify + subgraphsReached.size * sign.cpu + fetches * verify.cpu;
const timings: number[] = [];
for (let i = 0; i < 50; i += 1) await whatDoINeed();
const cpuStart = process.cpuUsage();
const requests = Math.max(200, Math.floor(ITERATIONS / 10));
for (let i = 0; i < requests; i += 1) {
  const started = performance.now();
  await whatDoINeed();
  timings.push(performance.now() - started);
}
const cpu = process.cpuUsage(cpuStart);
await platform.close();
timings.sort((a, b) => a - b);
const median = timings[Math.floor(timings.length / 2)]!;
const cpuPerRequest = (cpu.user + cpu.system) / requests / 1000;

console.log(`Signing and verifying, ${ITERATIONS} calls each (Node ${process.version}, ${process.arch}):\n`);
console.log(lines.join('\n'));
console.log(`
WhatDoINeed (Luis, licence revalidation): ${fetches} fetches to ${subgraphsReached.size} subgraphs (${[...subgraphsReached].join(', ')}).
Per request: 1 token verified + ${subgraphsReached.size} assertions signed + ${fetches} assertions verified = ${(requestCost / 1000).toFixed(2)} ms of CPU.
The whole request, ${requests} times in one process (gateway and subgraphs alike): median ${median.toFixed(1)} ms wall, ${cpuPerRequest.toFixed(2)} ms CPU;
signing and verifying are ${((requestCost / 1000 / cpuPerRequest) * 100).toFixed(0)} % of that CPU.`);
