import { MikroORM } from '@mikro-orm/postgresql';

import { type ConnectionLimits, ormConfig } from './orm.config';

export type Orm = MikroORM;

/** Connects MikroORM to the given database. */
export async function openOrm(databaseUrl: string, limits?: ConnectionLimits): Promise<Orm> {
  return MikroORM.init(ormConfig(databaseUrl, limits));
}

/** Applies pending migrations; returns the names applied. */
export async function migrate(orm: Orm): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}
