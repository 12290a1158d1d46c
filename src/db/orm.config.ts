import path from 'node:path';

import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, type Options, PostgreSqlDriver } from '@mikro-orm/postgresql';

import { migrationsList } from '../../migrations';
import * as schemas from './entities';

/** Where `mikro-orm migration:create` writes a new migration; add it to the list by hand. */
const MIGRATIONS_DIR = path.resolve(__dirname, '../../migrations');

/** Connection settings for one process's use of the database. */
export interface ConnectionLimits {
  /** Most connections in the pool. @default 10 */
  max?: number;
  /** Longest a statement may run before PostgreSQL cancels it; none when unset. */
  statementTimeoutMs?: number;
  /** Longest a caller waits for a free pooled connection. @default 60000 (knex) */
  acquireTimeoutMs?: number;
}

/** The MikroORM options for one database URL. */
export function ormConfig(databaseUrl: string, limits: ConnectionLimits = {}): Options {
  return defineConfig({
    driver: PostgreSqlDriver,
    clientUrl: databaseUrl,
    entities: Object.values(schemas),
    extensions: [Migrator],
    pool: { min: 0, max: limits.max ?? 10 },
    driverOptions: {
      ...(limits.acquireTimeoutMs ? { acquireConnectionTimeout: limits.acquireTimeoutMs } : {}),
      connection: limits.statementTimeoutMs ? { statement_timeout: limits.statementTimeoutMs } : {},
    },
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
