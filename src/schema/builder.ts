import SchemaBuilder from '@pothos/core';

import type { GraphQLContext } from '../graphql/context';

/** The one Pothos builder every type file adds to. */
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
  };
  DefaultFieldNullability: false;
}>({ defaultFieldNullability: false });

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
