import type { Config } from '../config/env';
import { runningEmbeddedUrl, startEmbeddedDatabase } from '../db/embedded';
import { migrate, type Orm, openOrm } from '../db/orm';
import { withStartupLock } from '../db/startup-lock';
import type { Logger } from '../lib/logger';

/**
 * Runs a command against the service's database: DATABASE_URL, else the embedded server of
 * a running DustMail, else an embedded server started just for this command. Pending
 * migrations are applied first, under the same lock a starting server takes; `work` gets
 * their names.
 */
export async function withDatabase<T>(
  config: Config,
  log: Logger,
  work: (orm: Orm, applied: string[]) => Promise<T>,
): Promise<T> {
  let url = config.databaseUrl ?? (await runningEmbeddedUrl(config.dataDir));
  const embedded = url ? undefined : await startEmbeddedDatabase(config.dataDir, log);
  url ??= embedded?.url;
  if (!url) throw new Error('no database could be reached');

  const orm = await openOrm(url, { max: 2 });
  try {
    const applied = await withStartupLock(url, () => migrate(orm));
    return await work(orm, applied);
  } finally {
    await orm.close();
    await embedded?.stop();
  }
}
