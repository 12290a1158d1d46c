import type { Config } from '../config/env';
import { runningEmbeddedUrl, startEmbeddedDatabase } from '../db/embedded';
import { migrate, type Orm, openOrm } from '../db/orm';
import type { Logger } from '../lib/logger';

/**
 * Runs a command against the service's database: DATABASE_URL, else the embedded server of
 * a running DustMail, else an embedded server started just for this command. Pending
 * migrations are applied first unless the command applies them itself.
 */
export async function withDatabase<T>(
  config: Config,
  log: Logger,
  work: (orm: Orm) => Promise<T>,
  options: { migrateFirst?: boolean } = {},
): Promise<T> {
  let url = config.databaseUrl ?? (await runningEmbeddedUrl(config.dataDir));
  const embedded = url ? undefined : await startEmbeddedDatabase(config.dataDir, log);
  url ??= embedded?.url;
  if (!url) throw new Error('no database could be reached');

  const orm = await openOrm(url, { max: 2 });
  try {
    if (options.migrateFirst ?? true) await migrate(orm);
    return await work(orm);
  } finally {
    await orm.close();
    await embedded?.stop();
  }
}
