import { createScratchDatabase, type ScratchDatabase } from '../../src/db/scratch-database';

/** A database made for one test file. */
export type TestDatabase = ScratchDatabase;

/** Creates an empty database on the server of `serverUrl` for one test file. */
export function createTestDatabase(serverUrl: string): Promise<TestDatabase> {
  return createScratchDatabase(serverUrl, 'dustmail_test');
}
