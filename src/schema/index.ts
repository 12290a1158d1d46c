import { lexicographicSortSchema, printSchema } from 'graphql';

import { builder } from './builder';
import './scalars';
import './types/account';
import './types/custom-domain';
import './types/email';
import './types/email-received';
import './types/inbox';

/** The executable GraphQL schema of DustMail. */
export const schema = builder.toSchema();

/** The schema in SDL, as committed in schema.graphql. */
export function printedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
