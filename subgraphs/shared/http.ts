import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler } from 'express';

/** A server that is listening, and how to stop it. */
export interface Listening {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on `port` (0: any free one, picked by the OS) and `host`; resolves once accepting. */
export function listen(app: express.Express, port: number, host: string): Promise<Listening> {
  const server: Server = createServer(app);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve({
        url: `http://${shownHost}:${address.port}`,
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Keep-alive sockets would hold close() open until they time out.
            server.closeAllConnections();
          }),
      });
    });
  });
}

/**
 * A JSON body parser whose failures are GraphQL-shaped: a malformed or oversized body gets a 400 with
 * `extensions.code` BAD_REQUEST, like every other error a client can see.
 */
export function jsonBody(limit = '1mb'): [express.RequestHandler, ErrorRequestHandler] {
  const onBodyError: ErrorRequestHandler = (error, _req, res, next) => {
    const status = typeof error?.status === 'number' ? error.status : 0;
    if (status < 400 || status >= 500) return next(error);
    const message =
      error.type === 'entity.parse.failed'
        ? 'The request body is not valid JSON.'
        : error.type === 'entity.too.large'
          ? `The request body is larger than ${limit}.`
          : 'The request body could not be read.';
    res.status(status).json({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
  };
  return [express.json({ limit }), onBodyError];
}
