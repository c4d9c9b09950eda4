import { listen, shutdownOnSignals } from '../lib/http.js';
import { readKeyFile, readOrCreateKeyFile } from '../lib/keys.js';
import { createLogger } from '../lib/logger.js';
import { configOrExit } from '../lib/settings.js';
import { DevelopmentIssuerRefused, signIn } from '../lib/signIn.js';
import { loadGatewayConfig } from './config.js';
import { createGateway } from './createGateway.js';

const config = configOrExit(() => loadGatewayConfig());
const logger = createLogger('gateway', config.logLevel);
// In production the key set is given: replicas that each made their own would not verify each other's assertions.
const keys = await (config.production ? readKeyFile(config.keysFile) : readOrCreateKeyFile(config.keysFile)).catch((error: Error) => {
  logger.fatal({ keysFile: config.keysFile }, error.message);
  process.exit(1);
});
const verifier = signIn(config.signIn);
if (config.production) {
  // The development issuer's keys sit in a folder: a production gateway refuses to start on it.
  await verifier.discover().catch((error: unknown) => {
    if (error instanceof DevelopmentIssuerRefused) {
      logger.fatal(error.message);
      process.exit(1);
    }
    logger.warn({ err: error, issuer: config.signIn.issuer }, 'the identity provider could not be reached: tokens are checked once it can');
  });
}
const gateway = createGateway({ ...config, signIn: verifier, keys }, { logger });
// Listen before the supergraph is loaded, so that probes get "starting" rather than a refused connection.
const listening = await listen(gateway.app, config.port, config.host);
const shutdown = shutdownOnSignals(logger, async () => {
  await listening.close();
  await gateway.stop();
});

try {
  await gateway.ready;
  logger.info(
    { url: `${listening.url}/graphql`, playground: `${listening.url}/playground`, supergraph: config.supergraph.path, issuer: config.signIn.issuer, kid: keys.signer.kid },
    'gateway ready',
  );
} catch (error) {
  // A stop requested while waiting for the supergraph also ends `ready`: that is no failure.
  if (!shutdown.stopping) {
    logger.fatal({ err: error, supergraph: config.supergraph.path }, 'the supergraph could not be loaded');
    await shutdown.stop(1);
  }
}
