import { readFileSync } from 'node:fs';
import { Supergraph, operationFromDocument } from '@apollo/federation-internals';
import { QueryPlanner, prettyFormatQueryPlan, type PlanNode, type QueryPlan, type SubscriptionNode } from '@apollo/query-planner';
import { describe, expect, it } from 'vitest';
import { supergraphForPlanner } from '../../gateway/authorization.js';
import { CONTRACT_DOCUMENT } from './support.js';

/**
 * What the contract's operations cost: their query plans over the committed supergraph, as the gateway
 * builds them (same planner, same API schema). The inline snapshots make a change in the number or
 * order of fetches visible in review; `npx vitest run test/integration/queryPlan.test.ts -u` updates
 * them after a deliberate schema change.
 */
const SUPERGRAPH_SDL = readFileSync(new URL('../../schema/supergraph.graphql', import.meta.url), 'utf8');
// As the gateway hands it to the planner: its authorization features are enforced before planning.
const supergraph = Supergraph.build(supergraphForPlanner(SUPERGRAPH_SDL));
const planner = new QueryPlanner(supergraph);

function planOf(operationName: string): QueryPlan {
  return planner.buildQueryPlan(operationFromDocument(supergraph.apiSchema(), CONTRACT_DOCUMENT, { operationName }));
}

/** The subgraph of each fetch, in plan order. */
function fetches(node: PlanNode | SubscriptionNode | undefined): string[] {
  if (!node) return [];
  switch (node.kind) {
    case 'Fetch':
      return [node.serviceName];
    case 'Flatten':
      return fetches(node.node);
    case 'Sequence':
    case 'Parallel':
      return node.nodes.flatMap(fetches);
    default:
      throw new Error(`A ${node.kind} node in a contract operation's plan: update fetches() and this test.`);
  }
}

describe('WhatDoINeed', () => {
  const plan = planOf('WhatDoINeed');

  it('costs five fetches in three steps: the portal, the three agencies in parallel, the portal again', () => {
    // Printed so that docs can quote the plan as it is.
    console.log(`Query plan of WhatDoINeed:\n${prettyFormatQueryPlan(plan)}`);
    expect(fetches(plan.node)).toEqual(['portal', 'taxes', 'transport', 'identity', 'portal']);
    expect(plan.node?.kind).toBe('Sequence');
  });

  it('is this plan', () => {
    expect(prettyFormatQueryPlan(plan)).toMatchInlineSnapshot(`
      "QueryPlan {
        Sequence {
          Fetch(service: "portal") {
            {
              procedure(slug: $slug) {
                __typename
                slug
                requirementCodes
                agency {
                  code
                  name
                }
                title
                summary
                fee {
                  amount
                  currency
                  paymentCode
                }
                processingDays
                channels {
                  kind
                  url
                  offices {
                    id
                    name
                    address
                  }
                }
              }
            }
          },
          Parallel {
            Flatten(path: "procedure") {
              Fetch(service: "taxes") {
                {
                  ... on Procedure {
                    __typename
                    slug
                    requirementCodes
                    agency {
                      code
                    }
                  }
                } =>
                {
                  ... on Procedure {
                    taxesChecks {
                      code
                      status
                      detail
                    }
                  }
                }
              },
            },
            Flatten(path: "procedure") {
              Fetch(service: "transport") {
                {
                  ... on Procedure {
                    __typename
                    slug
                    requirementCodes
                    agency {
                      code
                    }
                  }
                } =>
                {
                  ... on Procedure {
                    transportChecks {
                      code
                      status
                      detail
                    }
                  }
                }
              },
            },
            Flatten(path: "procedure") {
              Fetch(service: "identity") {
                {
                  ... on Procedure {
                    __typename
                    slug
                    requirementCodes
                    agency {
                      code
                    }
                  }
                } =>
                {
                  ... on Procedure {
                    identityChecks {
                      code
                      status
                      detail
                    }
                  }
                }
              },
            },
          },
          Flatten(path: "procedure") {
            Fetch(service: "portal") {
              {
                ... on Procedure {
                  __typename
                  identityChecks {
                    code
                    status
                    detail
                  }
                  transportChecks {
                    code
                    status
                    detail
                  }
                  taxesChecks {
                    code
                    status
                    detail
                  }
                  slug
                }
              } =>
              {
                ... on Procedure {
                  requirements {
                    code
                    description
                    status
                    detail
                    agency {
                      code
                    }
                  }
                }
              }
            },
          },
        },
      }"
    `);
  });
});

describe('StartApplication', () => {
  const plan = planOf('StartApplication');

  it('costs five fetches too: the mutation once, the agencies in parallel, the payload once more', () => {
    // The mutation itself runs exactly once and makes nothing; the last fetch, an _entities one with
    // the verdicts, makes the application (idempotent by key, should the gateway send it again).
    expect(fetches(plan.node)).toEqual(['portal', 'taxes', 'transport', 'identity', 'portal']);
  });

  it('is this plan', () => {
    expect(prettyFormatQueryPlan(plan)).toMatchInlineSnapshot(`
      "QueryPlan {
        Sequence {
          Fetch(service: "portal") {
            {
              startApplication(input: $input) {
                __typename
                procedure {
                  __typename
                  slug
                  requirementCodes
                  agency {
                    code
                  }
                }
                intake
              }
            }
          },
          Parallel {
            Flatten(path: "startApplication.procedure") {
              Fetch(service: "taxes") {
                {
                  ... on Procedure {
                    __typename
                    slug
                    requirementCodes
                    agency {
                      code
                    }
                  }
                } =>
                {
                  ... on Procedure {
                    taxesChecks {
                      code
                      status
                      detail
                    }
                  }
                }
              },
            },
            Flatten(path: "startApplication.procedure") {
              Fetch(service: "transport") {
                {
                  ... on Procedure {
                    __typename
                    slug
                    requirementCodes
                    agency {
                      code
                    }
                  }
                } =>
                {
                  ... on Procedure {
                    transportChecks {
                      code
                      status
                      detail
                    }
                  }
                }
              },
            },
            Flatten(path: "startApplication.procedure") {
              Fetch(service: "identity") {
                {
                  ... on Procedure {
                    __typename
                    slug
                    requirementCodes
                    agency {
                      code
                    }
                  }
                } =>
                {
                  ... on Procedure {
                    identityChecks {
                      code
                      status
                      detail
                    }
                  }
                }
              },
            },
          },
          Flatten(path: "startApplication") {
            Fetch(service: "portal") {
              {
                ... on StartApplicationPayload {
                  __typename
                  procedure {
                    identityChecks {
                      code
                      status
                      detail
                    }
                    transportChecks {
                      code
                      status
                      detail
                    }
                    taxesChecks {
                      code
                      status
                      detail
                    }
                  }
                  intake
                }
              } =>
              {
                ... on StartApplicationPayload {
                  unmetRequirements {
                    code
                    description
                    detail
                  }
                  application {
                    id
                    status
                    submittedAt
                    procedure {
                      slug
                    }
                  }
                }
              }
            },
          },
        },
      }"
    `);
  });
});

describe('the other operations', () => {
  it.each([
    ['SearchProcedures', ['portal']],
    ['WhereIsMyApplication', ['identity', 'portal']],
    ['MyRecords', ['identity', 'taxes', 'transport']],
  ])('%s costs %j', (operationName, expected) => {
    expect(fetches(planOf(operationName).node)).toEqual(expected);
  });
});
