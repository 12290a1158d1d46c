'use strict';

// Copies the files tsc does not emit (GraphQL operation documents) into dist/.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const from = path.join(root, 'src/rest/operations');
const to = path.join(root, 'dist/src/rest/operations');

fs.mkdirSync(to, { recursive: true });
for (const name of fs.readdirSync(from)) {
  if (name.endsWith('.graphql')) fs.copyFileSync(path.join(from, name), path.join(to, name));
}
