import { readFileSync } from 'node:fs';
import path from 'node:path';

import { type DocumentNode, parse } from 'graphql';

/** Parses an operation document kept beside this file, once. */
function load(name: string): DocumentNode {
  return parse(readFileSync(path.join(__dirname, `${name}.graphql`), 'utf8'));
}

/** The GraphQL operations the REST routes run, by resource. */
export const operations = {
  inbox: load('inbox'),
} as const;
