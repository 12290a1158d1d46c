import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

import { describe, expect, it } from 'vitest';

const REPO = path.resolve(__dirname, '../../..');

describe('schema.graphql', () => {
  it('is the printed schema (regenerate: node bin/dustmail.js print-schema > schema.graphql)', async () => {
    const committed = await readFile(path.join(REPO, 'schema.graphql'), 'utf8');

    // The built CLI prints the schema the server serves; `npm test` builds first.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['bin/dustmail.js', 'print-schema'],
      {
        cwd: REPO,
      },
    );

    expect(committed).toBe(stdout);
  });
});
