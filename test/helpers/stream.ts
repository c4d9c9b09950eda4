import { accountabilityOperation } from '../integration/support.js';

const MY_APPLICATION_UPDATES = accountabilityOperation('MyApplicationUpdates');
/** How long an expected event may take before `next()` says it never came: generous, not a measure. */
const ARRIVAL_TIMEOUT_MS = 5000;

/** One event of a stream as it arrived (keep-alive comments are skipped). */
export interface StreamEvent {
  event: string;
  id: string | null;
  data: any;
  /** performance.now() when it was parsed. */
  at: number;
}

/** A client of the gateway's /graphql/stream: the events as they arrive, and how to wait for the next. */
export interface Stream {
  status: number;
  requestId: string | null;
  next(timeoutMs?: number): Promise<StreamEvent>;
  /** The events received and not taken yet, after waiting `ms`. */
  pending(ms: number): Promise<StreamEvent[]>;
  close(): void;
}

/**
 * Opens a stream as a graphql-sse client in distinct connections mode would, with `token` (null:
 * anonymous) and, to resume, a Last-Event-ID; the query defaults to the accountability contract's
 * MyApplicationUpdates, verbatim. An answer that is no event stream (a refusal) throws, with its status.
 */
export async function openStream(baseUrl: string, token: string | null, options: { lastEventId?: string; query?: string } = {}): Promise<Stream> {
  const abort = new AbortController();
  const response = await fetch(`${baseUrl}/graphql/stream`, {
    method: 'POST',
    signal: abort.signal,
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(options.lastEventId ? { 'last-event-id': options.lastEventId } : {}),
    },
    body: JSON.stringify({ query: options.query ?? MY_APPLICATION_UPDATES }),
  });
  if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) throw new Error(`HTTP ${response.status} is no event stream: ${(await response.text()).slice(0, 200)}`);
  const received: StreamEvent[] = [];
  let wake = null as (() => void) | null;
  let ended = false;
  void (async () => {
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const fields = new Map(block.split('\n').filter((line) => !line.startsWith(':')).map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()] as const));
          if (!fields.get('event')) continue;
          received.push({ event: fields.get('event')!, id: fields.get('id') ?? null, data: fields.get('data') ? JSON.parse(fields.get('data')!) : null, at: performance.now() });
          wake?.();
        }
      }
    } catch {
      // Aborted by close().
    }
    ended = true;
    wake?.();
  })();
  const waitFor = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => (wake = null));
  return {
    status: response.status,
    requestId: response.headers.get('x-request-id'),
    async next(timeoutMs = ARRIVAL_TIMEOUT_MS) {
      const deadline = performance.now() + timeoutMs;
      while (!received.length) {
        if (ended) throw new Error('the stream ended');
        const left = deadline - performance.now();
        if (left <= 0) throw new Error(`no event within ${timeoutMs} ms`);
        await waitFor(left);
      }
      return received.shift()!;
    },
    async pending(ms) {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return received.splice(0);
    },
    close: () => abort.abort(),
  };
}
