import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import type { TaxesContext } from '../context.js';
import { Citizen } from './Citizen.js';
import { Application } from './Application.js';
import { Procedure } from './Procedure.js';
import { Query } from './Query.js';
import { TaxDebt } from './TaxDebt.js';
import { Taxpayer } from './Taxpayer.js';

export const resolvers: GraphQLResolverMap<TaxesContext> = { Query, Citizen, Taxpayer, TaxDebt, Procedure, Application };
