import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import type { IdentityContext } from '../context.js';
import { Citizen } from './Citizen.js';
import { IdentityDocument } from './IdentityDocument.js';
import { Applicant } from './Applicant.js';
import { Application } from './Application.js';
import { Procedure } from './Procedure.js';
import { Query } from './Query.js';

// CivilRecord needs no resolvers: the store's rows already have the schema's field names.
export const resolvers: GraphQLResolverMap<IdentityContext> = { Query, Citizen, IdentityDocument, Procedure, Application, Applicant };
