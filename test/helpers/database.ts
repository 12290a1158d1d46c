import { inject } from 'vitest';

import { migrate, openOrm, type Orm } from '../../src/db/orm';
import { createScratchDatabase, type ScratchDatabase } from '../../src/db/scratch-database';

/** A database made for one test file. */
export type TestDatabase = ScratchDatabase;

/** Creates an empty database on the server of `serverUrl` for one test file. */
export function createTestDatabase(serverUrl: string): Promise<TestDatabase> {
  return createScratchDatabase(serverUrl, 'dustmail_test');
}

/** A migrated database of its own for one test file, with an ORM open on it. */
export interface MigratedDatabase {
  url: string;
  orm: Orm;
  /** Closes the ORM and drops the database. */
  close(): Promise<void>;
}

/** Creates a database on the run's server, applies the migrations and opens the ORM. */
export async function openMigratedDatabase(): Promise<MigratedDatabase> {
  const database = await createTestDatabase(inject('databaseServerUrl'));
  const orm = await openOrm(database.url);
  await migrate(orm);
  return {
    url: database.url,
    orm,
    close: async () => {
      await orm.close();
      await database.drop();
    },
  };
}
