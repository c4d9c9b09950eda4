import { listen, shutdownOnSignals } from '../lib/http.js';
import { readKeyFile, readOrCreateKeyFile } from '../lib/keys.js';
import { createLogger } from '../lib/logger.js';
import { configOrExit } from '../lib/settings.js';
import { signIn } from '../lib/signIn.js';
import { loadRegistryConfig } from './config.js';
import { createRegistry } from './createRegistry.js';

const config = configOrExit(() => loadRegistryConfig());
const logger = createLogger('registry', config.logLevel);
const gatewayKeys = await (config.production ? readKeyFile(config.gatewayKeysFile) : readOrCreateKeyFile(config.gatewayKeysFile)).catch((error: Error) => {
  logger.fatal({ keysFile: config.gatewayKeysFile }, error.message);
  process.exit(1);
});
const registry = await createRegistry(config, { signIn: signIn(config.signIn), gatewayKeys, logger });
const listening = await listen(registry.app, config.port, config.host);
logger.info({ url: listening.url, database: registry.db.engine === 'postgres' ? 'postgresql' : `pglite (${config.pgliteDir ?? 'memory'})` }, 'registry ready');
shutdownOnSignals(logger, async () => {
  await listening.close(config.drainGraceMs);
  await registry.close();
});
