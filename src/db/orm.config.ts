import path from 'node:path';

import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, type Options, PostgreSqlDriver } from '@mikro-orm/postgresql';

import * as schemas from './entities';

/** Compiled migrations sit beside the compiled sources under dist/. */
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
      pathTs: path.resolve(__dirname, '../../../migrations'),
      glob: '!(*.d).{js,ts}',
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      emit: 'ts',
      snapshot: false,
      silent: true,
    },
  });
}
