/**
 * `npm run restart -- <service>`: restarts one service of the running `npm start` (a subgraph, the
 * gateway or the issuer) at once, without the backoff a crash gets. Exit 0 when restarted, 1 when the
 * platform refused (an unknown name: the answer lists the known ones), 2 when no platform is running.
 */
import { CONTROL_SOCKET, NoPlatformRunning, requestRestart } from './control.js';

const name = process.argv[2];
if (!name || process.argv.length > 3) {
  console.error('Usage: npm run restart -- <service>   (a subgraph, gateway or issuer)');
  process.exit(1);
}
try {
  const answer = await requestRestart(CONTROL_SOCKET, name);
  (answer.ok ? console.log : console.error)(answer.message);
  process.exit(answer.ok ? 0 : 1);
} catch (error) {
  console.error((error as Error).message);
  process.exit(error instanceof NoPlatformRunning ? 2 : 1);
}
