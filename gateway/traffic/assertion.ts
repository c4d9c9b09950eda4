import { ASSERTION_LIFETIME_SECONDS, signAssertion, type Assertion } from '../../lib/assertions.js';
import type { KeySet } from '../../lib/keys.js';
import type { GatewayContext } from '../context.js';
import type { TrafficWrapper } from './chain.js';

/** The gateway's own requests (health checks, schema loads) carry this request id and no caller. */
const OWN_REQUEST_ID = 'gateway';
/**
 * An assertion is made again once this much of its life is gone: a request whose fetches run long
 * (the subgraph timeout can be minutes) never sends an expired one.
 */
const REUSE_MS = (ASSERTION_LIFETIME_SECONDS * 1000) / 2;

interface Made {
  token: Promise<string>;
  madeAt: number;
}

/**
 * Signs every fetch with an assertion for that subgraph alone (`Authorization: Bearer`): the verified
 * caller, their purpose and the request id, under the gateway's key. The caller's own token never
 * leaves the gateway, so no subgraph holds a credential that opens another's door. A request that
 * fetches from one subgraph several times signs once for it.
 */
export function assertion(keys: KeySet): TrafficWrapper {
  const perRequest = new WeakMap<GatewayContext, Map<string, Made>>();
  const own = new Map<string, Made>();

  function assertionFor(subgraph: string, context: GatewayContext | null): Promise<string> {
    let signed = own;
    if (context) {
      signed = perRequest.get(context) ?? new Map();
      perRequest.set(context, signed);
    }
    const made = signed.get(subgraph);
    if (made && Date.now() - made.madeAt < REUSE_MS) return made.token;
    const claims: Assertion = context
      ? { caller: context.caller, purpose: context.purpose, requestId: context.requestId }
      : { caller: null, purpose: null, requestId: OWN_REQUEST_ID };
    const token = signAssertion(keys, subgraph, claims);
    signed.set(subgraph, { token, madeAt: Date.now() });
    return token;
  }

  return (next) => async (request) => {
    const token = await assertionFor(request.subgraph, request.context);
    return next({ ...request, init: { ...request.init, headers: { ...request.init.headers, authorization: `Bearer ${token}` } } });
  };
}
