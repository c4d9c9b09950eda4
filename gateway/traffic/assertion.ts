import { ASSERTION_LIFETIME_SECONDS, signAssertion, type Assertion } from '../../lib/assertions.js';
import type { KeySet } from '../../lib/keys.js';
import type { GatewayContext } from '../context.js';
import type { TrafficWrapper } from './chain.js';

/** The gateway's own requests (health checks, schema loads) carry this request id and no caller. */
const OWN_REQUEST_ID = 'gateway';
/** An assertion for the gateway's own requests is made again once this much of its life is gone. */
const OWN_ASSERTION_REUSE_MS = (ASSERTION_LIFETIME_SECONDS * 1000) / 2;

/**
 * Signs every fetch with an assertion for that subgraph alone (`Authorization: Bearer`): the verified
 * caller, their purpose and the request id, under the gateway's key. The caller's own token never
 * leaves the gateway, so no subgraph holds a credential that opens another's door. A request that
 * fetches from one subgraph several times signs once for it.
 */
export function assertion(keys: KeySet): TrafficWrapper {
  const perRequest = new WeakMap<GatewayContext, Map<string, Promise<string>>>();
  const own = new Map<string, { token: Promise<string>; madeAt: number }>();

  function assertionFor(subgraph: string, context: GatewayContext | null): Promise<string> {
    if (!context) {
      const made = own.get(subgraph);
      if (made && Date.now() - made.madeAt < OWN_ASSERTION_REUSE_MS) return made.token;
      const token = signAssertion(keys, subgraph, { caller: null, purpose: null, requestId: OWN_REQUEST_ID });
      own.set(subgraph, { token, madeAt: Date.now() });
      return token;
    }
    let signed = perRequest.get(context);
    if (!signed) perRequest.set(context, (signed = new Map()));
    let token = signed.get(subgraph);
    if (!token) {
      const claims: Assertion = { caller: context.caller, purpose: context.purpose, requestId: context.requestId };
      signed.set(subgraph, (token = signAssertion(keys, subgraph, claims)));
    }
    return token;
  }

  return (next) => async (request) => {
    const token = await assertionFor(request.subgraph, request.context);
    return next({ ...request, init: { ...request.init, headers: { ...request.init.headers, authorization: `Bearer ${token}` } } });
  };
}
