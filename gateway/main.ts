import { listen, shutdownOnSignals } from '../lib/http.js';
import { readKeyFile, readOrCreateKeyFile } from '../lib/keys.js';
import { createLogger } from '../lib/logger.js';
import { configOrExit } from '../lib/settings.js';
import { DevelopmentIssuerRefused, signIn } from '../lib/signIn.js';
import { loadGatewayConfig } from './config.js';
import { createGateway } from './createGateway.js';

/** How long a production gateway waits at start for its identity provider to answer. */
const PRODUCTION_DISCOVERY_MS = 30_000;

const config = configOrExit(() => loadGatewayConfig());
const logger = createLogger('gateway', config.logLevel);
// In production the key set is given: replicas that each made their own would not verify each other's assertions.
const keys = await (config.production ? readKeyFile(config.keysFile) : readOrCreateKeyFile(config.keysFile)).catch((error: Error) => {
  logger.fatal({ keysFile: config.keysFile }, error.message);
  process.exit(1);
});
const verifier = signIn(config.signIn);
if (config.production) await refuseAnUnknownIssuer();

/**
 * The development issuer's keys sit in a folder: a production gateway does not start on it, nor on an
 * identity provider it cannot tell is not it. It asks for a while (the provider may be starting too).
 */
async function refuseAnUnknownIssuer(): Promise<void> {
  const deadline = Date.now() + PRODUCTION_DISCOVERY_MS;
  for (;;) {
    try {
      return await verifier.discover();
    } catch (error) {
      if (error instanceof DevelopmentIssuerRefused) {
        logger.fatal(error.message);
        process.exit(1);
      }
      if (Date.now() > deadline) {
        logger.fatal({ err: error, issuer: config.signIn.issuer }, `the identity provider could not be reached in ${PRODUCTION_DISCOVERY_MS / 1000} s: not starting`);
        process.exit(1);
      }
      await new Promise((retry) => setTimeout(retry, 2000));
    }
  }
}
const gateway = createGateway({ ...config, signIn: verifier, keys }, { logger });
// Listen before the supergraph is loaded, so that probes get "starting" rather than a refused connection.
const listening = await listen(gateway.app, config.port, config.host);
const shutdown = shutdownOnSignals(logger, async () => {
  await listening.close(config.drainGraceMs);
  await gateway.stop();
});

const supergraphFrom = config.supergraph.kind === 'file' ? config.supergraph.path : config.supergraph.url;
try {
  await gateway.ready;
  logger.info(
    { url: `${listening.url}/graphql`, playground: `${listening.url}/playground`, supergraph: supergraphFrom, issuer: config.signIn.issuer, kid: keys.signer.kid },
    'gateway ready',
  );
} catch (error) {
  // A stop requested while waiting for the supergraph also ends `ready`: that is no failure.
  if (!shutdown.stopping) {
    logger.fatal({ err: error, supergraph: supergraphFrom }, 'the supergraph could not be loaded');
    await shutdown.stop(1);
  }
}
