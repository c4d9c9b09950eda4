import type { Logger } from '../../lib/logger.js';
import type { SubgraphRequest, TrafficWrapper } from './chain.js';
import { operationKind } from './operation.js';

/** How retries are bounded; see `GatewayConfig.traffic`. */
export interface RetryOptions {
  /** Attempts after the first, at most; 0 never retries. */
  retries: number;
  /** Retries may add at most this share (percent) of the fetches sent to a subgraph in the window. */
  budgetPercent: number;
}

/** The window over which the budget counts fetches, and the retries it allows however few were sent. */
const BUDGET_WINDOW_MS = 10_000;
const BUDGET_MIN_RETRIES = 3;
/** Full jitter: the n-th retry waits a random time up to min(cap, base * 2^n). */
const BACKOFF_BASE_MS = 50;
const BACKOFF_CAP_MS = 1000;
/** Answers that say "not now" without the subgraph having run the operation. */
const RETRIED_STATUSES = new Set([502, 503, 504]);

/**
 * Retries a query whose fetch failed to connect or was answered 502/503/504, with exponential backoff
 * and full jitter, within a per-subgraph budget so that retries never multiply the load on an agency
 * that is struggling. Mutations are never retried (they may have run), nor anything past the
 * request's signal (its timeout): a retry must not outlive the time the caller was promised.
 */
export function retry(options: RetryOptions, logger: Logger): TrafficWrapper {
  const budgets = new Map<string, RetryBudget>();
  return (next) => async (request) => {
    const budget = budgets.get(request.subgraph) ?? new RetryBudget(options.budgetPercent);
    budgets.set(request.subgraph, budget);
    budget.sent();
    const retriable = options.retries > 0 && operationKind(request.init.body) === 'query';
    for (let attempt = 0; ; attempt++) {
      const last = !retriable || attempt >= options.retries;
      let outcome: Response;
      try {
        outcome = await next(request);
        if (last || !RETRIED_STATUSES.has(outcome.status)) return outcome;
      } catch (error) {
        if (last || request.init.signal?.aborted) throw error;
        if (!budget.spend()) throw error;
        await backoff(attempt, request);
        log(logger, request, attempt, { err: error });
        continue;
      }
      if (request.init.signal?.aborted || !budget.spend()) return outcome;
      await outcome.body?.cancel();
      await backoff(attempt, request);
      log(logger, request, attempt, { status: outcome.status });
    }
  };
}

/**
 * A retry is routine (a subgraph restarting, a dropped keep-alive connection): told at info, with the
 * reason alone. A fetch that fails for good is logged as an error by whoever sees it fail.
 */
function log(logger: Logger, request: SubgraphRequest, attempt: number, why: Record<string, unknown>): void {
  const reason = why.err instanceof Error ? { reason: why.err.cause instanceof Error ? why.err.cause.message : why.err.message } : why;
  (request.context?.logger ?? logger).info({ subgraph: request.subgraph, retry: attempt + 1, ...reason }, 'retrying subgraph fetch');
}

/** Waits the jittered backoff; rejects with the signal's reason when it aborts first. */
function backoff(attempt: number, request: SubgraphRequest): Promise<void> {
  const delay = Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
  const signal = request.init.signal ?? undefined;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const done = () => {
      signal?.removeEventListener('abort', aborted);
      resolve();
    };
    const timer = setTimeout(done, delay);
    const aborted = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', aborted, { once: true });
  });
}

/** Fetches and retries to one subgraph over a sliding window. */
export class RetryBudget {
  private readonly fetches: number[] = [];
  private readonly retries: number[] = [];

  constructor(private readonly percent: number, private readonly now: () => number = Date.now) {}

  sent(): void {
    this.fetches.push(this.now());
  }

  /** Whether one more retry fits, counting it when it does. */
  spend(): boolean {
    const since = this.now() - BUDGET_WINDOW_MS;
    for (const times of [this.fetches, this.retries]) while (times.length && times[0]! <= since) times.shift();
    if (this.retries.length >= Math.max(BUDGET_MIN_RETRIES, (this.fetches.length * this.percent) / 100)) return false;
    this.retries.push(this.now());
    return true;
  }
}
