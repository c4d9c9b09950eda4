import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler } from 'express';
import type { Logger } from './logger.js';
import { DEFAULT_DRAIN_GRACE_MS } from './settings.js';

/** How long a stop waits for requests already on their way (sent, not yet read) before closing the door. */
const IN_TRANSIT_MS = 250;

/** A server that is listening, and how to stop it. */
export interface Listening {
  url: string;
  port: number;
  /**
   * Stops gracefully: after 250 ms (for requests already sent to be read), accepts no new connection
   * and closes idle keep-alive ones; lets requests in flight finish (their connections close behind
   * them) and, after `drainMs` (default `DRAIN_GRACE_MS`'s, 5000), closes whatever is still open.
   * Resolves once every connection is closed: 250 ms after the call when all are idle.
   */
  close(drainMs?: number): Promise<void>;
}

/** Listens on `port` (0: any free one, picked by the OS) and `host`; resolves once accepting. */
export function listen(app: express.Express, port: number, host: string): Promise<Listening> {
  const server: Server = createServer();
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  // Registered before the app, so that an answer given while draining is marked before it is sent.
  server.on('request', (_req, res: ServerResponse) => {
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
    if (draining) closeAfter(res);
  });
  server.on('request', app);

  /**
   * Makes the connection of `res` close once it is answered. Without it, a connection whose last
   * request finishes while draining stays open, idle, until its keep-alive timeout.
   */
  function closeAfter(res: ServerResponse): void {
    // `Connection: close` also tells the client not to send another request on it.
    if (!res.headersSent) res.setHeader('connection', 'close');
    else res.once('finish', () => setImmediate(() => server.closeIdleConnections()));
  }

  const close = (drainMs = DEFAULT_DRAIN_GRACE_MS) =>
    new Promise<void>((done) => {
      draining = true;
      for (const res of inFlight) closeAfter(res);
      const deadline = setTimeout(() => server.closeAllConnections(), drainMs);
      // A request sent just before the signal over an idle keep-alive connection is still unread:
      // closing idle connections at once (as server.close() does) would reset it. Read it first; what
      // arrives meanwhile is answered with `Connection: close`.
      setTimeout(() => {
        server.close(() => {
          clearTimeout(deadline);
          done();
        });
        server.closeIdleConnections();
      }, IN_TRANSIT_MS);
    });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve({ url: `http://${shownHost}:${address.port}`, port: address.port, close });
    });
  });
}

/**
 * A JSON body parser whose failures are GraphQL-shaped: a malformed, oversized or not UTF-8 body gets
 * a 4xx (413 when oversized, 415 for a charset other than UTF-8, else 400) with `extensions.code`
 * BAD_REQUEST, like every other error a client can see. A body that is not UTF-8 is refused rather
 * than read with replacement characters, which would make it another, valid request.
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
          : error.type === 'entity.verify.failed' || error.type === 'charset.unsupported'
            ? 'The request body is not UTF-8.'
            : 'The request body could not be read.';
    res.status(status).json({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
  };
  const utf8Only = (_req: unknown, _res: unknown, body: Buffer) => {
    if (!isUtf8(body)) throw Object.assign(new Error('The request body is not UTF-8.'), { status: 400 });
  };
  return [express.json({ limit, verify: utf8Only }), onBodyError];
}

/** How a process stops: once, however many times it is asked. */
export interface Shutdown {
  /** True once a stop has begun. */
  readonly stopping: boolean;
  /** Logs "stopping", runs the process's `close`, then exits with `exitCode`; a second call does nothing. */
  stop(exitCode: number): Promise<void>;
}

/**
 * Makes SIGTERM and SIGINT stop the process through `close` (release what it holds: listeners,
 * servers, databases), once: Ctrl-C pressed while an orchestrator's SIGTERM drains must not close
 * everything a second time. A failure while closing is logged; the process exits either way.
 */
export function shutdownOnSignals(logger: Logger, close: () => Promise<void>): Shutdown {
  let stopping = false;
  const stop = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping');
    try {
      await close();
    } catch (error) {
      logger.error({ err: error }, 'error while stopping');
    }
    process.exit(exitCode);
  };
  process.once('SIGTERM', () => void stop(0));
  process.once('SIGINT', () => void stop(0));
  return {
    get stopping() {
      return stopping;
    },
    stop,
  };
}

/** A caller-supplied id is echoed into logs and headers, so only a short, plain one is trusted. */
const REQUEST_ID_PATTERN = /^[\w.:-]{1,128}$/;

/** The request id an `x-request-id` header gives, when it is a sensible one; else a new UUID. */
export function requestIdFrom(header: string | undefined): string {
  return header && REQUEST_ID_PATTERN.test(header) ? header : randomUUID();
}
