import type { Logger } from '../../lib/logger.js';
import type { TrafficWrapper } from './chain.js';

/** When a subgraph's circuit opens and how long it stays open; see `GatewayConfig.traffic`. */
export interface BreakerOptions {
  /** Consecutive failed fetches that open the circuit. */
  failures: number;
  /** How long an open circuit answers at once before letting one probe through. */
  cooldownMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

type Circuit =
  | { state: 'closed'; failures: number }
  | { state: 'open'; until: number }
  | { state: 'half-open' };

/** A fetch refused without contacting the subgraph: its circuit is open. */
export class CircuitOpenError extends Error {
  override name = 'CircuitOpenError';
  constructor(readonly subgraph: string) {
    super(`the circuit to subgraph ${subgraph} is open: it failed repeatedly`);
  }
}

/** Circuit breakers, one per subgraph, and what state each is in (for /health). */
export interface Breakers {
  wrapper: TrafficWrapper;
  states(): Record<string, BreakerState>;
}

/**
 * A subgraph that keeps failing (no connection, timeout, HTTP 5xx) is not asked again for a while:
 * its fetches fail at once, so requests do not each wait out its timeout and the agency gets room to
 * recover. After the cool-down ONE probe goes through: its success closes the circuit, its failure
 * reopens it.
 */
export function breakers(options: BreakerOptions, logger: Logger): Breakers {
  const circuits = new Map<string, Circuit>();

  function become(subgraph: string, circuit: Circuit): void {
    const before = circuits.get(subgraph)?.state ?? 'closed';
    circuits.set(subgraph, circuit);
    if (before !== circuit.state) logger.warn({ subgraph, from: before, to: circuit.state }, 'subgraph circuit changed state');
  }

  function settle(subgraph: string, failed: boolean): void {
    const circuit = circuits.get(subgraph) ?? { state: 'closed', failures: 0 };
    if (!failed) return become(subgraph, { state: 'closed', failures: 0 });
    const failures = circuit.state === 'closed' ? circuit.failures + 1 : options.failures;
    if (failures >= options.failures) become(subgraph, { state: 'open', until: Date.now() + options.cooldownMs });
    else become(subgraph, { state: 'closed', failures });
  }

  const wrapper: TrafficWrapper = (next) => async (request) => {
    const { subgraph } = request;
    const circuit = circuits.get(subgraph);
    if (circuit?.state === 'half-open' || (circuit?.state === 'open' && Date.now() < circuit.until)) throw new CircuitOpenError(subgraph);
    if (circuit?.state === 'open') become(subgraph, { state: 'half-open' });
    let response: Response;
    try {
      response = await next(request);
    } catch (error) {
      settle(subgraph, true);
      throw error;
    }
    settle(subgraph, response.status >= 500);
    return response;
  };

  return {
    wrapper,
    states: () => Object.fromEntries([...circuits].map(([subgraph, circuit]) => [subgraph, circuit.state])),
  };
}
