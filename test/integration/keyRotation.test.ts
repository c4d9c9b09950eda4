import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePrivateJwk, keySetFrom } from '../../lib/keys.js';
import { remoteKeys } from '../../lib/keySources.js';
import { composeSupergraph } from '../../schema/compose.js';
import { SERVICES } from '../../subgraphs/services.js';
import { GATEWAY_KEY_CACHE } from '../../subgraphs/shared/start.js';
import { citizenToken, graphql } from '../helpers/graphql.js';
import { ANA } from '../helpers/personas.js';
import { startGateway, type RunningGateway } from '../helpers/platform.js';
import { startSubgraph, type RunningSubgraph } from '../helpers/subgraph.js';

/**
 * The gateway's key rotates without a subgraph restarting: every subgraph follows the keys the gateway
 * publishes at its JWKS URL (fetched again for an unknown `kid`, at most once a second), so a gateway
 * restarted with a new signing key, the old one still published, is trusted at once; a gateway whose
 * key is not published there is not trusted at all.
 */
let subgraphs: RunningSubgraph[] = [];
let port: number;
let gateway: RunningGateway | undefined;
let token: string;
let supergraph: string;

type PrivateKey = { jwk: Awaited<ReturnType<typeof generatePrivateJwk>> };
const keys = async (): Promise<PrivateKey> => ({ jwk: await generatePrivateJwk() });

beforeAll(async () => {
  // The subgraph's keys are the ones published where the gateway listens, whichever gateway that is.
  const options = { engine: 'pglite', citizens: 2, gatewayKeys: remoteKeys(() => new URL(`http://127.0.0.1:${port}/.well-known/jwks.json`), GATEWAY_KEY_CACHE) } as const;
  subgraphs = await Promise.all(SERVICES.map((service) => startSubgraph(service, options)));
  const composed = composeSupergraph(SERVICES.map((service, index) => ({ name: service.name, routingUrl: subgraphs[index]!.url, typeDefs: service.typeDefs })));
  if (composed.errors) throw new Error(JSON.stringify(composed.errors));
  supergraph = composed.supergraphSdl;
  token = await citizenToken(ANA);
});
afterAll(async () => {
  await gateway?.close();
  await Promise.all(subgraphs.map((subgraph) => subgraph.close()));
});

/** Starts a gateway signing with the first of `jwks` and publishing all, where the subgraph looks for keys. */
async function gatewayWith(...jwks: PrivateKey[]): Promise<RunningGateway> {
  await gateway?.close();
  const keySet = await keySetFrom({ keys: jwks.map(({ jwk }) => jwk) }, 'a test gateway');
  gateway = await startGateway({ kind: 'sdl', sdl: supergraph }, { keys: keySet, port: port ?? 0 });
  port = Number(new URL(gateway.baseUrl).port);
  return gateway;
}

const fullName = async () => graphql(gateway!.url, '{ me { fullName } }', {}, token);
const pastCooldown = () => new Promise((resolve) => setTimeout(resolve, (GATEWAY_KEY_CACHE.cooldownMs ?? 0) + 100));

describe("the gateway's signing key", () => {
  it('rotates: a new key, published beside the old one, is trusted without restarting the subgraph', async () => {
    const first = await keys();
    await gatewayWith(first);
    expect((await fullName()).data).toEqual({ me: { fullName: 'Ana María Quispe Mamani' } });

    const second = await keys();
    await pastCooldown();
    await gatewayWith(second, first);
    expect((await fullName()).data).toEqual({ me: { fullName: 'Ana María Quispe Mamani' } });
  });

  it('is trusted only where the subgraph looks: a gateway whose keys are not published there is refused', async () => {
    await pastCooldown();
    const intruder = await keySetFrom({ keys: [(await keys()).jwk] }, 'an intruder');
    // Another gateway, elsewhere, sending the subgraph assertions signed with a key the JWKS URL does not publish.
    const elsewhere = await startGateway({ kind: 'sdl', sdl: supergraph }, { keys: intruder, waitForReady: false });
    try {
      await elsewhere.gateway.ready.catch(() => {});
      const response = await graphql(elsewhere.url, '{ me { fullName } }', {}, token);
      expect(response.errors?.map((error) => [error.extensions?.code, error.extensions?.serviceName])).toContainEqual(['SUBGRAPH_UNAVAILABLE', 'identity']);
      expect(JSON.stringify(response)).not.toContain('Quispe');
    } finally {
      await elsewhere.close();
    }
  });
});
