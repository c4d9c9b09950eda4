import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import type { PortalContext } from '../context.js';
import { Agency } from './Agency.js';
import { Application } from './Application.js';
import { Actor, ApplicationEvent } from './ApplicationEvent.js';
import { Channel } from './Channel.js';
import { Citizen } from './Citizen.js';
import { Accessor, DataAccess } from './DataAccessConnection.js';
import { ProcedureStatistics } from './DeskStatistics.js';
import { ApplicationConnection, Desk, Official } from './Desk.js';
import { Mutation } from './Mutation.js';
import { Procedure } from './Procedure.js';
import { ProcedureConnection } from './ProcedureConnection.js';
import { Query } from './Query.js';
import { Requirement } from './Requirement.js';
import { StartApplicationPayload } from './StartApplicationPayload.js';

export const resolvers: GraphQLResolverMap<PortalContext> = {
  Query,
  Mutation,
  Agency,
  Procedure,
  ProcedureConnection,
  Channel,
  Requirement,
  Application,
  ApplicationConnection,
  Desk,
  Official,
  ApplicationEvent,
  Actor,
  Citizen,
  StartApplicationPayload,
  DataAccess,
  Accessor,
  ProcedureStatistics,
};
