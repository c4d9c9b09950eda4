import { listen } from '../subgraphs/shared/http.js';
import { createLogger } from '../subgraphs/shared/logger.js';
import { ConfigError, loadGatewayConfig } from './config.js';
import { createGateway } from './createGateway.js';

let config;
try {
  config = loadGatewayConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
const logger = createLogger('gateway', config.logLevel);
const gateway = createGateway(config, { logger });
// Listen before the supergraph is loaded, so that probes get "starting" rather than a refused connection.
const listening = await listen(gateway.app, config.port, config.host);

let stopping = false;
const shutdown = async (exitCode: number) => {
  if (stopping) return;
  stopping = true;
  logger.info('stopping');
  try {
    await listening.close();
    await gateway.stop();
  } catch (error) {
    logger.error({ err: error }, 'error while stopping');
  }
  process.exit(exitCode);
};
process.once('SIGTERM', () => void shutdown(0));
process.once('SIGINT', () => void shutdown(0));

try {
  await gateway.ready;
  logger.info({ url: `${listening.url}/graphql`, playground: `${listening.url}/playground`, supergraph: config.supergraph.path }, 'gateway ready');
} catch (error) {
  // A stop requested while waiting for the supergraph also ends `ready`: that is no failure.
  if (!stopping) {
    logger.fatal({ err: error, supergraph: config.supergraph.path }, 'the supergraph could not be loaded');
    await shutdown(1);
  }
}
