import { configOrExit } from '../lib/settings.js';
import { listen, shutdownOnSignals } from '../lib/http.js';
import { createLogger } from '../lib/logger.js';
import { loadGatewayConfig } from './config.js';
import { createGateway } from './createGateway.js';

const config = configOrExit(() => loadGatewayConfig());
const logger = createLogger('gateway', config.logLevel);
const gateway = createGateway(config, { logger });
// Listen before the supergraph is loaded, so that probes get "starting" rather than a refused connection.
const listening = await listen(gateway.app, config.port, config.host);
const shutdown = shutdownOnSignals(logger, async () => {
  await listening.close();
  await gateway.stop();
});

try {
  await gateway.ready;
  logger.info({ url: `${listening.url}/graphql`, playground: `${listening.url}/playground`, supergraph: config.supergraph.path }, 'gateway ready');
} catch (error) {
  // A stop requested while waiting for the supergraph also ends `ready`: that is no failure.
  if (!shutdown.stopping) {
    logger.fatal({ err: error, supergraph: config.supergraph.path }, 'the supergraph could not be loaded');
    await shutdown.stop(1);
  }
}
