import { GraphQLError } from 'graphql';

import { builder } from './builder';

builder.scalarType('DateTime', {
  description: 'An instant in ISO 8601 UTC with milliseconds, e.g. 2026-03-30T12:00:00.000Z',
  serialize: (value) => value.toISOString(),
  parseValue: (value) => {
    const date = typeof value === 'string' ? new Date(value) : new Date(NaN);
    if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be ISO 8601');
    return date;
  },
});
