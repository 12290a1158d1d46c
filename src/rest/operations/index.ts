import { readFileSync } from 'node:fs';
import path from 'node:path';

import { type DocumentNode, parse } from 'graphql';

/** Parses operation documents kept beside this file, once, as one document. */
function load(...names: string[]): DocumentNode {
  const text = names.map((name) => readFileSync(path.join(__dirname, `${name}.graphql`), 'utf8'));
  return parse(text.join('\n'));
}

/** The GraphQL operations the REST routes run, by resource, with the fragments they use. */
export const operations = {
  inbox: load('inbox', 'email-fields'),
  email: load('email', 'email-fields'),
} as const;
