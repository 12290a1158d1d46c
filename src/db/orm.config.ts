import path from 'node:path';

import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, type Options, PostgreSqlDriver } from '@mikro-orm/postgresql';

import { migrationsList } from '../../migrations';
import * as schemas from './entities';

/** Where `mikro-orm migration:create` writes a new migration; add it to the list by hand. */
const MIGRATIONS_DIR = path.resolve(__dirname, '../../migrations');

/** The MikroORM options for one database URL. */
export function ormConfig(databaseUrl: string, pool: { max: number } = { max: 10 }): Options {
  return defineConfig({
    driver: PostgreSqlDriver,
    clientUrl: databaseUrl,
    entities: Object.values(schemas),
    extensions: [Migrator],
    pool: { min: 0, max: pool.max },
    discovery: { disableDynamicFileAccess: true, requireEntitiesArray: true },
    forceUtcTimezone: true,
    allowGlobalContext: false,
    debug: false,
    migrations: {
      path: MIGRATIONS_DIR,
      migrationsList,
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      emit: 'ts',
      snapshot: false,
      silent: true,
    },
  });
}
