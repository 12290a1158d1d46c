import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import pino from 'pino';
import type { TestProject } from 'vitest/node';

import { type EmbeddedDatabase, startEmbeddedDatabase } from '../src/db/embedded';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A PostgreSQL server on which test files create their own databases. */
    databaseServerUrl: string;
  }
}

/**
 * Tests that need a database server use DATABASE_URL's server when it is set (CI) and
 * otherwise one embedded PostgreSQL for the whole run, so `npm test` needs only Node.js.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env['DATABASE_URL'];
  if (given) {
    project.provide('databaseServerUrl', given);
    return async () => {};
  }

  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'dustmail-test-pg-'));
  let server: EmbeddedDatabase;
  try {
    server = await startEmbeddedDatabase(dataDir, pino({ level: 'warn' }));
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  project.provide('databaseServerUrl', server.url);
  return async () => {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
