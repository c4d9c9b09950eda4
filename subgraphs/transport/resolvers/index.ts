import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import type { TransportContext } from '../context.js';
import { Citizen } from './Citizen.js';
import { Application } from './Application.js';
import { Procedure } from './Procedure.js';
import { Query } from './Query.js';
import { TrafficFine } from './TrafficFine.js';
import { Vehicle } from './Vehicle.js';

export const resolvers: GraphQLResolverMap<TransportContext> = { Query, Citizen, Vehicle, TrafficFine, Procedure, Application };
