import { print } from 'graphql';
import type express from 'express';
import type { KeySet } from '../lib/keys.js';
import type { Logger } from '../lib/logger.js';
import { openSharedStore, type SharedStore } from '../lib/redis.js';
import type { SignIn } from '../lib/signIn.js';
import { routingUrl } from '../gateway/config.js';
import { composeSupergraph, formatProblems, readSupergraphConfig, supergraphIdOf } from '../schema/compose.js';
import { migrate, type Database } from '../subgraphs/shared/db.js';
import { openAgencyDatabase } from '../subgraphs/shared/start.js';
import type { RegistryConfig } from './config.js';
import { ownerOf, registryApp, sameSubgraphSchema } from './service.js';
import { registryStore } from './store.js';

const MIGRATIONS = new URL('./migrations/', import.meta.url);

export interface Registry {
  app: express.Express;
  db: Database;
  shared: SharedStore;
  close(): Promise<void>;
}

/**
 * Opens the registry's database (migrated), and when it is empty records the subgraphs of
 * `config.seedConfig` as everyone's first version, so that gateways have a supergraph to serve.
 */
export async function createRegistry(
  config: Pick<RegistryConfig, 'databaseUrl' | 'pgliteDir' | 'redis' | 'contractFolder' | 'usageWindowDays' | 'seedConfig'> & Partial<Pick<RegistryConfig, 'subgraphUrls' | 'subgraphPorts'>>,
  deps: { signIn: SignIn; gatewayKeys: KeySet; logger: Logger },
): Promise<Registry> {
  const db = await openAgencyDatabase('registry', { databaseUrl: config.databaseUrl, pgliteDir: config.pgliteDir });
  const shared = openSharedStore({ url: config.redis.url, keyPrefix: config.redis.keyPrefix, logger: deps.logger });
  try {
    await migrate(db, MIGRATIONS);
    const store = registryStore(db);
    if (await seed(store, config.seedConfig)) deps.logger.info({ from: config.seedConfig }, 'registry seeded with the first version of every subgraph');
    else await warnOfUnpublishedFiles(store, config.seedConfig, deps.logger);
    const app = registryApp({ store, shared, keyPrefix: config.redis.keyPrefix, signIn: deps.signIn, gatewayKeys: deps.gatewayKeys, contractFolder: config.contractFolder, reach: (name, url) => routingUrl(config.subgraphUrls ?? {}, name, url, config.subgraphPorts ?? {}), usageWindowDays: config.usageWindowDays, logger: deps.logger });
    return { app, db, shared, close: async () => Promise.all([shared.close(), db.close()]).then(() => {}) };
  } catch (error) {
    await Promise.all([shared.close(), db.close()]);
    throw error;
  }
}

async function seed(store: ReturnType<typeof registryStore>, configFile: string): Promise<boolean> {
  if ((await store.current()).length) return false;
  const definitions = await readSupergraphConfig(configFile);
  const composition = composeSupergraph(definitions);
  if (composition.errors) throw new Error(`The registry's first versions (${configFile}) do not compose:\n${formatProblems(composition.errors)}`);
  const versions = definitions.map(({ name, routingUrl, typeDefs }) => {
    const sdl = print(typeDefs);
    return { subgraph: name, sdl, routingUrl, agency: ownerOf(sdl) ?? 'unknown', publishedBy: 'registry', reason: `first version, from ${configFile}`, forced: false, changes: [] };
  });
  return store.seed(versions, { id: supergraphIdOf(composition.supergraphSdl), sdl: composition.supergraphSdl });
}

/**
 * What gateways serve is what was published, not what the SDL files say: an edited file that was
 * never published is a surprise worth a line at start.
 */
async function warnOfUnpublishedFiles(store: ReturnType<typeof registryStore>, configFile: string, logger: Logger): Promise<void> {
  const definitions = await readSupergraphConfig(configFile).catch(() => []);
  const current = await store.current();
  for (const { name, typeDefs } of definitions) {
    const published = current.find((version) => version.name === name);
    if (!published || (await sameSubgraphSchema(published.sdl, print(typeDefs)))) continue;
    logger.warn({ subgraph: name, publishedVersion: published.version }, `${name}'s SDL file differs from its published version ${published.version}: gateways serve the published one (npm run schema -- publish ${name} ...)`);
  }
}
