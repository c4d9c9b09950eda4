import { createServer } from 'node:net';

/**
 * A port nobody listens on now, picked by the OS, for a child process that must be told its port
 * before it starts (and get the same one when it is started again).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
