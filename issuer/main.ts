import { listen, shutdownOnSignals } from '../lib/http.js';
import { createLogger } from '../lib/logger.js';
import { configOrExit } from '../lib/settings.js';
import { loadIssuerConfig, readIssuerKeys } from './config.js';
import { createIssuer } from './createIssuer.js';

const config = configOrExit(() => loadIssuerConfig());
const logger = createLogger('issuer', config.logLevel);
const keys = await readIssuerKeys(config);
const listening = await listen(createIssuer(keys, config.url), config.port, config.host);
logger.info({ issuer: config.url, listening: listening.url, keysFile: config.keysFile, kid: keys.signer.kid }, 'development issuer ready');
shutdownOnSignals(logger, () => listening.close(config.drainGraceMs));
